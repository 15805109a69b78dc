"""Refunds: money given back, by lines and/or an amount, recorded in the payments ledger.

Rules:
- Allowed on an open, done or canceled order while it holds money (`paid` > 0);
  otherwise TransitionNotAllowed. A refund changes no closing or shipping state: a done
  order stays done.
- A refund has a reason, and lines (an order line and a count) and/or an extra amount.
  Product, shipping and payment lines can be refunded, each up to its count less what
  was refunded of it before; discount lines cannot (the discount is taken off the goods'
  refund instead, below).
- A product line's refund is its price after the order discount: its unit price times
  the count, less the discount's share of it (the discount line of its VAT rate in
  proportion to the line's part of that rate's goods), rounded once per line. A fee
  line's refund is its price (fees are not discounted).
- The total (lines + amount) is never more than what is paid and not yet refunded
  (`paid`, which already nets out earlier refunds): code `refund_exceeds_paid`.
- `mark_returned`: the refunded products came back. Their units are recorded as a return
  of this refund (state refunded, linked to it), so `returned_count` has one source, the
  returns: refused like a return that asks too much (services/returnable.py: only units
  of delivered parcels not yet returned; 409 when nothing of the order is delivered, 400
  `return_exceeds_delivered` naming `lines[i].count`). Without product lines there is
  nothing to come back and no return is made. The refund's `mark_returned` is true when
  it has a return (also when it pays one: services/returns.py `return_refund`).
- One negative Payment (kind refund) of the total; `paid`, `refunded` and the payment
  state follow (partially refunded, or refunded when nothing is held any more). History
  and an `order.refunded` event in the same transaction, the order row locked, so two
  refunds at once cannot together exceed what was paid.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from .. import events
from ..actors import Actor
from ..errors import InvalidInput, NotFound, RefundTooLarge
from ..models import (
    FEE_KINDS,
    ItemKind,
    Order,
    OrderItem,
    PaymentKind,
    Refund,
    RefundLine,
    Return,
)
from ..money import round_money
from ..rules import can_refund
from ._common import diff, lock_order, refuse, save_order, snapshot
from .items import decimal_value
from .payments import record_payment
from .returnable import add_return, check_returnable

ZERO = Decimal("0")
MAX_REASON = Refund._meta.get_field("reason").max_length
REFUNDABLE_KINDS = (ItemKind.PRODUCT, *FEE_KINDS)


@dataclass(frozen=True)
class RefundLineData:
    """Refund `count` units of the order line `item_id`."""

    item_id: int
    count: int


@dataclass(frozen=True)
class RefundOption:
    """What can still be refunded of one order line (for the back office's form)."""

    item: OrderItem
    refunded: int
    left: int
    amount_left: Decimal


def _discount_by_rate(lines: list[OrderItem]) -> dict[Decimal, tuple]:
    """rate -> (the discount on that rate, that rate's goods), both positive."""
    goods, discount = {}, {}
    for line in lines:
        total = line.unit_price_final * line.count
        if line.kind == ItemKind.PRODUCT:
            goods[line.vat] = goods.get(line.vat, ZERO) + total
        elif line.kind == ItemKind.DISCOUNT:
            discount[line.vat] = discount.get(line.vat, ZERO) - total
    return {rate: (discount[rate], goods.get(rate, ZERO)) for rate in discount}


def line_refund_amount(item: OrderItem, count: int, discounts: dict, currency: str) -> Decimal:
    """What `count` units of the line are refunded: its price less its discount share."""
    price = item.unit_price_final * count
    if item.kind == ItemKind.PRODUCT and item.vat in discounts:
        discount, goods = discounts[item.vat]
        if goods > ZERO:
            price -= discount * price / goods
    return round_money(max(price, ZERO), currency)


def refunded_counts(order: Order) -> dict[int, int]:
    rows = (
        RefundLine.objects.filter(refund__order=order)
        .values("item_id")
        .annotate(count=Sum("count"))
        .order_by()
    )
    return {row["item_id"]: row["count"] for row in rows}


def refund_amount_of(order: Order, lines: Iterable[tuple[OrderItem, int]]) -> Decimal:
    """What refunding these (line, count) pairs gives back, as order_refund counts it."""
    discounts = _discount_by_rate(list(order.items.all()))
    currency = order.order_currency_code
    return sum(
        (line_refund_amount(item, count, discounts, currency) for item, count in lines), ZERO
    )


def refund_options(order: Order) -> list[RefundOption]:
    """Every refundable line with what was refunded of it and what is left."""
    lines = list(order.items.order_by("id"))
    discounts = _discount_by_rate(lines)
    refunded = refunded_counts(order)
    options = []
    for item in lines:
        if item.kind not in REFUNDABLE_KINDS:
            continue
        left = item.count - refunded.get(item.pk, 0)
        amount = line_refund_amount(item, left, discounts, order.order_currency_code)
        options.append(RefundOption(item, refunded.get(item.pk, 0), left, amount))
    return options


def _line_data(line) -> RefundLineData:
    if isinstance(line, RefundLineData):
        return line
    item_id, count = line
    return RefundLineData(item_id=item_id, count=count)


def _check_reason(reason) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"A refund needs a reason of 1 to {MAX_REASON} characters.", field="reason"
        )
    return reason


@transaction.atomic
def order_refund(
    *,
    order_id: int,
    actor: Actor,
    reason: str,
    lines: Iterable[RefundLineData | tuple[int, int]] = (),
    amount: Decimal | None = None,
    mark_returned: bool = False,
    goods_return: Return | None = None,
) -> Refund:
    """Give money back: `lines` (order line id and count) and/or an extra `amount`, with a
    reason. Never more than what is paid and not yet refunded, nor more units of a line
    than are left; the order's state does not change (a done order stays done).

    `mark_returned`: the refunded products came back (recorded as a return, within what
    was delivered and not yet returned). `goods_return`: the received return this refund
    pays (passed by services.returns.return_refund with its lines); it becomes refunded."""
    lines = [_line_data(line) for line in lines]
    reason = _check_reason(reason)
    extra = decimal_value(amount, "amount")
    if extra is not None and extra <= 0:
        raise InvalidInput("amount must be more than 0.", field="amount")
    if not lines and extra is None:
        raise InvalidInput("A refund needs lines or an amount.", field="lines")
    order = lock_order(order_id)
    if goods_return is not None and goods_return.order_id != order.pk:
        raise NotFound(
            f"Order {order.pk} has no return {goods_return.pk}.", code="return_not_found"
        )
    if not can_refund(order):
        raise refuse(order, "refunded")
    currency = order.order_currency_code
    extra = round_money(extra, currency) if extra is not None else ZERO
    order_lines = {line.pk: line for line in order.items.all()}
    discounts = _discount_by_rate(list(order_lines.values()))
    refunded = refunded_counts(order)
    refund_lines, seen = [], set()
    for n, line in enumerate(lines):
        field = f"lines[{n}]"
        item = order_lines.get(line.item_id) if isinstance(line.item_id, int) else None
        if item is None:
            raise NotFound(
                f"Order {order.pk} has no item {line.item_id}.",
                code="item_not_found",
                field=f"{field}.item_id",
            )
        if item.pk in seen:
            raise InvalidInput(f"Item {item.pk} is listed twice.", field=f"{field}.item_id")
        seen.add(item.pk)
        if item.kind not in REFUNDABLE_KINDS:
            raise InvalidInput(
                f"Item {item.pk} is a discount line: refund the goods it discounts.",
                field=f"{field}.item_id",
            )
        if not isinstance(line.count, int) or isinstance(line.count, bool) or line.count < 1:
            raise InvalidInput(
                "count must be a whole number of at least 1.", field=f"{field}.count"
            )
        left = item.count - refunded.get(item.pk, 0)
        if line.count > left:
            raise RefundTooLarge(
                f"Item {item.pk} has {left} of {item.count} left to refund, not {line.count}.",
                code="refund_exceeds_count",
                field=f"{field}.count",
            )
        value = line_refund_amount(item, line.count, discounts, currency)
        refund_lines.append(RefundLine(item=item, count=line.count, amount=value))
    total = sum((line.amount for line in refund_lines), ZERO) + extra
    if total <= ZERO:
        raise InvalidInput("The refund comes to nothing.", field="lines")
    if total > order.paid:
        raise RefundTooLarge(
            f"A refund of {total} {currency} is more than the "
            f"{round_money(order.paid, currency)} {currency} paid and not yet refunded.",
            field="amount" if extra else "lines",
        )
    products = [
        (f"lines[{n}].count", line.item, line.count)
        for n, line in enumerate(refund_lines)
        if line.item.kind == ItemKind.PRODUCT
    ]
    make_return = goods_return is None and mark_returned and bool(products)
    if make_return:
        check_returnable(order, products)
    before = snapshot(order, ("paid", "refunded", "payment_state", "date_paid"))
    payment = record_payment(
        order, actor=actor, kind=PaymentKind.REFUND, amount=-total, reason=reason
    )
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=total,
        extra_amount=extra,
        reason=reason,
        mark_returned=make_return or goods_return is not None,
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
    )
    for line in refund_lines:
        line.refund = refund
    RefundLine.objects.bulk_create(refund_lines)
    if goods_return is not None:
        goods_return.refund = refund
        goods_return.mark_refunded()
        goods_return.save()
    elif make_return:
        goods_return = add_return(
            order,
            actor=actor,
            reason=reason,
            lines=[(item, count) for _, item, count in products],
            refund=refund,
        )
    save_order(order)
    summary = [
        {
            "item_id": line.item.pk,
            "name": line.item.name,
            "count": line.count,
            "amount": line.amount,
        }
        for line in refund_lines
    ]
    events.record(
        order,
        actor=actor,
        history_type="refund",
        name=f"Refund: {total} {currency}"
        if goods_return is None
        else f"Refund for return {goods_return.pk}: {total} {currency}",
        status=reason[:200],
        event_type=events.ORDER_REFUNDED,
        changes={"refund": [None, {"amount": total, "lines": summary}], **diff(before, order)},
        customer_visible=True,
        payload={
            "refund": {
                "id": refund.pk,
                "amount": total,
                "extra_amount": extra,
                "reason": reason,
                "lines": summary,
                "mark_returned": refund.mark_returned,
                "return_id": None if goods_return is None else goods_return.pk,
            },
            "paid": order.paid,
            "refunded": order.refunded,
            "payment_state": order.payment_state,
        },
    )
    return refund
