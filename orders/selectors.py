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

# What every Order answer shows beyond the order's own columns: its status, its discount
# (one or none), and its channel's language (the `*_word` amounts are written in it:
# orders.language.order_language). The other related objects are links made from ids.
ANSWER_RELATED = ("status", "channel", "discount")
# What `expanded` adds: the related objects themselves; an expanded shipping or payment
# shows its channel's currency.
EXPANDED_RELATED = (
    "customer",
    "company",
    "shipping",
    "payment",
    "shipping__channel",
    "payment__channel",
)
# The API's listing order (the index order_date_order_idx): newest first, ties by id.
LISTING_ORDER = ("-date_order", "-id")


def orders_for_answer(*, expanded: bool) -> QuerySet[Order]:
    """Orders with what an Order answer shows, in a fixed number of queries. Only the
    tables the answer reads are joined: planning a join of eight tables costs PostgreSQL
    more than running it for one order."""
    related = ANSWER_RELATED + EXPANDED_RELATED if expanded else ANSWER_RELATED
    return Order.objects.select_related(*related).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        Prefetch("trackings", queryset=Tracking.objects.select_related("shipper").order_by("id")),
    )


def orders_with_details() -> QuerySet[Order]:
    """Orders with everything an expanded Order answer shows (exports, the order page)."""
    return orders_for_answer(expanded=True)


def order_history(order_id: int) -> QuerySet[HistoryRecord]:
    """The order's timeline, newest first."""
    return HistoryRecord.objects.filter(order_id=order_id).select_related("user", "api_key")


def orders_for_listing() -> QuerySet[Order]:
    """Orders in the API's stable listing order (newest date_order first, ties by id),
    without joins: what the filters narrow and the count counts. `orders_page` reads a
    page of them for the answer."""
    return Order.objects.order_by(*LISTING_ORDER)


def orders_page(listing: QuerySet[Order], start: int, stop: int, *, expanded: bool) -> list[Order]:
    """The orders `listing[start:stop]` for the answer, ids first: one statement whose
    subquery takes the page's ids in the listing's order from the indexes alone, then
    joins only those rows (an OFFSET deep in the listing skips ids, not joined rows)."""
    ids = listing.order_by(*LISTING_ORDER).values("pk")[start:stop]
    return list(orders_for_answer(expanded=expanded).filter(pk__in=ids).order_by(*LISTING_ORDER))


def order_with_details(order_id: int, *, expanded: bool = True) -> Order | None:
    """One order with what its answer shows (`expanded`: the related objects too), or None."""
    return orders_for_answer(expanded=expanded).filter(pk=order_id).first()


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
