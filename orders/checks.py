"""Checking the orders' invariants: what the services keep true, verified on the stored rows.

Read in chunks by id; per chunk one query for the orders and one per related table, each
an aggregate computed by the database (lines by kind and VAT rate, payments by kind and
status, refunds, discounts, "created" history records, parcel units by parcel state, the
lines whose shipped_count its parcels contradict, empty parcels, returned counts, return
lines, delivered parcel lines, returns and their refunds), so a big table is checked in
bounded memory with thirteen queries per chunk.

The invariants:
- money and money_base are the sums of all lines (goods + fees - discounts), weight of
  the goods; each VAT rate's lines come to a whole amount of the currency and to no less
  than 0 (a discount never takes a rate below zero), and the rates add up to money;
- the discount lines are what the order's discount makes of its goods (none without
  one); a fee line belongs to a method the order has;
- paid is the sum of the successful payment records, refunded the sum of the refunds
  (also of the refund rows), and never more was refunded than was paid in;
- the payment state is what paid, refunded and money say; date_paid is set once money
  came in; the shipping and closing states agree with their dates;
- each line's shipped_count is the units of it in parcels not returned to sender, never
  more than its count, and only products are in parcels; no parcel is empty; the shipping
  state of an order with products is what its parcels say (models.shipping_state_of);
- every order has its "created" history record;
- returns: each item's returned_count is the sum of the lines of its returns that are
  not rejected, and never more than the units of it in delivered parcels; a refunded
  return has its refund, and a return that is not refunded has none.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import (
    FEE_KINDS,
    ClosingState,
    HistoryRecord,
    ItemKind,
    Order,
    OrderDiscount,
    OrderItem,
    Payment,
    PaymentKind,
    PaymentState,
    PaymentStatus,
    Refund,
    Return,
    ReturnLine,
    ReturnState,
    Shipment,
    ShipmentLine,
    ShipmentState,
    ShippingState,
    payment_state_for,
    shipping_state_of,
)
from .money import round_money
from .totals import discount_amount

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
    "shipping_id",
    "payment_id",
)


@dataclass(frozen=True)
class Problem:
    order_id: int
    what: str

    def __str__(self) -> str:
        return f"Order {self.order_id}: {self.what}"


@dataclass
class Facts:
    """One order's related sums, as the database computed them."""

    # (kind, vat) -> {"money", "money_base", "weight"}
    lines: dict = field(default_factory=dict)
    # (kind, status) -> sum of amounts
    payments: dict = field(default_factory=dict)
    refunds_total: Decimal = ZERO
    discount: dict | None = None
    has_created_record: bool = False
    # shipment state -> units of the order's lines in parcels of that state
    parcel_units: dict = field(default_factory=dict)
    # the lines whose shipped_count is off: {"id", "kind", "count", "shipped_count", "in_parcels"}
    bad_lines: list = field(default_factory=list)
    empty_parcels: list = field(default_factory=list)
    # item id -> units: as stored (returned_count, where not 0), in returns that are not
    # rejected, in delivered parcels
    returned_counts: dict = field(default_factory=dict)
    in_returns: dict = field(default_factory=dict)
    delivered: dict = field(default_factory=dict)
    # (return id, state, has a refund) of returns whose refund does not fit their state
    odd_returns: list = field(default_factory=list)


def _line_sum(price_field: str) -> Sum:
    return Sum(
        ExpressionWrapper(
            F(price_field) * F("count"),
            output_field=DecimalField(max_digits=20, decimal_places=4),
        )
    )


def _in_chunk(model, first_id: int, last_id: int):
    return model.objects.filter(order_id__gte=first_id, order_id__lte=last_id).order_by()


def _chunk_facts(first_id: int, last_id: int) -> dict[int, Facts]:
    facts = defaultdict(Facts)
    lines = (
        _in_chunk(OrderItem, first_id, last_id)
        .values("order_id", "kind", "vat")
        .annotate(
            money=_line_sum("unit_price_final"),
            money_base=_line_sum("unit_price_base"),
            weight=_line_sum("weight"),
            units=Sum("count"),
        )
    )
    for row in lines:
        facts[row["order_id"]].lines[(row["kind"], row["vat"])] = row
    payments = (
        _in_chunk(Payment, first_id, last_id)
        .values("order_id", "kind", "status")
        .annotate(amount=Sum("amount"))
    )
    for row in payments:
        facts[row["order_id"]].payments[(row["kind"], row["status"])] = row["amount"]
    refunds = _in_chunk(Refund, first_id, last_id).values("order_id").annotate(total=Sum("amount"))
    for row in refunds:
        facts[row["order_id"]].refunds_total = row["total"]
    for row in _in_chunk(OrderDiscount, first_id, last_id).values("order_id", "type", "value"):
        facts[row["order_id"]].discount = row
    created = (
        _in_chunk(HistoryRecord, first_id, last_id)
        .filter(type="created")
        .values_list("order_id", flat=True)
        .distinct()
    )
    for order_id in created:
        facts[order_id].has_created_record = True
    _parcel_facts(facts, first_id, last_id)
    _return_facts(facts, first_id, last_id)
    return facts


def _parcel_facts(facts, first_id: int, last_id: int) -> None:
    units = (
        ShipmentLine.objects.filter(
            shipment__order_id__gte=first_id, shipment__order_id__lte=last_id
        )
        .values("shipment__order_id", "shipment__state")
        .annotate(units=Sum("count"))
        .order_by()
    )
    for row in units:
        facts[row["shipment__order_id"]].parcel_units[row["shipment__state"]] = row["units"]
    # Only the lines that are off come back: the database compares.
    in_parcels = Coalesce(
        Sum(
            "shipment_lines__count",
            filter=~Q(shipment_lines__shipment__state=ShipmentState.RETURNED),
        ),
        Value(0),
    )
    bad_lines = (
        _in_chunk(OrderItem, first_id, last_id)
        .annotate(in_parcels=in_parcels)
        .filter(
            ~Q(shipped_count=F("in_parcels"))
            | Q(shipped_count__gt=F("count"))
            | (~Q(kind=ItemKind.PRODUCT) & Q(in_parcels__gt=0))
        )
        .values("order_id", "id", "kind", "count", "shipped_count", "in_parcels")
    )
    for row in bad_lines:
        facts[row["order_id"]].bad_lines.append(row)
    empty = (
        _in_chunk(Shipment, first_id, last_id)
        .annotate(lines_count=Count("lines"))
        .filter(lines_count=0)
        .values_list("order_id", "id")
    )
    for order_id, shipment_id in empty:
        facts[order_id].empty_parcels.append(shipment_id)


def _return_facts(facts: dict, first_id: int, last_id: int) -> None:
    counted = _in_chunk(OrderItem, first_id, last_id).filter(returned_count__gt=0)
    for row in counted.values("order_id", "pk", "returned_count"):
        facts[row["order_id"]].returned_counts[row["pk"]] = row["returned_count"]
    in_chunk = {"order_id__gte": first_id, "order_id__lte": last_id}
    lines = (
        ReturnLine.objects.filter(**{f"goods_return__{k}": v for k, v in in_chunk.items()})
        .exclude(goods_return__state=ReturnState.REJECTED)
        .values("goods_return__order_id", "item_id")
        .annotate(units=Sum("count"))
        .order_by()
    )
    for row in lines:
        facts[row["goods_return__order_id"]].in_returns[row["item_id"]] = row["units"]
    parcels = (
        ShipmentLine.objects.filter(**{f"shipment__{k}": v for k, v in in_chunk.items()})
        .filter(shipment__state=ShipmentState.DELIVERED)
        .values("shipment__order_id", "item_id")
        .annotate(units=Sum("count"))
        .order_by()
    )
    for row in parcels:
        facts[row["shipment__order_id"]].delivered[row["item_id"]] = row["units"]
    refunded = Q(state=ReturnState.REFUNDED)
    odd = _in_chunk(Return, first_id, last_id).filter(
        (refunded & Q(refund__isnull=True)) | (~refunded & Q(refund__isnull=False))
    )
    for row in odd.values("order_id", "pk", "state", "refund_id"):
        facts[row["order_id"]].odd_returns.append(
            (row["pk"], row["state"], row["refund_id"] is not None)
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
        facts = _chunk_facts(first_id, last_id)
        for row in rows:
            yield from order_problems(row, facts.get(row["pk"]) or Facts())
        if progress:
            progress(len(rows))
        if len(rows) < chunk_size:
            return


def order_problems(row: dict, facts: Facts) -> Iterator[Problem]:
    """The invariants of one order (a `COLUMNS` row) against its related sums."""
    order_id = row["pk"]

    def problem(what: str) -> Problem:
        return Problem(order_id, what)

    yield from _line_problems(row, facts, problem)
    yield from _discount_problems(row, facts, problem)
    yield from _ledger_problems(row, facts, problem)
    yield from _payment_problems(row, problem)
    yield from _state_problems(row, problem)
    yield from _parcel_problems(row, facts, problem)
    yield from _return_problems(facts, problem)
    if not facts.has_created_record:
        yield problem('has no history record of type "created"')


def _line_problems(row: dict, facts: Facts, problem) -> Iterator[Problem]:
    currency = row["order_currency_code"]
    sums = {"money": ZERO, "money_base": ZERO}
    weight = ZERO
    by_rate = defaultdict(lambda: [ZERO, ZERO])
    for (kind, vat), line in facts.lines.items():
        sums["money"] += line["money"] or ZERO
        sums["money_base"] += line["money_base"] or ZERO
        by_rate[vat][0] += line["money"] or ZERO
        by_rate[vat][1] += line["money_base"] or ZERO
        if kind == ItemKind.PRODUCT:
            weight += line["weight"] or ZERO
    money_right = True
    for name in ("money", "money_base"):
        expected = round_money(sums[name], currency)
        if row[name] != expected:
            money_right = False
            stored = round_money(row[name], currency)
            yield problem(f"{name} is {stored} but its items add up to {expected}")
    weight = weight.quantize(WEIGHT_UNIT)
    if row["weight"] != weight:
        yield problem(f"weight is {row['weight']} kg but its items weigh {weight} kg")

    # The VAT recap, as the invoice prints it: per rate, whole amounts, none below zero.
    recap = ZERO
    for vat in sorted(by_rate, reverse=True):
        total, base = by_rate[vat]
        rate = f"{vat.normalize():f} %"
        if round_money(total, currency) != total or round_money(base, currency) != base:
            yield problem(
                f"lines at {rate} VAT come to {total.normalize():f}, finer than {currency} allows"
            )
        if total < ZERO or total - base < ZERO:
            yield problem(f"lines at {rate} VAT come to {round_money(total, currency)} below 0")
        recap += round_money(total, currency)
    if money_right and recap != row["money"]:
        yield problem(f"VAT by rate adds up to {recap}, not money {row['money']}")

    for kind in FEE_KINDS:
        relation = "shipping" if kind == ItemKind.SHIPPING else "payment"
        has_line = any(k == kind for k, _ in facts.lines)
        if has_line and row[f"{relation}_id"] is None:
            yield problem(f"has a {relation} fee line but no {relation} method")


def _discount_problems(row: dict, facts: Facts, problem) -> Iterator[Problem]:
    currency = row["order_currency_code"]
    goods = sum(
        (line["money"] for (kind, _), line in facts.lines.items() if kind == ItemKind.PRODUCT),
        ZERO,
    )
    lines = -sum(
        (line["money"] for (kind, _), line in facts.lines.items() if kind == ItemKind.DISCOUNT),
        ZERO,
    )
    discount = facts.discount
    if discount is None:
        if lines:
            yield problem(f"has discount lines of {round_money(-lines, currency)} but no discount")
        return
    expected = discount_amount(
        type=discount["type"], value=discount["value"], goods_total=goods, currency=currency
    )
    if lines != expected:
        size = (
            f"{discount['value'].normalize():f} %"
            if discount["type"] == "percent"
            else f"{round_money(discount['value'], currency)} {currency}"
        )
        yield problem(
            f"discount lines add up to {round_money(-lines, currency)} but a {size} discount "
            f"of {round_money(goods, currency)} is {-expected}"
        )


def _ledger_problems(row: dict, facts: Facts, problem) -> Iterator[Problem]:
    currency = row["order_currency_code"]
    counted = {
        kind: amount
        for (kind, status), amount in facts.payments.items()
        if status == PaymentStatus.SUCCESS
    }
    paid = sum(counted.values(), ZERO)
    refunded = -counted.get(PaymentKind.REFUND, ZERO)
    paid_in = paid + refunded
    if row["paid"] != paid:
        stored = round_money(row["paid"], currency)
        yield problem(f"paid is {stored} but its payments add up to {round_money(paid, currency)}")
    if row["refunded"] != refunded:
        stored = round_money(row["refunded"], currency)
        yield problem(
            f"refunded is {stored} but its refund payments add up to "
            f"{round_money(refunded, currency)}"
        )
    if facts.refunds_total != refunded:
        yield problem(
            f"its refunds add up to {round_money(facts.refunds_total, currency)} but its refund "
            f"payments to {round_money(refunded, currency)}"
        )
    if refunded > paid_in:
        yield problem(
            f"refunded {round_money(refunded, currency)} of only "
            f"{round_money(paid_in, currency)} paid in"
        )


def _payment_problems(row: dict, problem) -> Iterator[Problem]:
    state, paid, money, refunded = (
        row["payment_state"],
        row["paid"],
        row["money"],
        row["refunded"],
    )
    expected = payment_state_for(SimpleNamespace(paid=paid, money=money, refunded=refunded))
    # Nothing to pay and nothing paid: unpaid is accepted too (orders created empty before
    # order_create settled the payment state kept it).
    unsettled_empty = state == PaymentState.UNPAID and money == ZERO and paid == ZERO
    if state != expected and not unsettled_empty:
        yield problem(f"payment state is {state} but paid {paid} of {money} means {expected}")
    # date_paid: when money last came in; empty only while nothing ever did.
    if paid + refunded > ZERO and row["date_paid"] is None:
        yield problem(f"paid {paid} but has no date_paid")
    if paid + refunded == ZERO and row["date_paid"] is not None:
        yield problem("has a date_paid but nothing paid")


# state field -> {state: the date fields that must be set}; dates not listed must be empty.
_DATES = {
    "shipping_state": (
        {
            ShippingState.PENDING: (),
            ShippingState.PARTIALLY_SENT: (),
            ShippingState.SENT: ("date_sent",),
            ShippingState.PARTIALLY_DELIVERED: ("date_sent",),
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
    for state_field, (required_dates, all_dates) in _DATES.items():
        state = row[state_field]
        if state not in required_dates:
            yield problem(f"unknown {state_field.replace('_', ' ')} {state!r}")
            continue
        for date_field in all_dates:
            must_be_set = date_field in required_dates[state]
            if must_be_set and row[date_field] is None:
                yield problem(f"is {state} but has no {date_field}")
            elif not must_be_set and row[date_field] is not None:
                yield problem(f"is {state} but has a {date_field}")


def _parcel_problems(row: dict, facts: Facts, problem) -> Iterator[Problem]:
    for line in facts.bad_lines:
        item = f"item {line['id']}"
        if line["kind"] != ItemKind.PRODUCT and line["in_parcels"]:
            yield problem(f"{item} is a {line['kind']} line but in parcels")
        if line["shipped_count"] > line["count"]:
            yield problem(
                f"{item} has shipped_count {line['shipped_count']} of only {line['count']}"
            )
        if line["shipped_count"] != line["in_parcels"]:
            yield problem(
                f"{item} has shipped_count {line['shipped_count']} but its parcels not "
                f"returned to sender hold {line['in_parcels']}"
            )
    for shipment_id in facts.empty_parcels:
        yield problem(f"parcel {shipment_id} holds nothing")
    units = sum(
        (line["units"] or 0 for (kind, _), line in facts.lines.items() if kind == ItemKind.PRODUCT),
        0,
    )
    expected = shipping_state_of(
        units=units,
        sent=facts.parcel_units.get(ShipmentState.SENT, 0),
        delivered=facts.parcel_units.get(ShipmentState.DELIVERED, 0),
    )
    if expected is not None and row["shipping_state"] != expected:
        yield problem(f"shipping state is {row['shipping_state']} but its parcels say {expected}")


def _return_problems(facts: Facts, problem) -> Iterator[Problem]:
    for item_id in sorted({*facts.returned_counts, *facts.in_returns}):
        stored = facts.returned_counts.get(item_id, 0)
        expected = facts.in_returns.get(item_id, 0)
        if stored != expected:
            yield problem(
                f"item {item_id} has returned_count {stored} but its returns (not rejected) "
                f"hold {expected}"
            )
        delivered = facts.delivered.get(item_id, 0)
        if stored > delivered:
            yield problem(f"item {item_id} has {stored} returned of only {delivered} delivered")
    for return_id, state, has_refund in facts.odd_returns:
        if has_refund:
            yield problem(f"return {return_id} is {state} but has a refund")
        else:
            yield problem(f"return {return_id} is refunded but has no refund")
