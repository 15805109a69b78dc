"""Status notifications: which ones an event triggers, and their e-mail to the customer."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, Template
from django.urls import reverse

from orders.api.links import absolute
from orders.events import ORDER_STATUS_CHANGED
from orders.language import order_language
from orders.money import format_money
from statuses.models import OrderStatus

from .models import StatusNotification

# An order gets a status through order_status_assign, which emits order.status_changed.
STATUS_EVENTS = (ORDER_STATUS_CHANGED,)


class NotificationError(Exception):
    """A notification that cannot be sent however often it is tried (no address, bad
    template)."""


def status_of(event) -> int | None:
    """The status id an event gives its order, or None if it gives none."""
    if event.type not in STATUS_EVENTS:
        return None
    status_id = (event.payload or {}).get("status_id")
    return status_id if isinstance(status_id, int) else None


def render_email(notification: StatusNotification, event) -> tuple[str, str]:
    """The notification's subject and body, rendered with the order, status and event."""
    order = event.order
    context = Context(
        {
            "order": order,
            "status": OrderStatus.objects.filter(pk=status_of(event)).first() or order.status,
            "event": event,
            # Ready for people: the total as "€12.10" (in the order's language: "258,26 Kč")
            # and the customer's order page link.
            "money": format_money(order.money, order.order_currency_code, order_language(order)),
            "order_url": absolute(None, reverse("order-page", args=[order.hash])),
        },
        autoescape=False,  # plain-text mail: no HTML escaping of names
    )
    try:
        subject = Template(notification.email_subject).render(context)
        body = Template(notification.email_body).render(context)
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
