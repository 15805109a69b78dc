"""The order discount: an amount or a percentage off the goods, with a reason.

Rules:
- Set, replaced or removed only while the order is open and not sent (like the items);
  otherwise TransitionNotAllowed with code `discount_locked`.
- `type` is `amount` (with VAT, in the order's currency, rounded to its minor unit) or
  `percent` (more than 0, at most 100) of the goods; a reason is required.
- Its lines are derived by the totals function (orders/totals.py): split over the VAT
  rates of the goods in proportion to their shares, never more than the goods (an amount
  larger than the goods takes them to 0), fees not discounted. They follow the goods
  whenever the items change.
- Setting the discount the order already has changes nothing.
"""

from decimal import Decimal

from django.db import transaction

from .. import events
from ..actors import Actor
from ..errors import InvalidInput, TransitionNotAllowed
from ..models import DiscountType, ItemKind, Order, OrderDiscount
from ..money import round_money
from ._common import TOTAL_FIELDS, diff, lock_order, recompute_totals, save_order, snapshot
from .items import decimal_value

MAX_REASON = OrderDiscount._meta.get_field("reason").max_length


def _check_editable(order: Order) -> None:
    if not order.items_editable:
        raise TransitionNotAllowed(
            f"Order {order.pk} discount cannot change: the order is "
            f"{'sent' if order.sent else order.get_closing_state_display().lower()}.",
            code="discount_locked",
            detail="The discount changes only while the order is open and not sent.",
        )


def describe(discount: OrderDiscount | None, currency: str) -> str | None:
    """The discount in a few words, for history diffs: "10 %" or "5.00 EUR"."""
    if discount is None:
        return None
    if discount.type == DiscountType.PERCENT:
        return f"{discount.value.normalize():f} %"
    return f"{round_money(discount.value, currency)} {currency}"


def _discount_total(order: Order):
    lines = order.items.filter(kind=ItemKind.DISCOUNT)
    return round_money(
        sum((line.total_final for line in lines), Decimal("0")), order.order_currency_code
    )


def _finish(
    order: Order, before: dict, old: str | None, new: str | None, *, actor: Actor, name: str
):
    recompute_totals(order)
    save_order(order)
    events.record(
        order,
        actor=actor,
        history_type="discount",
        name=name,
        event_type=events.ORDER_UPDATED,
        changes={"discount": [old, new], **diff(before, order)},
        payload={"discount_total": _discount_total(order)},
    )
    return order


@transaction.atomic
def order_discount_set(
    *, order_id: int, actor: Actor, type: str, value: Decimal, reason: str
) -> Order:
    """Give the order a discount (replacing any): `type` amount or percent, `value`, a
    reason. Only while the order is open and not sent; money and VAT follow by rate."""
    if type not in DiscountType.values:
        raise InvalidInput("type must be amount or percent.", field="type")
    number = decimal_value(value, "value")
    if number is None or number <= 0:
        raise InvalidInput("value must be more than 0.", field="value")
    if type == DiscountType.PERCENT and number > 100:
        raise InvalidInput("A percentage discount is at most 100.", field="value")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"A discount needs a reason of 1 to {MAX_REASON} characters.", field="reason"
        )
    order = lock_order(order_id)
    _check_editable(order)
    currency = order.order_currency_code
    if type == DiscountType.AMOUNT:
        number = round_money(number, currency)
        if number <= 0:
            raise InvalidInput(
                f"value is less than the smallest amount of {currency}.", field="value"
            )
    existing = OrderDiscount.objects.filter(order=order).first()
    if existing and (existing.type, existing.value, existing.reason) == (type, number, reason):
        return order
    before = snapshot(order, TOTAL_FIELDS)
    old = describe(existing, currency)
    if existing:
        existing.delete()
    discount = OrderDiscount.objects.create(
        order=order,
        type=type,
        value=number,
        reason=reason,
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
    )
    new = describe(discount, currency)
    return _finish(order, before, old, new, actor=actor, name=f"Discount {new}: {reason}"[:300])


@transaction.atomic
def order_discount_remove(*, order_id: int, actor: Actor) -> Order:
    """Take the order's discount away. Only while the order is open and not sent; removing
    a discount the order does not have changes nothing."""
    order = lock_order(order_id)
    existing = OrderDiscount.objects.filter(order=order).first()
    if existing is None:
        return order
    _check_editable(order)
    before = snapshot(order, TOTAL_FIELDS)
    old = describe(existing, order.order_currency_code)
    existing.delete()
    return _finish(order, before, old, None, actor=actor, name=f"Discount {old} removed")
