"""Keeping the outbox from growing forever: old events that every receiver is done with go.

An event may be deleted when it is older than the retention period, the dispatcher has
read it (it is behind the delivery cursor), and none of its deliveries is still pending.
Its deliveries and their attempt log go with it. The change feed cannot serve a deleted
event, so the period is how far back an integrator may catch up.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from orders.models import OrderEvent

from .delivery import CURSOR_NAME
from .models import Delivery, DeliveryState, OutboxCursor


def purgeable_events(*, before: datetime) -> QuerySet[OrderEvent]:
    cursor = OutboxCursor.objects.filter(name=CURSOR_NAME).first()
    if cursor is None:  # nothing dispatched yet: nothing is safe to delete
        return OrderEvent.objects.none()
    pending = Delivery.objects.filter(event=OuterRef("pk"), state=DeliveryState.PENDING)
    dispatched = Q(seq__lt=cursor.txid) | Q(seq=cursor.txid, id__lte=cursor.event_id)
    return (
        OrderEvent.objects.annotate(seq=Coalesce("txid", Value(0)))
        .filter(dispatched, created_at__lt=before)
        .exclude(Exists(pending))
    )


def purge_events(*, before: datetime, batch: int = 1000, progress=None) -> int:
    """Delete purgeable events in batches (one transaction each); returns how many."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                purgeable_events(before=before).order_by("id").values_list("id", flat=True)[:batch]
            )
            if not ids:
                return deleted
            OrderEvent.objects.filter(id__in=ids).delete()
        deleted += len(ids)
        if progress:
            progress(len(ids))
