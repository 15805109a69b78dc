"""Helpers every service uses: lock, diff, save, recompute."""

from decimal import Decimal

from .. import totals
from ..errors import InvalidInput, NotFound, TransitionNotAllowed
from ..models import FEE_KINDS, ItemKind, Order, OrderDiscount, OrderItem
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
        order = Order.objects.select_for_update().get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Order {order_id} does not exist.", code="order_not_found") from None
    _remember_row(order)
    return order


def _remember_row(order: Order) -> None:
    """Note what the locked row holds, so save_order writes only the columns that change."""
    order._stored_row = {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}


def changed_columns(order: Order) -> list[str] | None:
    """The columns whose value differs from the row lock_order read (None: not read so)."""
    stored = getattr(order, "_stored_row", None)
    if stored is None:
        return None
    return [name for name, value in stored.items() if getattr(order, name) != value]


def is_whole(value) -> bool:
    """A whole number sent as one (not a bool, not text)."""
    return isinstance(value, int) and not isinstance(value, bool)


def requested_product(order: Order, items: dict, seen: set, n: int, item_id, *, use: str):
    """The product line that `lines[n]` of a request names, each once: NotFound for a line
    the order does not have, InvalidInput for one named twice or one that is not a
    product (`use` ends that message: "go into parcels", "come back")."""
    field = f"lines[{n}].item_id"
    item = items.get(item_id) if is_whole(item_id) else None
    if item is None:
        raise NotFound(
            f"Order {order.pk} has no item {item_id}.", code="item_not_found", field=field
        )
    if item.pk in seen:
        raise InvalidInput(f"Item {item.pk} is listed twice.", field=field)
    seen.add(item.pk)
    if item.kind != ItemKind.PRODUCT:
        raise InvalidInput(
            f"Item {item.pk} is a {item.get_kind_display().lower()} line: only products {use}.",
            field=field,
        )
    return item


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
    """Save a changed order and bump its version (the API's ETag). An order read by
    lock_order gets an UPDATE of only the columns that changed (a status change sets 3
    columns, not 50): a short statement, and no column written back that this write did
    not change."""
    order.version += 1
    columns = changed_columns(order)
    if columns is None:
        order.save()
    else:
        order.save(update_fields=[*columns, "updated_at"])
    _remember_row(order)


def refuse(order: Order, action: str) -> TransitionNotAllowed:
    allowed = available_actions(order)
    return TransitionNotAllowed(
        f"Order {order.pk} cannot be {action}: it is {describe_state(order)}.",
        detail=f"Allowed now: {', '.join(allowed) if allowed else 'nothing'}.",
    )


def recompute_totals(order: Order, *, field: str = "items") -> None:
    """The one totals function: derive the discount lines and the fee lines' prices from
    the product lines (rules in orders/totals.py), then set money, money_base and weight
    from all lines, and the payment state. Every service that changes the lines, the fees
    or the discount calls it, inside its transaction with the order locked.

    An order's money must fit its column: a total above MAX_MONEY is invalid input (named
    `field`), raised before the order is saved, so the caller's transaction writes nothing."""
    lines = list(OrderItem.objects.filter(order=order).order_by("id"))
    discount = OrderDiscount.objects.filter(order=order).first()
    set_totals(order, lines, discount, field=field)


def set_totals(
    order: Order, lines: list[OrderItem], discount: OrderDiscount | None, *, field: str = "items"
) -> None:
    """recompute_totals on lines and a discount the caller holds: the stored ones, or a new
    order's lines before anything is saved (a new order has no discount, so nothing is
    written for it here; order_create then inserts the order once, with its totals)."""
    currency = order.order_currency_code
    products = [line for line in lines if line.kind == ItemKind.PRODUCT]
    discount_lines = _sync_discount_lines(
        order, discount, products, [line for line in lines if line.kind == ItemKind.DISCOUNT]
    )
    goods_after_discount = sum(
        (line.unit_price_final * line.count for line in [*products, *discount_lines]), ZERO
    )
    fees = [line for line in lines if line.kind in FEE_KINDS]
    for fee in fees:
        settle_fee(fee, goods_after_discount)
    money, money_base = totals.line_totals([*products, *fees, *discount_lines], currency)
    if money > MAX_MONEY:
        raise InvalidInput(
            f"The order's total would be {round_money(money, currency)} {currency}; an order "
            f"holds at most {MAX_MONEY}.",
            code="total_too_large",
            field=field,
        )
    order.money, order.money_base = money, money_base
    weight = sum((line.weight * line.count for line in products), ZERO)
    order.weight = weight.quantize(WEIGHT_UNIT)
    if not order.canceled:
        order.settle_payment()


def discount_line_name(discount: OrderDiscount) -> str:
    size = f" {discount.value.normalize():f} %" if discount.type == "percent" else ""
    return f"Discount{size}: {discount.reason}"[:300]


def _sync_discount_lines(order, discount, products, existing) -> list[OrderItem]:
    """Make the stored discount lines what the discount and the products call for; lines
    of a rate that stays keep their id (so clients see the same line change)."""
    wanted = []
    if discount is not None:
        wanted = totals.discount_shares(
            type=discount.type,
            value=discount.value,
            products=products,
            currency=order.order_currency_code,
        )
    by_rate = {line.vat: line for line in existing}
    result = []
    for share in wanted:
        line = by_rate.pop(share.vat, None) or OrderItem(
            order=order, kind=ItemKind.DISCOUNT, vat=share.vat, count=1, ordered=1
        )
        values = {
            "name": discount_line_name(discount),
            "note": "",
            "unit_price_final": -share.final,
            "unit_price_base": -share.base,
        }
        if line.pk is None or any(getattr(line, k) != v for k, v in values.items()):
            for field, value in values.items():
                setattr(line, field, value)
            line.save()
        result.append(line)
    if by_rate:
        OrderItem.objects.filter(pk__in=[line.pk for line in by_rate.values()]).delete()
    return result


def fee_snapshot(fee: OrderItem) -> tuple[Decimal, Decimal]:
    """(base, final) the fee's method charged when it was set (kept in price_original
    while the fee is free)."""
    if fee.original_price_final is not None:
        return fee.original_price_base, fee.original_price_final
    return fee.unit_price_base, fee.unit_price_final


def settle_fee(fee: OrderItem, goods_after_discount: Decimal) -> None:
    """Charge the fee line its snapshot price, or 0 while the goods reach its threshold."""
    if fee.free_from is None:
        return
    base, final = fee_snapshot(fee)
    if totals.fee_is_free(fee.free_from, goods_after_discount) and final > ZERO:
        values = (ZERO, ZERO, base, final)
    else:
        values = (base, final, None, None)
    fields = ("unit_price_base", "unit_price_final", "original_price_base", "original_price_final")
    if tuple(getattr(fee, f) for f in fields) != values:
        for field, value in zip(fields, values, strict=True):
            setattr(fee, field, value)
        if fee.pk is not None:  # a new order's line is inserted with it
            fee.save(update_fields=fields)


TOTAL_FIELDS = ("money", "money_base", "weight", "payment_state")
