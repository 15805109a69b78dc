"""Parcels (shipments): what staff and carriers' systems do with them one by one.

The wire's whole-order calls keep their meaning through the same helpers (_parcels.py):
PATCH /sent packs and sends everything, /delivered delivers every sent parcel, POST
/tracking finds its parcel (lifecycle.py, notes.py).

Rules (rows of the table in tests/orders/test_shipments.py):
- A parcel holds units of the order's product lines: each line at most what is ordered
  and not yet in a parcel (`count - shipped_count`; a packed parcel reserves its units,
  one returned to sender gives them back). Fee and discount lines are not shipped. An
  empty parcel is refused; without lines, a parcel takes everything not yet in one.
- Parcels are made and moved only on an open order: a canceled order's goods stay home,
  and done is final (its parcels stay as they are). The one exception: a parcel of a
  canceled order may come back to the sender (the carrier returns it).
- A parcel goes packed -> sent -> delivered, or sent -> returned (to sender: its units
  wait again). A packed parcel can be canceled (dropped: its units wait again). Repeating
  a step the parcel has made changes nothing; any other step is refused (409, naming the
  parcel's state and what it allows).
- The order's shipping state follows its parcels (models.shipping_state_of); when it
  becomes fully sent or delivered, the order meets `order.sent` / `order.delivered` and
  the status that follows, as with PATCH /sent and /delivered.
- Each service locks the order first, so two parcels made at once cannot together hold
  more than was ordered; OrderItem.shipped_count changes in the same transaction, with
  history and an outbox event (`order.shipment_created`, `_sent`, `_delivered`,
  `_returned`, `_canceled`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .. import events
from ..actors import Actor
from ..errors import Duplicate, InvalidInput, NotFound, ShipmentTooLarge, TransitionNotAllowed
from ..models import Order, Shipment, ShipmentState
from . import _parcels as parcels
from ._common import diff, is_whole, lock_order, refuse, requested_product, save_order, snapshot
from .items import decimal_value
from .lifecycle import announce_shipping

STATE_FIELDS = ("shipping_state", "date_sent", "date_delivered")
MAX_WEIGHT = Decimal("999999999.999")


@dataclass(frozen=True)
class ShipmentLineData:
    """Put `count` units of the order line `item_id` into the parcel."""

    item_id: int
    count: int


def _line_data(line) -> ShipmentLineData:
    if isinstance(line, ShipmentLineData):
        return line
    item_id, count = line
    return ShipmentLineData(item_id=item_id, count=count)


def _is_count(value) -> bool:
    return is_whole(value) and value >= 1


def _chosen_lines(order: Order, lines) -> list:
    """The (item, count) pairs asked for, each checked against what waits."""
    lines = [_line_data(line) for line in lines]
    if not lines:
        raise InvalidInput("A parcel needs at least one line.", field="lines")
    items = {item.pk: item for item in order.items.all()}
    chosen, seen = [], set()
    for n, line in enumerate(lines):
        field = f"lines[{n}]"
        item = requested_product(order, items, seen, n, line.item_id, use="go into parcels")
        if not _is_count(line.count):
            raise InvalidInput(
                "count must be a whole number of at least 1.", field=f"{field}.count"
            )
        if line.count > item.waiting_count:
            raise ShipmentTooLarge(
                f"Item {item.pk} has {item.waiting_count} of {item.count} not yet in a parcel, "
                f"not {line.count}.",
                field=f"{field}.count",
            )
        chosen.append((item, line.count))
    return chosen


def _weight(value) -> Decimal | None:
    weight = decimal_value(value, "weight")
    if weight is None:
        return None
    if weight < 0 or weight > MAX_WEIGHT:
        raise InvalidInput(f"weight must be 0 to {MAX_WEIGHT} kg.", field="weight")
    return weight.quantize(parcels.WEIGHT_UNIT)


def _lock_parcel(order_id, shipment_id) -> tuple[Order, Shipment]:
    order = lock_order(order_id)
    try:
        shipment = Shipment.objects.select_related("tracking__shipper").get(
            pk=shipment_id, order=order
        )
    except (Shipment.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            f"Order {order.pk} has no parcel {shipment_id}.", code="shipment_not_found"
        ) from None
    return order, shipment


# Parcel step -> (Shipment transition, verb, the states in which it is a repeat).
STEPS = {
    "sent": ("mark_sent", "marked sent", (ShipmentState.SENT, ShipmentState.DELIVERED)),
    "delivered": ("mark_delivered", "marked delivered", (ShipmentState.DELIVERED,)),
    "returned": ("mark_returned", "marked returned to sender", (ShipmentState.RETURNED,)),
    "cancel": ("", "canceled", ()),
}


def parcel_actions(order: Order, shipment: Shipment) -> list[str]:
    """The steps the parcel allows now (for refusals and the back office's buttons)."""
    if order.done:
        return []
    if order.canceled:
        return ["returned"] if shipment.state == ShipmentState.SENT else []
    return {
        ShipmentState.PACKED: ["sent", "cancel"],
        ShipmentState.SENT: ["delivered", "returned"],
    }.get(shipment.state, [])


def _refuse_step(order: Order, shipment: Shipment, step: str) -> TransitionNotAllowed:
    allowed = parcel_actions(order, shipment)
    if order.done or (order.canceled and step != "returned"):
        whose = f"the order is {order.get_closing_state_display().lower()}"
    else:
        whose = f"it is {shipment.get_state_display().lower()}"
    return TransitionNotAllowed(
        f"Parcel {shipment.pk} of order {order.pk} cannot be {STEPS[step][1]}: {whose}.",
        detail=f"Allowed now: {', '.join(allowed) if allowed else 'nothing'}.",
    )


def _record(order: Order, before: dict, *, actor: Actor, name: str, event_type: str,
            old, new, visible: bool) -> dict:  # fmt: skip
    """The parcel's history record and event; answers the order's state changes."""
    state_changes = diff(before, order)
    events.record(
        order,
        actor=actor,
        history_type="shipment",
        name=name,
        event_type=event_type,
        changes={"shipment": [old, new], **state_changes},
        customer_visible=visible,
        payload={"shipment": new or old},
    )
    return state_changes


@transaction.atomic
def shipment_create(
    *,
    order_id: int,
    actor: Actor,
    lines: Iterable[ShipmentLineData | tuple[int, int]] | None = None,
    shipper_id: int | None = None,
    tracking_number: str | None = None,
    weight: Decimal | None = None,
) -> Shipment:
    """Pack a parcel: `lines` (order line id and count), or by default every unit not yet
    in a parcel; with a carrier's tracking number (shipper_id and tracking_number, both or
    neither) and a weight in kg (default: the lines' weight). Only on an open order; a
    line holds at most what is ordered and not yet in a parcel."""
    order = lock_order(order_id)
    if order.done or order.canceled:
        raise refuse(order, "given a parcel")
    if lines is None:
        chosen = parcels.waiting_units(order)
        if not chosen:
            raise TransitionNotAllowed(
                f"Order {order.pk} has nothing waiting to be shipped: every unit of its "
                "products is in a parcel.",
                code="nothing_to_ship",
                detail="Give lines only for units not yet in a parcel.",
            )
    else:
        chosen = _chosen_lines(order, lines)
    weight = _weight(weight)
    tracking = None
    if shipper_id is not None or tracking_number is not None:
        if shipper_id is None or tracking_number is None:
            missing = "shipper_id" if shipper_id is None else "tracking_number"
            raise InvalidInput(
                "A tracking number needs its shipper_id, and a shipper_id its tracking_number.",
                field=missing,
            )
        tracking, _ = parcels.tracking_for(
            order, shipper_id=shipper_id, tracking_number=tracking_number
        )
        holder = parcels.parcel_of(tracking)
        if holder is not None:
            raise Duplicate(
                f"Tracking number {tracking.tracking_number} is parcel {holder.pk}'s already.",
                code="tracking_number_taken",
            )
    packed = parcels.pack(order, chosen, actor=actor, tracking=tracking, weight=weight)
    save_order(order)
    shipment = packed.shipment
    events.record(
        order,
        actor=actor,
        history_type="shipment",
        name=f"Parcel {shipment.pk} packed: {parcels.describe(chosen)}",
        event_type=events.ORDER_SHIPMENT_CREATED,
        changes={"shipment": [None, parcels.summary(shipment, chosen)]},
        payload={"shipment": parcels.summary(shipment, chosen)},
    )
    return shipment


def _step(order_id, shipment_id, step: str, *, actor: Actor) -> Shipment:
    """Move one parcel a step along; the order's state follows its parcels."""
    order, shipment = _lock_parcel(order_id, shipment_id)
    method, _, repeats = STEPS[step]
    if shipment.state in repeats:
        return shipment
    if step not in parcel_actions(order, shipment):
        raise _refuse_step(order, shipment, step)
    before = snapshot(order, STATE_FIELDS)
    lines = parcels.contents(shipment)
    old = parcels.summary(shipment, lines)
    getattr(shipment, method)()
    shipment.save()
    if step == "returned":
        parcels.release(shipment)
    reached = parcels.settle(order)
    save_order(order)
    new = parcels.summary(shipment, lines)
    tracking = shipment.tracking
    where = f" ({tracking.shipper.name} {tracking.tracking_number})" if tracking else ""
    name, event_type = {
        "sent": ("sent", events.ORDER_SHIPMENT_SENT),
        "delivered": ("delivered", events.ORDER_SHIPMENT_DELIVERED),
        "returned": ("returned to sender", events.ORDER_SHIPMENT_RETURNED),
    }[step]
    changes = _record(
        order,
        before,
        actor=actor,
        name=f"Parcel {shipment.pk} {name}{where}: {parcels.describe(lines)}",
        event_type=event_type,
        old=old,
        new=new,
        visible=True,
    )
    announce_shipping(order, reached, actor=actor, changes=changes)
    return shipment


@transaction.atomic
def shipment_mark_sent(*, order_id: int, shipment_id: int, actor: Actor) -> Shipment:
    """Send a packed parcel. When it was the last unit not sent, the order is sent."""
    return _step(order_id, shipment_id, "sent", actor=actor)


@transaction.atomic
def shipment_mark_delivered(*, order_id: int, shipment_id: int, actor: Actor) -> Shipment:
    """A sent parcel arrived. When every unit has, the order is delivered."""
    return _step(order_id, shipment_id, "delivered", actor=actor)


@transaction.atomic
def shipment_mark_returned(*, order_id: int, shipment_id: int, actor: Actor) -> Shipment:
    """A sent parcel came back to the sender (undeliverable, refused): its units wait
    again and the order's shipping state steps back. Also on a canceled order."""
    return _step(order_id, shipment_id, "returned", actor=actor)


@transaction.atomic
def shipment_cancel(*, order_id: int, shipment_id: int, actor: Actor) -> int:
    """Drop a packed parcel (it never left): its units wait again. Answers its id."""
    order, shipment = _lock_parcel(order_id, shipment_id)
    if "cancel" not in parcel_actions(order, shipment):
        raise _refuse_step(order, shipment, "cancel")
    lines = parcels.release(shipment)
    old = parcels.summary(shipment, lines)
    pk = shipment.pk
    shipment.delete()
    save_order(order)
    events.record(
        order,
        actor=actor,
        history_type="shipment",
        name=f"Parcel {pk} canceled: {parcels.describe(lines)}",
        event_type=events.ORDER_SHIPMENT_CANCELED,
        changes={"shipment": [old, None]},
        payload={"shipment": old},
    )
    return pk
