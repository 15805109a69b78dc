"""Exact order counts without counting the orders: the `total` of GET /System/Orders.

COUNT(*) over a million orders reads a million index entries (about 50 ms, more with a
filter the indexes do not cover). PostgreSQL keeps instead, in orders_ordercount
(OrderCount), one +1 row per order inserted and -1/+1 rows when an order's channel,
company, status or closing state changes (-1 when deleted), written by triggers in the
order's own transaction. Rows are only ever inserted, so concurrent writers never wait for
each other, and a count is exact at any moment: it sums the rows its snapshot sees, just
as COUNT(*) counts the orders its snapshot sees. Every 1000th row the trigger merges the
rows into one per key (one statement, so a reader sees the rows before or after, never
half), which keeps the table at about a thousand rows. The triggers are the migration's
(orders/migrations/0017_order_counts.py).

A listing narrowed only by `channel_id`, `company_id`, `status_id`, `done` and `canceled`
is counted here (`order_total`); any other filter counts the orders. On SQLite (tests,
development) there are no triggers and every listing counts its orders. `check_orders`
compares the counters with the orders (`count_problems`); `rebuild()` sets them from the
orders after writes that skip triggers (bench.grow's bulk copy).
"""

from django.db import connection, connections, router, transaction
from django.db.models import Sum

from .models import ClosingState, OrderCount

# The filters of the listing the counters answer (orders/api/filters.py).
COUNTED_FILTERS = frozenset({"channel_id", "company_id", "status_id", "done", "canceled"})
KEY = ("channel_id", "company_id", "status_id", "closing_state")
_COLUMNS = ", ".join(KEY)

# The counters set from the orders; writers wait (SHARE lock) so none is missed or doubled.
REBUILD = f"""
LOCK TABLE orders_order IN SHARE MODE;
DELETE FROM orders_ordercount;
INSERT INTO orders_ordercount ({_COLUMNS}, orders)
SELECT {_COLUMNS}, COUNT(*) FROM orders_order GROUP BY {_COLUMNS};
"""

# Keys whose counter differs from the orders, in one statement (one snapshot).
DIFFERENCES = f"""
SELECT {_COLUMNS}, SUM(real), SUM(kept) FROM (
    SELECT {_COLUMNS}, COUNT(*) AS real, 0 AS kept FROM orders_order GROUP BY {_COLUMNS}
    UNION ALL
    SELECT {_COLUMNS}, 0, SUM(orders) FROM orders_ordercount GROUP BY {_COLUMNS}
) AS both_sides
GROUP BY {_COLUMNS} HAVING SUM(real) <> SUM(kept)
ORDER BY {_COLUMNS}
"""


def kept() -> bool:
    """Whether the database the counts are read from keeps the counters (PostgreSQL,
    where the migration made the triggers)."""
    return connections[router.db_for_read(OrderCount)].vendor == "postgresql"


def order_total(
    *,
    channel_id: int | None = None,
    company_id: int | None = None,
    status_id: int | None = None,
    done: bool | None = None,
    canceled: bool | None = None,
) -> int:
    """The number of orders with these values (None: any), from the counters. The same
    conditions as the listing's filters (orders/api/filters.py) on the counters' columns."""
    counters = OrderCount.objects.all()
    for name, value in (
        ("channel_id", channel_id),
        ("company_id", company_id),
        ("status_id", status_id),
    ):
        if value is not None:
            counters = counters.filter(**{name: value})
    for state, value in ((ClosingState.DONE, done), (ClosingState.CANCELED, canceled)):
        if value is not None:
            condition = {"closing_state": state}
            counters = counters.filter(**condition) if value else counters.exclude(**condition)
    return counters.aggregate(total=Sum("orders"))["total"] or 0


def rebuild() -> None:
    """Set the counters from the orders (PostgreSQL; in a transaction of its own)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REBUILD)


def count_problems() -> list[str]:
    """Where the counters differ from the orders (nothing on SQLite, which keeps none)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(DIFFERENCES)
        rows = cursor.fetchall()
    return [
        f"Order counters: channel {channel}, company {company}, status {status}, "
        f"{state}: {real} orders, the counters say {counted}"
        for channel, company, status, state, real, counted in rows
    ]
