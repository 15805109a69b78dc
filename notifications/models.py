"""Who is told about order events, and the log of telling them.

The outbox (orders.OrderEvent) is written with every change; notifications/delivery.py turns
its rows into Delivery rows and delivers them off the request path, at least once and in
order per order. These models lived in the `statuses` app before; their tables moved
with them, data and all (migration 0001 here).
"""

from django.db import models

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

    name = models.CharField(max_length=200, help_text="Who receives it, e.g. 'Warehouse'.")
    url = models.URLField(max_length=500, help_text="The events are POSTed here as JSON.")
    secret = models.CharField(
        max_length=200,
        default=new_secret,
        help_text="Shared with the receiver; each delivery is signed with HMAC-SHA256 of it.",
    )
    events = models.JSONField(default=list, help_text="The event types it wants.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "webhook subscription"

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        known = {t for t, _ in _event_type_choices()}
        if not self.events or not isinstance(self.events, list):
            raise ValidationError({"events": "Choose at least one event type."})
        unknown = sorted(set(self.events) - known)
        if unknown:
            raise ValidationError({"events": f"Unknown event types: {', '.join(unknown)}."})

    def wants(self, event_type: str) -> bool:
        return self.active and event_type in (self.events or [])


class StatusNotification(models.Model):
    """What happens when an order gets a status: an e-mail to the customer and/or a
    webhook. Subject and body are Django template strings with `order`, `status` and
    `event` in context."""

    status = models.ForeignKey(OrderStatus, on_delete=models.CASCADE, related_name="notifications")
    send_email = models.BooleanField(default=True, help_text="E-mail the order's customer.")
    email_subject = models.CharField(
        max_length=300,
        blank=True,
        help_text="A template, e.g. 'Order {{ order.id }} is {{ status.name }}'.",
    )
    email_body = models.TextField(
        blank=True,
        help_text="A plain-text template with `order`, `status`, `money` (the total, "
        "formatted) and `order_url` (the customer's order page).",
    )
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=200, default=new_secret, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "id"]
        verbose_name = "status notification"

    def __str__(self) -> str:
        what = [w for w, on in (("e-mail", self.send_email), ("webhook", self.webhook_url)) if on]
        return f"{self.status}: {' + '.join(what) or 'nothing'}"

    def clean(self):
        from django.core.exceptions import ValidationError
        from django.template import Template, TemplateSyntaxError

        errors = {}
        if not self.send_email and not self.webhook_url:
            errors["send_email"] = "Send an e-mail, call a webhook, or both."
        if self.send_email and not self.email_subject.strip():
            errors["email_subject"] = "An e-mail needs a subject."
        for field in ("email_subject", "email_body"):
            try:
                Template(getattr(self, field))
            except TemplateSyntaxError as exc:
                errors[field] = f"Template error: {exc}"
        if self.webhook_url and not self.webhook_secret:
            errors["webhook_secret"] = "A webhook needs a secret to sign with."
        if errors:
            raise ValidationError(errors)


class DeliveryKind(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "E-mail"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event for one receiver (a webhook subscription, or a status notification's
    e-mail or webhook), with its retry state. Made once per event x receiver."""

    event = models.ForeignKey(OrderEvent, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event: deliveries of one order to one receiver go out in event order.
    order_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=10, choices=DeliveryKind.choices)
    # "sub:<id>", "notify:<id>:email" or "notify:<id>:webhook": the receiver, for ordering.
    target = models.CharField(max_length=50)
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.CASCADE
    )
    notification = models.ForeignKey(
        StatusNotification, null=True, blank=True, on_delete=models.CASCADE
    )
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
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

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"


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
        proxy = True
        ordering = ["-id"]
        verbose_name = "emitted event"
