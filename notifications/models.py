"""Who is told about order events, and the log of telling them.

The outbox (orders.OrderEvent) is written with every change; notifications/delivery.py turns
its rows into Delivery rows and delivers them off the request path, at least once and in
order per order. These models lived in the `statuses` app before; their tables moved
with them, data and all (migration 0001 here).
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.models import OrderEvent
from statuses.models import OrderStatus


def new_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _event_type_choices():
    from orders.events import EVENT_TYPES

    return [(t, t) for t in EVENT_TYPES]


class WebhookSubscription(models.Model):
    """An external system that wants some order events POSTed to its URL, signed with
    its secret."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who receives it, e.g. 'Warehouse'.")
    )
    url = models.URLField(
        _("url"), max_length=500, help_text=_("The events are POSTed here as JSON.")
    )
    secret = models.CharField(
        _("secret"),
        max_length=200,
        default=new_secret,
        help_text=_("Shared with the receiver; each delivery is signed with HMAC-SHA256 of it."),
    )
    events = models.JSONField(_("events"), default=list, help_text=_("The event types it wants."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        known = {event_type for event_type, _label in _event_type_choices()}
        if not self.events or not isinstance(self.events, list):
            raise ValidationError({"events": gettext("Choose at least one event type.")})
        unknown = sorted(set(self.events) - known)
        if unknown:
            raise ValidationError(
                {"events": gettext("Unknown event types: %s.") % ", ".join(unknown)}
            )

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in (self.events or [])


class StatusNotification(models.Model):
    """What happens when an order gets a status: an e-mail to the customer and/or a
    webhook. Subject and body are Django template strings with `order`, `status` and
    `event` in context."""

    status = models.ForeignKey(
        OrderStatus,
        verbose_name=_("status"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    send_email = models.BooleanField(
        _("send email"), default=True, help_text=_("E-mail the order's customer.")
    )
    email_subject = models.CharField(
        _("email subject"),
        max_length=300,
        blank=True,
        help_text=_(
            "A template, e.g. 'Order {{ order.id }} is {{ status.name }}'. Empty: the standard "
            "subject, in the order's language."
        ),
    )
    email_body = models.TextField(
        _("email body"),
        blank=True,
        help_text=_(
            "A plain-text template with `order`, `status`, `money` (the total, "
            "formatted), `order_url` (the customer's order page) and `language` (the "
            "order's, e.g. cs). Empty: the standard e-mail, in the order's language."
        ),
    )
    webhook_url = models.URLField(_("webhook url"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"), max_length=200, default=new_secret, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("status notifications")
        ordering = ["status", "id"]
        verbose_name = _("status notification")

    def __str__(self) -> str:
        what = [
            str(w)
            for w, on in ((_("e-mail"), self.send_email), (_("webhook"), self.webhook_url))
            if on
        ]
        nothing = gettext("nothing")
        return f"{self.status}: {' + '.join(what) or nothing}"

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.template import Template, TemplateSyntaxError

        errors = {}
        if not self.send_email and not self.webhook_url:
            errors["send_email"] = gettext("Send an e-mail, call a webhook, or both.")
        # An empty subject or body is the standard one (notifications/status_notifications.py).
        for field in ("email_subject", "email_body"):
            try:
                Template(getattr(self, field))
            except TemplateSyntaxError as exc:
                errors[field] = gettext("Template error: %s") % exc
        if self.webhook_url and not self.webhook_secret:
            errors["webhook_secret"] = gettext("A webhook needs a secret to sign with.")
        if errors:
            raise ValidationError(errors)


class DeliveryKind(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    EMAIL = "email", _("E-mail")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one receiver (a webhook subscription, or a status notification's
    e-mail or webhook), with its retry state. Made once per event x receiver."""

    event = models.ForeignKey(
        OrderEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    # Copied from the event: deliveries of one order to one receiver go out in event order.
    order_id = models.BigIntegerField(_("order id"), db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DeliveryKind.choices)
    # "sub:<id>", "notify:<id>:email" or "notify:<id>:webhook": the receiver, for ordering.
    target = models.CharField(_("target"), max_length=50)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    notification = models.ForeignKey(
        StatusNotification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_response_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        ordering = ["-id"]
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "target"], name="delivery_once_per_target"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["target", "order_id", "state"], name="delivery_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.target} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, how long, what came back."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("number"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration ms"), default=0)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return gettext("attempt %(number)s of delivery %(delivery)s") % {
            "number": self.number,
            "delivery": self.delivery_id,
        }


class OutboxCursor(models.Model):
    """How far the dispatcher has read the outbox, in commit order (see notifications/outbox.py).
    Its row lock also keeps two dispatchers from reading the same events at once."""

    name = models.CharField(max_length=50, unique=True)
    txid = models.BigIntegerField(default=0)
    event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.txid}-{self.event_id}"


class EmittedEvent(OrderEvent):
    """The outbox seen from the delivery side: the admin lists an order's events with
    their delivery state (a proxy, no table of its own)."""

    class Meta:
        verbose_name_plural = _("emitted events")
        proxy = True
        ordering = ["-id"]
        verbose_name = _("emitted event")
