"""The order's shipping and payment methods and their fee lines.

Rules:
- A method can be set, changed or removed while the order is open and not sent (like
  its items); otherwise TransitionNotAllowed with code `fees_locked`.
- Setting a method writes its fee line (kind `shipping` or `payment`): the method's price
  and VAT rate at that moment, converted to the order's currency with the order's rate
  when the method's currency (its channel's; the main currency for a method of no
  channel) differs, rounded once. Later changes of the method do not touch the order.
- The method's `free_from` is kept with the line (converted the same way): the fee is 0
  while the goods total after the discount reaches it, re-evaluated by the totals
  function whenever the goods change (see orders/totals.py).
- A method that charges nothing adds no line. A caller that knows the fee (an import of
  an order from elsewhere) may give it as `fee`: then that price and rate are charged,
  with no threshold.
- Setting the method the order already has, with no `fee`, changes nothing.
- A fee line with refunds cannot be replaced (code `item_refunded`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .. import events
from ..actors import Actor
from ..errors import InvalidInput, ItemRefunded, TransitionNotAllowed
from ..models import ItemKind, Order, OrderItem, PaymentMethod, ShippingMethod
from ..money import convert, round_money, unit_prices
from ._common import TOTAL_FIELDS, diff, lock_order, recompute_totals, save_order, snapshot
from .items import decimal_value

ZERO = Decimal("0")

# kind -> (the Order's relation, the method model, the argument naming it)
METHODS = {
    ItemKind.SHIPPING: ("shipping", ShippingMethod, "shipping_id"),
    ItemKind.PAYMENT: ("payment", PaymentMethod, "payment_id"),
}


@dataclass(frozen=True)
class FeeData:
    """A fee the caller already knows: its price with VAT in the order's currency."""

    final_price: Decimal
    vat: Decimal


def find_method(kind: str, method_id) -> ShippingMethod | PaymentMethod | None:
    """The method given by id (None for none); an unknown id is invalid input."""
    _, model, argument = METHODS[kind]
    if method_id is None:
        return None
    try:
        return model.objects.select_related("channel").get(pk=method_id)
    except (model.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(
            f"Unknown {kind} method {method_id}.", field=argument, code="unknown_method"
        ) from None


def _in_order_currency(order: Order, amount: Decimal, method) -> Decimal:
    return round_money(
        convert(
            amount,
            currency=method.currency_code,
            to=order.order_currency_code,
            main=order.main_currency_code,
            rate_to_main=order.currency_rate,
        ),
        order.order_currency_code,
    )


def fee_line(order: Order, kind: str, method, fee: FeeData | None = None) -> OrderItem | None:
    """The fee line `method` charges on `order` (unsaved; its price is settled against the
    threshold by the totals function), or None when it charges nothing."""
    if method is None:
        return None
    currency = order.order_currency_code
    if fee is not None:
        vat = decimal_value(fee.vat, "fee.vat")
        final = decimal_value(fee.final_price, "fee.final_price")
        if vat is None or not (0 <= vat <= 100):
            raise InvalidInput("The fee's vat must be a percentage from 0 to 100.", field="vat")
        if final is None or final < 0:
            raise InvalidInput("The fee cannot be negative.", field="fee")
        free_from = None
    else:
        vat, final = method.vat, _in_order_currency(order, method.price, method)
        free_from = (
            _in_order_currency(order, method.free_from, method)
            if method.free_from is not None
            else None
        )
    if round_money(final, currency) <= ZERO:
        return None
    base, final = unit_prices(vat=vat, currency=currency, final=final)
    return OrderItem(
        order=order,
        kind=kind,
        name=method.name[:300],
        count=1,
        ordered=1,
        vat=vat,
        unit_price_base=base,
        unit_price_final=final,
        free_from=free_from,
    )


def _fee_of(order: Order, kind: str) -> OrderItem | None:
    return OrderItem.objects.filter(order=order, kind=kind).first()


def _fee_summary(order: Order, line: OrderItem | None):
    return None if line is None else round_money(line.unit_price_final, order.order_currency_code)


def apply_method(order: Order, kind: str, method_id, *, actor: Actor, fee: FeeData | None = None):
    """Set the locked order's method of `kind` and its fee line, recompute and record.
    Returns the order; nothing is written when nothing changes."""
    relation, _, argument = METHODS[kind]
    method = find_method(kind, method_id)
    if getattr(order, f"{relation}_id") == (method.pk if method else None) and fee is None:
        return order
    if not order.items_editable:
        raise TransitionNotAllowed(
            f"Order {order.pk} {kind} method cannot change: the order is "
            f"{'sent' if order.sent else order.get_closing_state_display().lower()}.",
            code="fees_locked",
            detail="Shipping and payment methods change only while the order is open and not sent.",
        )
    before = snapshot(order, (f"{relation}_id", *TOTAL_FIELDS))
    old_line = _fee_of(order, kind)
    if old_line is not None:
        if old_line.refund_lines.exists():
            raise ItemRefunded(
                f"Order {order.pk} {kind} fee was refunded: its method cannot change.",
                field=argument,
            )
        old_line.delete()
    new_line = fee_line(order, kind, method, fee)
    if new_line is not None:
        new_line.save()
    setattr(order, relation, method)
    recompute_totals(order)
    new_line = _fee_of(order, kind)  # as the totals function settled it
    save_order(order)
    label = "Shipping" if kind == ItemKind.SHIPPING else "Payment"
    changes = diff(before, order)
    old_fee, new_fee = _fee_summary(order, old_line), _fee_summary(order, new_line)
    if old_fee != new_fee:
        changes[f"{kind}_fee"] = [old_fee, new_fee]
    events.record(
        order,
        actor=actor,
        history_type="updated",
        name=f"{label} method {'set to ' + method.name if method else 'removed'}",
        event_type=events.ORDER_UPDATED,
        changes=changes,
    )
    return order


@transaction.atomic
def order_set_shipping_method(
    *, order_id: int, actor: Actor, shipping_id: int | None, fee: FeeData | None = None
) -> Order:
    """Set, change or remove (None) the order's shipping method and its fee line. Only
    while the order is open and not sent; the fee is the method's price now."""
    order = lock_order(order_id)
    return apply_method(order, ItemKind.SHIPPING, shipping_id, actor=actor, fee=fee)


@transaction.atomic
def order_set_payment_method(
    *, order_id: int, actor: Actor, payment_id: int | None, fee: FeeData | None = None
) -> Order:
    """Set, change or remove (None) the order's payment method and its fee line. Only
    while the order is open and not sent; the fee is the method's price now."""
    order = lock_order(order_id)
    return apply_method(order, ItemKind.PAYMENT, payment_id, actor=actor, fee=fee)
