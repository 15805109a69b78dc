"""What the parcel services (shipments.py) and the wire's services (lifecycle.py: /sent,
/delivered, /cancel; notes.py: /tracking) share: packing units into a parcel, moving
parcels along, keeping OrderItem.shipped_count and the order's shipping state in step.

The callers hold the order's row lock (so two parcels cannot take the same units), save
the order and record history; these helpers only change rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from ..errors import Duplicate, InvalidInput
from ..models import (
    ALL_SENT,
    ItemKind,
    Order,
    OrderItem,
    Shipment,
    ShipmentLine,
    ShipmentState,
    Shipper,
    ShippingState,
    Tracking,
)

ZERO = Decimal("0")
WEIGHT_UNIT = Decimal("0.001")
MAX_TRACKING_NUMBER = Tracking._meta.get_field("tracking_number").max_length
# What the order reached when its parcels moved: lifecycle.announce_shipping tells it.
REACHED_SENT, REACHED_DELIVERED = "sent", "delivered"


@dataclass(frozen=True)
class Packed:
    """A parcel and what it holds: (item, count) pairs."""

    shipment: Shipment
    lines: list[tuple[OrderItem, int]]


def waiting_units(order: Order) -> list[tuple[OrderItem, int]]:
    """The product lines with units not in a parcel yet, and how many (oldest line first)."""
    items = OrderItem.objects.filter(
        order=order, kind=ItemKind.PRODUCT, shipped_count__lt=F("count")
    ).order_by("id")
    return [(item, item.count - item.shipped_count) for item in items]


def lines_weight(lines) -> Decimal:
    return sum((item.weight * count for item, count in lines), ZERO).quantize(WEIGHT_UNIT)


def pack(
    order: Order,
    lines: list[tuple[OrderItem, int]],
    *,
    actor,
    tracking: Tracking | None = None,
    weight: Decimal | None = None,
) -> Packed:
    """A new packed parcel with `lines` (checked by the caller: products, each count
    within what waits); the lines' shipped_count grows by what it holds."""
    shipment = Shipment.objects.create(
        order=order,
        tracking=tracking,
        weight=lines_weight(lines) if weight is None else weight,
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, item=item, count=count) for item, count in lines
    )
    for item, count in lines:
        item.shipped_count += count
        item.save(update_fields=["shipped_count"])
    return Packed(shipment, lines)


def contents(shipment: Shipment) -> list[tuple[OrderItem, int]]:
    lines = shipment.lines.select_related("item").order_by("id")
    return [(line.item, line.count) for line in lines]


def release(shipment: Shipment) -> list[tuple[OrderItem, int]]:
    """The parcel's units wait again (returned to sender, or a packed parcel dropped)."""
    lines = contents(shipment)
    for item, count in lines:
        item.shipped_count -= count
        item.save(update_fields=["shipped_count"])
    return lines


def parcels(order: Order, state: str):
    return Shipment.objects.filter(order=order, state=state).order_by("id")


def summary(shipment: Shipment, lines: list[tuple[OrderItem, int]]) -> dict:
    """A parcel in history changes and event payloads."""
    tracking = shipment.tracking
    return {
        "id": shipment.pk,
        "state": shipment.state,
        "lines": [{"item_id": item.pk, "name": item.name, "count": count} for item, count in lines],
        "shipper_id": tracking.shipper_id if tracking else None,
        "tracking_number": tracking.tracking_number if tracking else None,
        "tracking_url": tracking.tracking_url if tracking else None,
    }


def describe(lines: list[tuple[OrderItem, int]]) -> str:
    """ "2 x Mug, 1 x Tea" for history names."""
    return ", ".join(f"{count} x {item.name}" for item, count in lines)


def settle(order: Order) -> list[str]:
    """Move the locked order's shipping state (and its dates) to what its parcels say;
    answer what it reached: everything sent, everything delivered (or nothing)."""
    before = order.shipping_state
    order.settle_shipping()
    order.settle_shipping_dates()
    after = order.shipping_state
    reached = []
    if before not in ALL_SENT and after in ALL_SENT:
        reached.append(REACHED_SENT)
    if before != ShippingState.DELIVERED and after == ShippingState.DELIVERED:
        reached.append(REACHED_DELIVERED)
    return reached


# --- tracking numbers --------------------------------------------------------------------


def tracking_for(order: Order, *, shipper_id, tracking_number) -> tuple[Tracking, bool]:
    """The order's tracking for this carrier and number: (existing, False) when the order
    has it already, else (a new one, True). A number is unique per carrier: one of
    another order is a conflict."""
    number = (tracking_number or "").strip() if isinstance(tracking_number, str) else ""
    if not number or len(number) > MAX_TRACKING_NUMBER:
        raise InvalidInput(
            f"tracking_number must be 1 to {MAX_TRACKING_NUMBER} characters.",
            field="tracking_number",
        )
    try:
        shipper = Shipper.objects.get(pk=shipper_id)
    except (Shipper.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(f"Unknown shipper {shipper_id}.", field="shipper_id") from None
    existing = (
        Tracking.objects.filter(shipper=shipper, tracking_number=number)
        .select_related("shipper")
        .first()
    )
    if existing is not None:
        if existing.order_id == order.pk:
            return existing, False
        raise Duplicate(
            f"Tracking number {number} of {shipper.name} belongs to another order.",
            code="tracking_number_taken",
        )
    return Tracking.objects.create(order=order, shipper=shipper, tracking_number=number), True


def parcel_of(tracking: Tracking) -> Shipment | None:
    return Shipment.objects.filter(tracking=tracking).first()


def attach(order: Order, tracking: Tracking, *, actor) -> tuple[Shipment | None, Packed | None]:
    """Give a new tracking number its parcel, as the wire's POST /tracking means it:
    1. the open parcel (the latest packed one without a tracking number);
    2. else, on an open order with units waiting, a new parcel of everything waiting;
    3. else the latest parcel without a tracking number (sent or delivered: its number
       came after it left);
    4. else none: a plain tracking of the order (a second label, a return label).
    Answers (the parcel or None, the new parcel when one was packed)."""
    untracked = Shipment.objects.filter(order=order, tracking__isnull=True).order_by("-id")
    shipment = untracked.filter(state=ShipmentState.PACKED).first()
    if shipment is None and not order.done and not order.canceled:
        waiting = waiting_units(order)
        if waiting:
            packed = pack(order, waiting, actor=actor, tracking=tracking)
            return packed.shipment, packed
    if shipment is None:
        shipment = untracked.filter(state__in=[ShipmentState.SENT, ShipmentState.DELIVERED]).first()
    if shipment is not None:
        shipment.tracking = tracking
        shipment.save(update_fields=["tracking"])
    return shipment, None
