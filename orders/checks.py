"""Checking the orders' invariants: what the services keep true, verified on the stored rows.

Read in chunks by id; per chunk one query for the orders, one aggregate over their items
(the sums are computed by the database) and one for their "created" history records, so
a big table is checked in bounded memory with three queries per chunk.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from .models import (
    ClosingState,
    HistoryRecord,
    Order,
    OrderItem,
    PaymentState,
    ShippingState,
    payment_state_for,
)
from .money import round_money

CHUNK_SIZE = 2000
ZERO = Decimal("0")
WEIGHT_UNIT = Decimal("0.001")

COLUMNS = (
    "pk",
    "order_currency_code",
    "money",
    "money_base",
    "weight",
    "paid",
    "refunded",
    "date_paid",
    "payment_state",
    "shipping_state",
    "closing_state",
    "date_sent",
    "date_delivered",
    "date_done",
    "date_canceled",
)


@dataclass(frozen=True)
class Problem:
    order_id: int
    what: str

    def __str__(self) -> str:
        return f"Order {self.order_id}: {self.what}"


def _line_sum(price_field: str) -> Sum:
    return Sum(
        ExpressionWrapper(
            F(price_field) * F("count"),
            output_field=DecimalField(max_digits=20, decimal_places=4),
        )
    )


def _item_totals(first_id: int, last_id: int) -> dict[int, dict]:
    rows = (
        OrderItem.objects.filter(order_id__gte=first_id, order_id__lte=last_id)
        .order_by()
        .values("order_id")
        .annotate(
            money=_line_sum("unit_price_final"),
            money_base=_line_sum("unit_price_base"),
            weight=_line_sum("weight"),
        )
    )
    return {row["order_id"]: row for row in rows}


def _orders_with_created_record(first_id: int, last_id: int) -> set[int]:
    return set(
        HistoryRecord.objects.filter(order_id__gte=first_id, order_id__lte=last_id, type="created")
        .order_by()
        .values_list("order_id", flat=True)
        .distinct()
    )


def check_orders(
    *, chunk_size: int = CHUNK_SIZE, progress: Callable[[int], None] | None = None
) -> Iterator[Problem]:
    """Yield every broken invariant of every order, by ascending order id."""
    last_id = 0
    while True:
        rows = list(
            Order.objects.filter(pk__gt=last_id).order_by("pk").values(*COLUMNS)[:chunk_size]
        )
        if not rows:
            return
        first_id, last_id = rows[0]["pk"], rows[-1]["pk"]
        totals = _item_totals(first_id, last_id)
        created = _orders_with_created_record(first_id, last_id)
        for row in rows:
            yield from order_problems(row, totals.get(row["pk"]), row["pk"] in created)
        if progress:
            progress(len(rows))
        if len(rows) < chunk_size:
            return


def order_problems(row: dict, totals: dict | None, has_created_record: bool) -> Iterator[Problem]:
    """The invariants of one order (a `COLUMNS` row) against its items' sums."""
    order_id, currency = row["pk"], row["order_currency_code"]

    def problem(what: str) -> Problem:
        return Problem(order_id, what)

    totals = totals or {}
    for field in ("money", "money_base"):
        expected = round_money(totals.get(field) or ZERO, currency)
        if row[field] != expected:
            stored = round_money(row[field], currency)
            yield problem(f"{field} is {stored} but its items add up to {expected}")
    weight = (totals.get("weight") or ZERO).quantize(WEIGHT_UNIT)
    if row["weight"] != weight:
        yield problem(f"weight is {row['weight']} kg but its items weigh {weight} kg")

    yield from _payment_problems(row, problem)
    yield from _state_problems(row, problem)
    if not has_created_record:
        yield problem('has no history record of type "created"')


def _payment_problems(row: dict, problem) -> Iterator[Problem]:
    state, paid, money = row["payment_state"], row["paid"], row["money"]
    expected = payment_state_for(SimpleNamespace(paid=paid, money=money, refunded=row["refunded"]))
    # Nothing to pay and nothing paid: unpaid is accepted too (orders created empty before
    # order_create settled the payment state kept it).
    unsettled_empty = state == PaymentState.UNPAID and money == ZERO and paid == ZERO
    if state != expected and not unsettled_empty:
        yield problem(f"payment state is {state} but paid {paid} of {money} means {expected}")
    if paid > ZERO and row["date_paid"] is None:
        yield problem(f"paid {paid} but has no date_paid")
    if paid == ZERO and row["date_paid"] is not None:
        yield problem("has a date_paid but nothing paid")


# state field -> {state: the date fields that must be set}; dates not listed must be empty.
_DATES = {
    "shipping_state": (
        {
            ShippingState.PENDING: (),
            ShippingState.SENT: ("date_sent",),
            ShippingState.DELIVERED: ("date_sent", "date_delivered"),
        },
        ("date_sent", "date_delivered"),
    ),
    "closing_state": (
        {
            ClosingState.OPEN: (),
            ClosingState.DONE: ("date_done",),
            ClosingState.CANCELED: ("date_canceled",),
        },
        ("date_done", "date_canceled"),
    ),
}


def _state_problems(row: dict, problem) -> Iterator[Problem]:
    if row["payment_state"] not in PaymentState.values:
        yield problem(f"unknown payment state {row['payment_state']!r}")
    for field, (required_dates, all_dates) in _DATES.items():
        state = row[field]
        if state not in required_dates:
            yield problem(f"unknown {field.replace('_', ' ')} {state!r}")
            continue
        for date_field in all_dates:
            must_be_set = date_field in required_dates[state]
            if must_be_set and row[date_field] is None:
                yield problem(f"is {state} but has no {date_field}")
            elif not must_be_set and row[date_field] is not None:
                yield problem(f"is {state} but has a {date_field}")
