"""Trackings and free history entries."""

from django.db import transaction

from .. import events
from ..actors import Actor
from ..errors import Duplicate, InvalidInput
from ..models import HistoryRecord, Shipper, Tracking
from ._common import lock_order, refuse, save_order

MAX_TRACKING_NUMBER = Tracking._meta.get_field("tracking_number").max_length


@transaction.atomic
def order_tracking_add(
    *, order_id: int, actor: Actor, shipper_id: int, tracking_number: str
) -> Tracking:
    """Add a carrier's tracking number. Not on a canceled order. A number is unique per
    carrier: sending the same one for the same order again returns the existing tracking."""
    order = lock_order(order_id)
    if order.canceled:
        raise refuse(order, "given a tracking number")
    number = (tracking_number or "").strip()
    if not number or len(number) > MAX_TRACKING_NUMBER:
        raise InvalidInput(
            f"tracking_number must be 1 to {MAX_TRACKING_NUMBER} characters.",
            field="tracking_number",
        )
    try:
        shipper = Shipper.objects.get(pk=shipper_id)
    except (Shipper.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(f"Unknown shipper {shipper_id}.", field="shipper_id") from None
    existing = Tracking.objects.filter(shipper=shipper, tracking_number=number).first()
    if existing is not None:
        if existing.order_id == order.pk:
            return existing
        raise Duplicate(
            f"Tracking number {number} of {shipper.name} belongs to another order.",
            code="tracking_number_taken",
        )
    tracking = Tracking.objects.create(order=order, shipper=shipper, tracking_number=number)
    save_order(order)
    events.record(
        order,
        actor=actor,
        history_type="tracking",
        name=f"Tracking number added: {shipper.name} {number}",
        event_type=events.ORDER_TRACKING_ADDED,
        changes={"tracking": [None, {"shipper_id": shipper.pk, "tracking_number": number}]},
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
