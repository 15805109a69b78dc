"""Turning outbox events into deliveries, and delivering them: at least once, in order
per order and receiver, with exponential backoff and a final "failed" state.

Two steps, both safe to run from any number of processes at once:

1. `dispatch_events()` reads committed events after the stored cursor (notifications/outbox.py)
   and, in ONE transaction, creates a Delivery per event x interested receiver and moves
   the cursor. A crash before the commit leaves the cursor where it was, so nothing is lost
   (the signal after commit only wakes this up sooner).
2. `deliver_due()` claims due deliveries (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so two
   workers never take the same one), leases them for a while (a worker that dies mid-way
   leaves them to be retried when the lease runs out), and sends them outside any
   transaction. A delivery waits while an earlier event of the same order is still
   pending for the same receiver.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orders.models import OrderEvent

from . import status_notifications, webhooks
from .models import (
    Delivery,
    DeliveryAttempt,
    DeliveryKind,
    DeliveryState,
    OutboxCursor,
    StatusNotification,
    WebhookSubscription,
)
from .outbox import Cursor, committed_events

log = logging.getLogger(__name__)

CURSOR_NAME = "deliveries"


# --- 1. outbox -> deliveries ---------------------------------------------------------------


def _deliveries_for(event: OrderEvent, subscriptions, status_notes) -> list:
    """The Delivery rows an event calls for (receivers created after it get nothing)."""
    rows = []
    # Due since the event happened.
    base = {"event": event, "order_id": event.order_id, "next_attempt_at": event.created_at}
    for sub in subscriptions:
        if sub.wants(event.type) and sub.created_at <= event.created_at:
            rows.append(
                Delivery(
                    **base, kind=DeliveryKind.WEBHOOK, target=f"sub:{sub.pk}", subscription=sub
                )
            )
    status_id = status_notifications.status_of(event)
    for note in status_notes:
        if note.status_id != status_id or note.created_at > event.created_at:
            continue
        if note.send_email:
            rows.append(
                Delivery(
                    **base,
                    kind=DeliveryKind.EMAIL,
                    target=f"notify:{note.pk}:email",
                    notification=note,
                )
            )
        if note.webhook_url:
            rows.append(
                Delivery(
                    **base,
                    kind=DeliveryKind.WEBHOOK,
                    target=f"notify:{note.pk}:webhook",
                    notification=note,
                )
            )
    return rows


def dispatch_events(batch: int = 500) -> int:
    """Create the deliveries for the next committed events. Returns how many events were
    read (0 when the outbox is drained)."""
    OutboxCursor.objects.get_or_create(name=CURSOR_NAME)
    with transaction.atomic():
        # The row lock makes concurrent dispatchers take turns instead of racing.
        cursor = OutboxCursor.objects.select_for_update().get(name=CURSOR_NAME)
        events = list(committed_events(Cursor(cursor.txid, cursor.event_id), batch))
        if not events:
            return 0
        subscriptions = list(WebhookSubscription.objects.filter(active=True))
        status_notes = list(StatusNotification.objects.filter(active=True))
        rows = [
            row for event in events for row in _deliveries_for(event, subscriptions, status_notes)
        ]
        # ignore_conflicts: an event is never delivered twice to one receiver by the dispatcher.
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        last = Cursor.of(events[-1])
        cursor.txid, cursor.event_id = last.txid, last.event_id
        cursor.save(update_fields=["txid", "event_id", "updated_at"])
    log.info("dispatched %d events into %d deliveries", len(events), len(rows))
    return len(events)


# --- 2. delivering -------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: base * 2**(attempts-1), capped."""
    seconds = settings.DELIVERY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.DELIVERY_BACKOFF_MAX_SECONDS))


def _lease() -> timedelta:
    # Longer than any attempt takes; after it, a claimed delivery is due again.
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)


def claim_due(now: datetime, limit: int = 50) -> list[Delivery]:
    """Take up to `limit` due deliveries whose earlier events (same order and receiver) are
    no longer pending, count the attempt and lease them."""
    earlier_pending = Delivery.objects.filter(
        target=OuterRef("target"),
        order_id=OuterRef("order_id"),
        state=DeliveryState.PENDING,
        event_id__lt=OuterRef("event_id"),
    )
    # An order's events have ids in commit order (they are written under the order's row
    # lock), but the outbox is read in (txid, id) order, so on PostgreSQL an order's later
    # event can be dispatched a batch before its earlier one. Wait for that one too.
    cursor = OutboxCursor.objects.filter(name=CURSOR_NAME).first() or OutboxCursor()
    earlier_undispatched = (
        OrderEvent.objects.annotate(seq=Coalesce("txid", Value(0)))
        .filter(order_id=OuterRef("order_id"), id__lt=OuterRef("event_id"))
        .filter(Q(seq__gt=cursor.txid) | Q(seq=cursor.txid, id__gt=cursor.event_id))
    )
    with transaction.atomic():
        due = (
            Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .exclude(Exists(earlier_pending))
            .exclude(Exists(earlier_undispatched))
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        claimed = list(due[:limit])
        for delivery in claimed:
            delivery.attempts += 1
            delivery.next_attempt_at = now + _lease()
        Delivery.objects.bulk_update(claimed, ["attempts", "next_attempt_at"])
    return claimed


def _webhook_body(event: OrderEvent) -> dict:
    return {
        "id": f"evt_{event.pk}",
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "order_id": event.order_id,
        "data": event.payload,
    }


def _attempt(delivery: Delivery) -> webhooks.Outcome:
    """One try at a delivery; the outcome says whether to stop, retry or give up."""
    event = delivery.event
    if delivery.kind == DeliveryKind.EMAIL:
        try:
            status_notifications.send_email(delivery.notification, event)
        except status_notifications.NotificationError as exc:
            return webhooks.Outcome(400, str(exc))  # will not get better: no retry
        except Exception as exc:  # the mail server: may work later
            return webhooks.Outcome(None, f"{type(exc).__name__}: {exc}")
        return webhooks.Outcome(250)  # SMTP "OK": shown as the response code
    if delivery.subscription_id:
        url, secret = delivery.subscription.url, delivery.subscription.secret
    else:
        url, secret = delivery.notification.webhook_url, delivery.notification.webhook_secret
    return webhooks.post_json(url, _webhook_body(event), secret=secret, event_id=f"evt_{event.pk}")


def _finish(delivery: Delivery, outcome: webhooks.Outcome, started: datetime, ms: int, now):
    if delivery.kind == DeliveryKind.EMAIL and outcome.status == 250:
        succeeded, retry = True, False
    else:
        succeeded, retry = outcome.succeeded, outcome.retryable
    DeliveryAttempt.objects.create(
        delivery=delivery,
        # Counted from the log, so numbers go on increasing after a redelivery.
        number=DeliveryAttempt.objects.filter(delivery=delivery).count() + 1,
        started_at=started,
        duration_ms=ms,
        response_code=outcome.status,
        error=outcome.error,
        succeeded=succeeded,
    )
    delivery.last_response_code = outcome.status
    delivery.last_error = outcome.error
    if retry and not succeeded and delivery.attempts < settings.DELIVERY_MAX_ATTEMPTS:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    else:
        delivery.state = DeliveryState.SUCCEEDED if succeeded else DeliveryState.FAILED
        delivery.finished_at, delivery.next_attempt_at = now, None
    fields = ["state", "finished_at", "next_attempt_at", "last_response_code", "last_error"]
    delivery.save(update_fields=fields)


def deliver(delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Try a claimed delivery once and record how it went."""
    started = timezone.now()
    clock = time.monotonic()
    if delivery.attempts > settings.DELIVERY_MAX_ATTEMPTS:
        # Its last attempt never reported back (the worker died): give up as "failed".
        outcome = webhooks.Outcome(None, "no result from the last attempt (worker stopped?)")
        delivery.attempts = settings.DELIVERY_MAX_ATTEMPTS
    else:
        outcome = _attempt(delivery)
    ms = int((time.monotonic() - clock) * 1000)
    _finish(delivery, outcome, started, ms, now or timezone.now())
    return delivery


def deliver_due(now: datetime | None = None, *, max_rounds: int = 100) -> list[Delivery]:
    """Deliver everything due at `now` (default: the current time), including deliveries
    that become due because an earlier one of their order just finished. Returns the
    deliveries tried (a delivery tried twice is listed twice)."""
    tried = []
    for _ in range(max_rounds):
        claimed = claim_due(now or timezone.now())
        if not claimed:
            break
        related = Delivery.objects.select_related(
            "event__order", "subscription", "notification"
        ).in_bulk([d.pk for d in claimed])
        for delivery in claimed:
            full = related[delivery.pk]
            full.attempts = delivery.attempts
            tried.append(deliver(full, now))
    return tried


def run_once(now: datetime | None = None) -> tuple[int, list[Delivery]]:
    """Drain the outbox into deliveries, then deliver what is due: (events read, deliveries
    tried)."""
    events = 0
    while read := dispatch_events():
        events += read
    return events, deliver_due(now)


def redeliver(deliveries) -> int:
    """Send these deliveries again from the first attempt (the admin's "redeliver")."""
    return Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        state=DeliveryState.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        finished_at=None,
    )
