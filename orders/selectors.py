"""Reads shared by the API, the admin and the commands: one efficient query shape."""

from django.db.models import Prefetch, QuerySet

from statuses.models import OrderStatus

from .compiled import CompiledQuery, prefetched, read_together
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
# Timestamps an API answer does not show, left out of its reads: psycopg and Django load
# each timestamp in Python (a few microseconds each; a page had a thousand of them).
ANSWER_UNREAD = {
    "order": (
        "date_sent",
        "date_delivered",
        "date_done",
        "date_canceled",
        "created_at",
        "updated_at",
        "discount__created_at",
    ),
    "line": ("created_at",),
}
# The API's listing order (the index order_date_order_idx): newest first, ties by id.
LISTING_ORDER = ("-date_order", "-id")


def answer_related(*, expanded: bool) -> tuple[str, ...]:
    return ANSWER_RELATED + EXPANDED_RELATED if expanded else ANSWER_RELATED


def answer_lines() -> dict[str, QuerySet]:
    """The items and the tracking numbers an Order answer lists, in their order, by the
    order's relation that holds them."""
    return {
        "items": OrderItem.objects.order_by("id"),
        "trackings": Tracking.objects.select_related("shipper").order_by("id"),
    }


def orders_for_answer(*, expanded: bool) -> QuerySet[Order]:
    """Orders with what an Order answer shows, in a fixed number of queries. Only the
    tables the answer reads are joined: planning a join of eight tables costs PostgreSQL
    more than running it for one order."""
    related = answer_related(expanded=expanded)
    lines = [Prefetch(name, queryset=rows) for name, rows in answer_lines().items()]
    return Order.objects.select_related(*related).prefetch_related(*lines)


def _answer_read(expanded: bool) -> CompiledQuery:
    related = answer_related(expanded=expanded)
    rows = Order.objects.select_related(*related).defer(*ANSWER_UNREAD["order"]).order_by()
    return CompiledQuery(Order, lambda ids: rows.filter(pk__in=ids))


# The API's reads of orders for their answer (plain and expanded) and of their lines, by
# the orders' ids, compiled once (orders/compiled.py).
_ANSWER_READS = {expanded: _answer_read(expanded) for expanded in (False, True)}
_LINE_READS = {
    name: CompiledQuery(
        rows.model,
        lambda ids, rows=rows: rows.defer(*ANSWER_UNREAD["line"]).filter(order_id__in=ids),
    )
    for name, rows in answer_lines().items()
}


def orders_by_ids(order_ids: list[int], *, expanded: bool) -> list[Order]:
    """The orders of `order_ids`, in that order (an id no order has is left out), with what
    their answer shows (`expanded`: the related objects too), as `orders_for_answer`
    leaves them: `order.items.all()` reads no more.

    The orders, their items and their tracking numbers are three statements sent in one
    round trip on PostgreSQL (compiled.read_together). The orders are read by id, not by
    the filter that found the ids: joined to the filter's subquery, planning the statement
    took PostgreSQL six times longer than running it (0.63 ms for a tracking number)."""
    if not order_ids:
        return []
    found, *lines = read_together(
        _ANSWER_READS[expanded].bind(order_ids),
        *(read.bind(order_ids) for read in _LINE_READS.values()),
    )
    by_id = {order.pk: order for order in found}
    for order in found:
        order._prefetched_objects_cache = {}
    for (name, read), rows in zip(_LINE_READS.items(), lines, strict=True):
        of_order = {pk: [] for pk in by_id}
        for row in rows:
            if row.order_id in by_id:  # else its order went between the two statements
                read.model.order.field.set_cached_value(row, by_id[row.order_id])
                of_order[row.order_id].append(row)
        for pk, its_rows in of_order.items():
            by_id[pk]._prefetched_objects_cache[name] = prefetched(read.model, its_rows)
    return [by_id[pk] for pk in order_ids if pk in by_id]


def orders_with_details() -> QuerySet[Order]:
    """Orders with everything an expanded Order answer shows (exports, the order page)."""
    return orders_for_answer(expanded=True)


def order_history(order_id: int) -> QuerySet[HistoryRecord]:
    """The order's timeline, newest first."""
    return HistoryRecord.objects.filter(order_id=order_id).select_related("user", "api_key")


def orders_for_listing() -> QuerySet[Order]:
    """Orders in the API's stable listing order (newest date_order first, ties by id),
    without joins: what the filters narrow and the count counts. `page_ids` and
    `orders_by_ids` read a page of them for the answer."""
    return Order.objects.order_by(*LISTING_ORDER)


def page_ids(listing: QuerySet[Order], start: int, stop: int) -> list[int]:
    """The ids of `listing[start:stop]` in the listing's order, from the indexes alone: an
    OFFSET deep in the listing skips ids, not joined rows."""
    return list(listing.order_by(*LISTING_ORDER).values_list("pk", flat=True)[start:stop])


def order_with_details(order_id: int, *, expanded: bool = True) -> Order | None:
    """One order with what its answer shows (`expanded`: the related objects too), or None."""
    found = orders_by_ids([order_id], expanded=expanded)
    return found[0] if found else None


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
