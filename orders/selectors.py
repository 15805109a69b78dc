"""Reads shared by the API, the admin and the commands: one efficient query shape."""

from django.db.models import Prefetch, QuerySet

from statuses.models import OrderStatus

from .models import (
    HistoryRecord,
    Order,
    OrderItem,
    Payment,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Shipment,
    ShipmentLine,
    Tracking,
)

RELATED = ("customer", "company", "channel", "status", "shipping", "payment")
# An expanded shipping or payment shows its channel's currency.
RELATED_OF_RELATED = ("shipping__channel", "payment__channel")
# The order discount (one or none), shown on every Order answer.
DISCOUNT = "discount"


def orders_with_details() -> QuerySet[Order]:
    """Orders with everything an Order answer shows, in a fixed number of queries."""
    return Order.objects.select_related(*RELATED, *RELATED_OF_RELATED, DISCOUNT).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        Prefetch("trackings", queryset=Tracking.objects.select_related("shipper").order_by("id")),
    )


def order_history(order_id: int) -> QuerySet[HistoryRecord]:
    """The order's timeline, newest first."""
    return HistoryRecord.objects.filter(order_id=order_id).select_related("user", "api_key")


def orders_for_listing() -> QuerySet[Order]:
    """Orders in the API's stable listing order: newest date_order first, ties by id."""
    return orders_with_details().order_by("-date_order", "-id")


def order_with_details(order_id: int) -> Order | None:
    """One order with everything an Order answer shows, or None."""
    return orders_with_details().filter(pk=order_id).first()


# An Order answer with related objects as links (not `expanded`) shows only these joined
# rows: the links need just the ids the order row holds; the channel gives the language
# the `*_word` amounts are written in (orders.language.order_language).
ANSWER_RELATED = ("status", "channel", DISCOUNT)


def order_as_answered(order_id: int, *, expanded: bool) -> Order | None:
    """One order with exactly what its Order answer shows (the same answer as from
    order_with_details, read with 2 joins instead of 9 when not `expanded`), or None."""
    if expanded:
        return order_with_details(order_id)
    return (
        Order.objects.select_related(*ANSWER_RELATED)
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("id")),
            Prefetch(
                "trackings", queryset=Tracking.objects.select_related("shipper").order_by("id")
            ),
        )
        .filter(pk=order_id)
        .first()
    )


def order_statuses() -> QuerySet[OrderStatus]:
    """The instance's statuses in their display order."""
    return OrderStatus.objects.order_by("sort", "id")


def order_payments(order_id: int) -> QuerySet[Payment]:
    """The order's payments ledger, oldest first (payments, corrections, refunds)."""
    return (
        Payment.objects.filter(order_id=order_id)
        .select_related("method", "user", "api_key")
        .order_by("created_at", "id")
    )


def order_refunds(order_id: int) -> QuerySet[Refund]:
    """The order's refunds, oldest first, with their lines and ledger records."""
    return (
        Refund.objects.filter(order_id=order_id)
        .select_related("payment", "user", "api_key", "goods_return")
        .prefetch_related(
            Prefetch("lines", queryset=RefundLine.objects.select_related("item").order_by("id"))
        )
        .order_by("created_at", "id")
    )


def order_shipments(order_id: int) -> QuerySet[Shipment]:
    """The order's parcels, oldest first, with their lines (and items) and tracking
    numbers: three queries however many parcels."""
    return (
        Shipment.objects.filter(order_id=order_id)
        .select_related("tracking__shipper")
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("item").order_by("id"))
        )
        .order_by("id")
    )


def order_returns(order_id: int) -> QuerySet[Return]:
    """The order's returns, oldest first, with their lines and refunds."""
    return (
        Return.objects.filter(order_id=order_id)
        .select_related("order", "refund")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("item").order_by("id"))
        )
        .order_by("id")
    )
