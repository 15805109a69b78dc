"""Back office for notifications and webhooks: who is told what, and the delivery log.

- Webhook subscriptions and status notifications are edited here.
- Deliveries: one row per event x receiver with its state, attempts, last response and
  next try; filter by order (`?order_id=<id>`), "Redeliver" sends again.
- Emitted events: an order's outbox events with their delivery state
  (`?order__id__exact=<id>`).
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from orders.events import EVENT_TYPES

from . import delivery
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    EmittedEvent,
    StatusNotification,
    WebhookSubscription,
)
from .receivers import wake

STATE_COLORS = {"pending": "#fd7e14", "succeeded": "#198754", "failed": "#dc3545"}


def _state_badge(state: str, label):
    return format_html(
        '<b style="color:{}">{}</b>', STATE_COLORS.get(state, "inherit"), label or state
    )


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Events are POSTed here."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t, t) for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The event types POSTed to the URL."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "events", "active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "event_list", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]

    @admin.display(description=_("events"))
    def event_list(self, obj):
        return ", ".join(obj.events or [])


@admin.register(StatusNotification)
class StatusNotificationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["status", "send_email", "email_subject", "webhook_url", "active"]
    list_filter = ["active", "send_email", "status"]
    list_select_related = ["status"]
    fieldsets = [
        (None, {"fields": ["status", "active"]}),
        (
            _("E-mail to the customer"),
            {
                "fields": ["send_email", "email_subject", "email_body"],
                "description": _(
                    "Django templates; {{ order }}, {{ status }} and {{ event }} are available, "
                    "e.g. {{ order.name }}, {{ order.id }}, {{ status.name }}. Leave the subject "
                    "and body empty to send the standard e-mail, written in the order's language "
                    "(English or Czech)."
                ),
            },
        ),
        (_("Webhook"), {"fields": ["webhook_url", "webhook_secret"]}),
    ]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "response_code", "succeeded", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "event_link",
        "event_type",
        "order_link",
        "target",
        "kind",
        "state_badge",
        "attempts",
        "last_response_code",
        "next_attempt_at",
        "finished_at",
    ]
    list_filter = ["state", "kind", "event__type"]
    search_fields = ["=order_id", "=event__id", "target"]
    list_select_related = ["event"]
    readonly_fields = [
        "event",
        "order_id",
        "kind",
        "target",
        "subscription",
        "notification",
        "state",
        "attempts",
        "next_attempt_at",
        "last_response_code",
        "last_error",
        "created_at",
        "finished_at",
    ]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def lookup_allowed(self, lookup, value, request=None):
        # Links from an order and from the events list filter by these.
        return lookup in ("order_id", "event__id__exact", "event") or super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"), ordering="event_id")
    def event_link(self, obj):
        return f"evt_{obj.event_id}"

    @admin.display(description=_("type"), ordering="event__type")
    def event_type(self, obj):
        return obj.event.type

    @admin.display(description=_("order"), ordering="order_id")
    def order_link(self, obj):
        url = reverse("admin:notifications_delivery_changelist") + f"?order_id={obj.order_id}"
        return format_html('<a href="{}">#{}</a>', url, obj.order_id)

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj):
        return _state_badge(obj.state, obj.get_state_display())

    def has_redeliver_permission(self, request):
        # The log is read-only in the admin; sending again is a separate right.
        return request.user.has_perm("notifications.change_delivery")

    @admin.action(description=_("Redeliver the selected deliveries"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        count = delivery.redeliver(queryset)
        wake()
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again (attempts start over).",
                "%(count)d deliveries will be sent again (attempts start over).",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(EmittedEvent)
class EmittedEventAdmin(admin.ModelAdmin):
    """An order's outbox, with where each event went."""

    list_display = ["id", "type", "order_id", "created_at", "deliveries"]
    list_filter = ["type"]
    search_fields = ["=order__id", "=id"]
    date_hierarchy = "created_at"
    readonly_fields = ["order", "type", "payload", "txid", "created_at", "deliveries"]
    fields = readonly_fields

    def get_queryset(self, request):
        states = {
            state: Count("deliveries", filter=Q(deliveries__state=state))
            for state in DeliveryState.values
        }
        return super().get_queryset(request).annotate(**states)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "order__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("deliveries"))
    def deliveries(self, obj):
        counts = [(s, getattr(obj, s, 0)) for s in DeliveryState.values]
        counts = [(s, n) for s, n in counts if n]
        if not counts:
            return "—"
        url = reverse("admin:notifications_delivery_changelist") + f"?event__id__exact={obj.pk}"
        parts = format_html_join(
            ", ",
            '<span style="color:{}">{} {}</span>',
            ((STATE_COLORS[s], n, str(DeliveryState(s).label).lower()) for s, n in counts),
        )
        return format_html('<a href="{}">{}</a>', url, parts)
