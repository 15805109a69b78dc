"""Trackings and free history entries."""

from django.db import transaction

from .. import events
from ..actors import Actor
from ..errors import InvalidInput
from ..models import HistoryRecord, Tracking
from . import _parcels as parcels
from ._common import lock_order, refuse, save_order


@transaction.atomic
def order_tracking_add(
    *, order_id: int, actor: Actor, shipper_id: int, tracking_number: str
) -> Tracking:
    """Add a carrier's tracking number. Not on a canceled order. A number is unique per
    carrier: sending the same one for the same order again returns the existing tracking.

    The number goes to its parcel (`_parcels.attach`): the open (packed, untracked)
    parcel; else, on an open order with units not yet in a parcel, a new parcel of all of
    them; else the latest parcel without a number; else it stays a plain tracking."""
    order = lock_order(order_id)
    if order.canceled:
        raise refuse(order, "given a tracking number")
    tracking, created = parcels.tracking_for(
        order, shipper_id=shipper_id, tracking_number=tracking_number
    )
    if not created:
        return tracking
    shipment, packed = parcels.attach(order, tracking, actor=actor)
    save_order(order)
    if packed is not None:
        new_parcel = parcels.summary(packed.shipment, packed.lines)
        events.emit(
            order, events.ORDER_SHIPMENT_CREATED, {"actor": actor.name, "shipment": new_parcel}
        )
    shipper, number = tracking.shipper, tracking.tracking_number
    changes = {"tracking": [None, {"shipper_id": shipper.pk, "tracking_number": number}]}
    if shipment is not None:
        changes["shipment"] = [None, shipment.pk]
    events.record(
        order,
        actor=actor,
        history_type="tracking",
        name=f"Tracking number added: {shipper.name} {number}",
        event_type=events.ORDER_TRACKING_ADDED,
        changes=changes,
        customer_visible=True,
        payload={"tracking_url": tracking.tracking_url},
    )
    return tracking


@transaction.atomic
def order_history_add(
    *, order_id: int, actor: Actor, type: str, name: str, status: str = ""
) -> HistoryRecord:
    """Add a free entry to the order's timeline (a gateway's note, a call with the customer)."""
    order = lock_order(order_id)
    limits = {"type": (type, 50), "name": (name, 300), "status": (status or "", 200)}
    for field, (value, limit) in limits.items():
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidInput(f"{field} must be text of at most {limit} characters.", field=field)
    if not type.strip() or not name.strip():
        field = "type" if not type.strip() else "name"
        raise InvalidInput(f"{field} cannot be empty.", field=field)
    return events.record(
        order,
        actor=actor,
        history_type=type.strip(),
        name=name.strip(),
        status=(status or "").strip(),
        event_type=events.ORDER_HISTORY_ADDED,
    )
