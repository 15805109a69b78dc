"""Closing finished orders: delivered, fully paid (a refund after that, a return say, does
not keep an order open) and still open after a grace period."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from . import services
from .actors import Actor
from .errors import OrderError
from .models import ClosingState, Order, PaymentState, ShippingState

# Paid in full, and maybe refunded since: nothing is owed any more.
SETTLED = (PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED)


def orders_to_close(*, delivered_before: datetime) -> QuerySet[Order]:
    """Open orders, delivered before the given moment and paid in full (refunded in part or
    in full since: returns), oldest id first."""
    return Order.objects.filter(
        closing_state=ClosingState.OPEN,
        shipping_state=ShippingState.DELIVERED,
        payment_state__in=SETTLED,
        # Nothing owed: a refund after a part payment leaves the rest owed.
        money__lte=F("paid") + F("refunded"),
        date_delivered__lt=delivered_before,
    ).order_by("pk")


def delivered_cutoff(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@dataclass(frozen=True)
class CloseOutcome:
    order_id: int
    closed: bool
    reason: str = ""


def close_delivered_orders(
    *, delivered_before: datetime, actor: Actor, chunk_size: int = 1000
) -> Iterator[CloseOutcome]:
    """Mark done each order `orders_to_close` selects, one transaction per order.

    Ids are read in chunks; each order is then locked and checked again, so one that
    changed meanwhile (refunded, canceled) is left alone.
    """
    last_id = 0
    while True:
        chunk = list(
            orders_to_close(delivered_before=delivered_before)
            .filter(pk__gt=last_id)
            .values_list("pk", flat=True)[:chunk_size]
        )
        for order_id in chunk:
            yield _close_one(order_id, delivered_before=delivered_before, actor=actor)
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1]


def _close_one(order_id: int, *, delivered_before: datetime, actor: Actor) -> CloseOutcome:
    try:
        with transaction.atomic():
            eligible = orders_to_close(delivered_before=delivered_before).filter(pk=order_id)
            if not eligible.select_for_update().exists():
                return CloseOutcome(order_id, False, "changed since it was selected")
            services.order_mark_done(order_id=order_id, actor=actor)
    except OrderError as error:
        return CloseOutcome(order_id, False, error.message)
    return CloseOutcome(order_id, True)
