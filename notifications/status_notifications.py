"""Status notifications: which ones an event triggers, and their e-mail to the customer."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from orders.api.links import absolute
from orders.events import ORDER_STATUS_CHANGED
from orders.language import order_language
from orders.money import format_money
from statuses.models import OrderStatus

from .models import StatusNotification

# An order gets a status through order_status_assign, which emits order.status_changed.
STATUS_EVENTS = (ORDER_STATUS_CHANGED,)
# The standard e-mail, for a notification that leaves its subject or body empty.
STANDARD_SUBJECT = "notifications/status_email_subject.txt"
STANDARD_BODY = "notifications/status_email_body.txt"


class NotificationError(Exception):
    """A notification that cannot be sent however often it is tried (no address, bad
    template)."""


def status_of(event) -> int | None:
    """The status id an event gives its order, or None if it gives none."""
    if event.type not in STATUS_EVENTS:
        return None
    status_id = (event.payload or {}).get("status_id")
    return status_id if isinstance(status_id, int) else None


def _render(text: str, standard: str, values: dict) -> str:
    """The notification's own template text, or the standard template when it is empty."""
    if not text.strip():
        return get_template(standard).render(values)
    # Plain-text mail: no HTML escaping of names.
    return Template(text).render(Context(values, autoescape=False))


def render_email(notification: StatusNotification, event) -> tuple[str, str]:
    """The notification's subject and body, rendered with the order, status and event in
    the order's language (its own, else its channel's: orders/language.py)."""
    order = event.order
    language = order_language(order)
    with translation.override(language):
        values = {
            "order": order,
            "status": OrderStatus.objects.filter(pk=status_of(event)).first() or order.status,
            "event": event,
            # Ready for people: the total as "€12.10" (in the order's language: "258,26 Kč")
            # and the customer's order page link.
            "money": format_money(order.money, order.order_currency_code, order_language(order)),
            "order_url": absolute(None, reverse("order-page", args=[order.hash])),
            # For a template written in several languages: {% if language == "cs" %}...
            "language": language,
        }
        try:
            subject = _render(notification.email_subject, STANDARD_SUBJECT, values)
            body = _render(notification.email_body, STANDARD_BODY, values)
        except Exception as exc:  # a template that fails will always fail
            raise NotificationError(f"template error: {exc}") from exc
    return " ".join(subject.split()), body


def send_email(notification: StatusNotification, event) -> None:
    """E-mail the order's customer through Django's mail backend."""
    recipient = event.order.email
    if not recipient:
        raise NotificationError(f"order {event.order_id} has no e-mail address")
    subject, body = render_email(notification, event)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"X-Order-Event-Id": f"evt_{event.pk}"},
    ).send()
