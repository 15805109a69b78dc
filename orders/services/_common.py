"""Helpers every service uses: lock, diff, save, recompute."""

from decimal import Decimal

from ..errors import InvalidInput, NotFound, TransitionNotAllowed
from ..models import Order
from ..money import round_money
from ..rules import available_actions, describe_state

ZERO = Decimal("0")
WEIGHT_UNIT = Decimal("0.001")
_money = Order._meta.get_field("money")
# The largest amount a money column holds (max_digits 14, decimal_places 4: 9999999999.9999).
MAX_MONEY = Decimal(10) ** (_money.max_digits - _money.decimal_places) - Decimal(10) ** (
    -_money.decimal_places
)


def lock_order(order_id) -> Order:
    """Fetch the order and hold its row lock until the transaction ends."""
    try:
        return Order.objects.select_for_update().get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Order {order_id} does not exist.", code="order_not_found") from None


def snapshot(order: Order, fields) -> dict:
    return {name: getattr(order, name) for name in fields}


def diff(before: dict, order: Order) -> dict:
    """Fields whose value changed, as {field: [old, new]}."""
    return {
        name: [old, getattr(order, name)]
        for name, old in before.items()
        if getattr(order, name) != old
    }


def save_order(order: Order) -> None:
    """Save a changed order and bump its version (the API's ETag)."""
    order.version += 1
    order.save()


def refuse(order: Order, action: str) -> TransitionNotAllowed:
    allowed = available_actions(order)
    return TransitionNotAllowed(
        f"Order {order.pk} cannot be {action}: it is {describe_state(order)}.",
        detail=f"Allowed now: {', '.join(allowed) if allowed else 'nothing'}.",
    )


def set_totals(order: Order, lines, *, field: str = "items") -> None:
    """Set money, money_base and weight from item lines (dicts or OrderItems with
    unit_price_final, unit_price_base, weight, count), and the payment state from them.

    An order's money must fit its column: a total above MAX_MONEY is invalid input
    (named `field`), refused before anything is written, on every database alike."""
    currency = order.order_currency_code
    money = money_base = weight = ZERO
    for line in lines:
        get = line.get if isinstance(line, dict) else line.__getattribute__
        count = get("count")
        money += get("unit_price_final") * count
        money_base += get("unit_price_base") * count
        weight += get("weight") * count
    if money > MAX_MONEY:
        raise InvalidInput(
            f"The order's total would be {round_money(money, currency)} {currency}; an order "
            f"holds at most {MAX_MONEY}.",
            code="total_too_large",
            field=field,
        )
    order.money = round_money(money, currency)
    order.money_base = round_money(money_base, currency)
    order.weight = weight.quantize(WEIGHT_UNIT)
    if not order.canceled:
        order.settle_payment()


def recompute_totals(order: Order, *, field: str = "items") -> None:
    """Recompute the order's totals from its items as stored."""
    lines = order.items.values("unit_price_final", "unit_price_base", "weight", "count")
    set_totals(order, lines, field=field)


TOTAL_FIELDS = ("money", "money_base", "weight", "payment_state")
