"""Helpers every service uses: lock, diff, save, recompute."""

from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import Coalesce

from ..errors import NotFound, TransitionNotAllowed
from ..models import Order
from ..money import round_money
from ..rules import available_actions, describe_state

ZERO = Decimal("0")
WEIGHT_UNIT = Decimal("0.001")


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


def _line_sum(price_field: str):
    return Coalesce(
        Sum(
            ExpressionWrapper(
                F(price_field) * F("count"),
                output_field=DecimalField(max_digits=20, decimal_places=4),
            )
        ),
        ZERO,
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def recompute_totals(order: Order) -> None:
    """Set money, money_base and weight from the items, and the payment state from them."""
    totals = order.items.aggregate(
        money=_line_sum("unit_price_final"),
        money_base=_line_sum("unit_price_base"),
        weight=_line_sum("weight"),
    )
    currency = order.order_currency_code
    order.money = round_money(totals["money"], currency)
    order.money_base = round_money(totals["money_base"], currency)
    order.weight = totals["weight"].quantize(WEIGHT_UNIT)
    if not order.canceled:
        order.settle_payment()


TOTAL_FIELDS = ("money", "money_base", "weight", "payment_state")
