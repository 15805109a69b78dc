"""Order items: add, change, remove. Items change only while the order is open and not
fully sent (pending or partially sent).

These services touch only product lines: a fee or discount line is changed by its own
service (the order's methods, its discount) and refused here with code `derived_line`.
A product line that has refunds cannot be removed, nor its count set below what was
refunded (code `item_refunded`); one with units in parcels (packed ones included) cannot
be removed, nor its count set below them (code `item_shipped`). `ordered` keeps what the
customer ordered when a line changes. When the last units waiting go (a partially sent
order's waiting line removed), the order is sent: `order.sent` and its status follow."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from .. import events
from ..actors import Actor
from ..errors import DerivedLine, InvalidInput, ItemRefunded, ItemShipped, ItemsLocked, NotFound
from ..models import ItemKind, Order, OrderItem, ShippingState
from ..money import round_money, unit_prices
from ._common import TOTAL_FIELDS, diff, lock_order, recompute_totals, save_order, snapshot
from ._parcels import settle
from .lifecycle import announce_shipping

SHIPPING_FIELDS = ("shipping_state", "date_sent")


@dataclass(frozen=True)
class ItemData:
    """An item as a client gives it. Prices are per unit: `final_price` (with VAT) or
    `base_price` (without); when both are given, `final_price` wins."""

    name: str
    count: int
    vat: Decimal
    final_price: Decimal | None = None
    base_price: Decimal | None = None
    article_id: int | None = None
    code: str = ""
    note: str = ""
    original_final_price: Decimal | None = None
    original_base_price: Decimal | None = None
    weight: Decimal = Decimal("0")
    ordered: int | None = None


def decimal_value(value, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} must be a number.", field=field) from None
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number.", field=field)
    return number


def item_values(data: ItemData, currency: str) -> dict:
    """Validate an item and compute its unit prices with the order's rounding rule."""
    if not (data.name or "").strip():
        raise InvalidInput("An item needs a name.", field="name")
    if not isinstance(data.count, int) or isinstance(data.count, bool) or data.count < 1:
        raise InvalidInput("count must be a whole number of at least 1.", field="count")
    vat = decimal_value(data.vat, "vat")
    if vat is None or not (0 <= vat <= 100):
        raise InvalidInput("vat must be a percentage from 0 to 100.", field="vat")
    final, base = (
        decimal_value(data.final_price, "final_price"),
        decimal_value(data.base_price, "base_price"),
    )
    if final is None and base is None:
        raise InvalidInput("price needs final_price or base_price.", field="price")
    for value, field in ((final, "final_price"), (base, "base_price")):
        if value is not None and value < 0:
            raise InvalidInput(f"{field} cannot be negative.", field=field)
    unit_base, unit_final = unit_prices(vat=vat, currency=currency, final=final, base=base)

    orig_final = decimal_value(data.original_final_price, "price_original.final_price")
    orig_base = decimal_value(data.original_base_price, "price_original.base_price")
    if (orig_final is not None and orig_final < 0) or (orig_base is not None and orig_base < 0):
        raise InvalidInput("price_original cannot be negative.", field="price_original")
    original_base = original_final = None
    if orig_final is not None or orig_base is not None:
        original_base, original_final = unit_prices(
            vat=vat, currency=currency, final=orig_final, base=orig_base
        )
    weight = decimal_value(data.weight, "weight") or Decimal("0")
    if weight < 0:
        raise InvalidInput("weight cannot be negative.", field="weight")
    if data.ordered is not None and (not isinstance(data.ordered, int) or data.ordered < 0):
        raise InvalidInput("ordered must be a whole number, 0 or more.", field="ordered")
    return {
        "article_id": data.article_id,
        "code": data.code or "",
        "name": data.name.strip(),
        "count": data.count,
        "ordered": data.count if data.ordered is None else data.ordered,
        "note": data.note or "",
        "unit_price_base": unit_base,
        "vat": vat,
        "unit_price_final": unit_final,
        "original_price_base": original_base,
        "original_price_final": original_final,
        "weight": weight,
    }


def _lock_editable(order_id) -> Order:
    order = lock_order(order_id)
    if not order.items_editable:
        raise ItemsLocked(
            f"Order {order.pk} items cannot change: the order is "
            f"{'sent' if order.sent else order.get_closing_state_display().lower()}.",
            detail="Items can be added, changed or removed only while the order is open "
            "and not fully sent.",
        )
    return order


def _get_item(order: Order, item_id) -> OrderItem:
    try:
        item = order.items.get(pk=item_id)
    except (OrderItem.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"Order {order.pk} has no item {item_id}.", code="item_not_found") from None
    if item.kind != ItemKind.PRODUCT:
        follows = "discount" if item.kind == ItemKind.DISCOUNT else f"{item.kind} method"
        raise DerivedLine(
            f"Item {item.pk} of order {order.pk} is a {item.get_kind_display().lower()} line.",
            detail=f"It follows the order's {follows}: change that instead.",
        )
    return item


def refunded_count(item: OrderItem) -> int:
    return item.refund_lines.aggregate(count=Sum("count"))["count"] or 0


def _check_refunds(item: OrderItem, new_count: int | None) -> None:
    """A refunded line stays: it cannot be removed (None) or shrunk below its refunds."""
    refunded = refunded_count(item)
    if refunded and (new_count is None or new_count < refunded):
        raise ItemRefunded(
            f"Item {item.pk} has {refunded} refunded: it cannot be "
            f"{'removed' if new_count is None else f'set to {new_count}'}.",
            field="count",
        )


def _check_shipped(item: OrderItem, new_count: int | None) -> None:
    """Units in parcels stay: the line cannot be removed (None) or shrunk below them."""
    if item.shipped_count and (new_count is None or new_count < item.shipped_count):
        raise ItemShipped(
            f"Item {item.pk} has {item.shipped_count} in parcels: it cannot be "
            f"{'removed' if new_count is None else f'set to {new_count}'}.",
            detail="Units in a parcel stay on the order; a packed parcel can be canceled first.",
            field="count",
        )


def _finish(order: Order, before: dict, *, actor: Actor, name: str, item_changes: dict) -> None:
    recompute_totals(order, field="count")  # a total too large: the item's count (or price)
    reached = []
    if order.shipping_state == ShippingState.PARTIALLY_SENT:
        # Only then can the lines change the state: what waits went, or more waits.
        reached = settle(order)
    save_order(order)
    changes = {**item_changes, **diff(before, order)}
    events.record(
        order,
        actor=actor,
        history_type="item",
        name=name,
        event_type=events.ORDER_ITEM_CHANGED,
        changes=changes,
    )
    announce_shipping(order, reached, actor=actor, changes=diff(before, order))


@transaction.atomic
def order_item_add(*, order_id: int, actor: Actor, item: ItemData) -> OrderItem:
    """Add an item. Only while the order is open and not fully sent; money and weight
    follow."""
    order = _lock_editable(order_id)
    before = snapshot(order, (*TOTAL_FIELDS, *SHIPPING_FIELDS))
    new_item = OrderItem.objects.create(order=order, **item_values(item, order.order_currency_code))
    _finish(
        order,
        before,
        actor=actor,
        name=f"Item added: {new_item.count} x {new_item.name}",
        item_changes={"item": [None, _item_summary(new_item)]},
    )
    return new_item


@transaction.atomic
def order_item_update(*, order_id: int, item_id: int, actor: Actor, item: ItemData) -> OrderItem:
    """Replace an item's values. Only while the order is open and not fully sent; not
    below its units in parcels."""
    order = _lock_editable(order_id)
    existing = _get_item(order, item_id)
    old = _item_summary(existing)
    values = item_values(item, order.order_currency_code)
    if item.ordered is None:
        values["ordered"] = existing.ordered  # what the customer ordered stays
    _check_refunds(existing, values["count"])
    _check_shipped(existing, values["count"])
    for field, value in values.items():
        setattr(existing, field, value)
    existing.save()
    before = snapshot(order, (*TOTAL_FIELDS, *SHIPPING_FIELDS))
    _finish(
        order,
        before,
        actor=actor,
        name=f"Item changed: {existing.count} x {existing.name}",
        item_changes={"item": [old, _item_summary(existing)]},
    )
    return existing


@transaction.atomic
def order_item_remove(*, order_id: int, item_id: int, actor: Actor) -> Order:
    """Remove an item. Only while the order is open and not fully sent, and none of its
    units is in a parcel."""
    order = _lock_editable(order_id)
    existing = _get_item(order, item_id)
    _check_refunds(existing, None)
    _check_shipped(existing, None)
    old = _item_summary(existing)
    existing.delete()
    before = snapshot(order, (*TOTAL_FIELDS, *SHIPPING_FIELDS))
    _finish(
        order,
        before,
        actor=actor,
        name=f"Item removed: {old['count']} x {old['name']}",
        item_changes={"item": [old, None]},
    )
    return order


def _item_summary(item: OrderItem) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "count": item.count,
        "unit_price_final": round_money(item.unit_price_final, item.order.order_currency_code),
        "vat": item.vat,
    }
