"""The order's lifecycle: paid, sent, delivered, done, canceled, and the instance statuses.

Rules (each is a row of the transition table in tests/orders/test_lifecycle.py):
- sent requires an open order that is not fully sent (pending or partially sent): every
  unit not in a parcel yet goes into one new parcel, and every packed parcel is sent
  (orders/services/_parcels.py); the order is then sent (partially delivered when some
  parcels arrived already). An order without product lines is sent as a whole.
- delivered requires an open order that is fully sent (sent or partially delivered):
  every sent parcel is delivered. Partially sent is refused: deliver its parcels one by
  one (services.shipment_mark_delivered), or send the rest first.
- cancel requires an open order of which nothing was delivered (not partially delivered
  or delivered); its packed parcels are dropped (their units wait again), parcels on their
  way stay as they are. done requires an open order; parcels stay as they are.
- paid is refused on a canceled order (services.payments has its rules).
- Repeating a transition the order has already made (sent on a sent order) succeeds,
  changes nothing and writes no history, so clients can retry safely.
- An illegal transition raises TransitionNotAllowed, whose message names the current
  state and whose detail lists what is allowed now.
- A status that neither completes nor cancels (an open-order status) is refused on a done
  or canceled order, with the same error.
- After each event (paid, sent, delivered, done, canceled) the order gets the status that
  follows the event (`OrderStatus.follows`), if any, in the same transaction, with its own
  status history record and `order.status_changed` event. It is skipped where it would
  contradict the order (an open-order status on a done order: paid after done) or step
  back (paid after sent: a cash-on-delivery order keeps "Delivered"). A status chosen by
  hand that completes or cancels the order stays: its event assigns no follower.
  An order that becomes fully sent or delivered through its parcels (the parcel services,
  an item change) meets the same events: `announce_shipping`.
"""

from django.db import transaction
from django_fsm import can_proceed

from statuses.models import LifecycleEvent, OrderStatus

from .. import events
from ..actors import Actor
from ..errors import InvalidInput
from ..models import Order, ShipmentState
from . import _parcels as parcels
from ._common import diff, lock_order, refuse, save_order, snapshot

STATE_FIELDS = ("payment_state", "shipping_state", "closing_state", "status_id")

# How far along the lifecycle each event is: a follower never replaces a later one's.
_EVENT_RANK = {event: rank for rank, event in enumerate(LifecycleEvent.values)}


def _transition(
    order: Order,
    *,
    actor: Actor,
    method: str,
    verb: str,
    event_type: str,
    name: str,
    follows: str,
    parcel_work=None,
) -> Order:
    """Check, let `parcel_work(order)` move the parcels first (it answers the parcel
    events to emit), make the transition, save, record, emit and follow."""
    transition = getattr(order, method)
    if not can_proceed(transition):
        raise refuse(order, verb)
    before = snapshot(order, STATE_FIELDS)
    parcel_events = parcel_work(order) if parcel_work else []
    transition()
    save_order(order)
    for parcel_event, payload in parcel_events:
        events.emit(order, parcel_event, {"actor": actor.name, "shipment": payload})
    events.record(
        order,
        actor=actor,
        history_type="state",
        name=name,
        event_type=event_type,
        changes=diff(before, order),
        customer_visible=True,
    )
    follow_event(order, event=follows, actor=actor)
    return order


def _ship_everything(order: Order, actor: Actor) -> list:
    """/sent: every unit not in a parcel yet into one new parcel, every packed parcel sent."""
    emitted = []
    waiting = parcels.waiting_units(order)
    if waiting:
        packed = parcels.pack(order, waiting, actor=actor)
        emitted.append(
            (events.ORDER_SHIPMENT_CREATED, parcels.summary(packed.shipment, packed.lines))
        )
    for shipment in parcels.parcels(order, ShipmentState.PACKED):
        shipment.mark_sent()
        shipment.save()
        emitted.append(
            (events.ORDER_SHIPMENT_SENT, parcels.summary(shipment, parcels.contents(shipment)))
        )
    return emitted


def _deliver_everything(order: Order) -> list:
    """/delivered: every sent parcel delivered."""
    emitted = []
    for shipment in parcels.parcels(order, ShipmentState.SENT):
        shipment.mark_delivered()
        shipment.save()
        emitted.append(
            (
                events.ORDER_SHIPMENT_DELIVERED,
                parcels.summary(shipment, parcels.contents(shipment)),
            )
        )
    return emitted


def drop_packed(order: Order) -> list:
    """Cancel: packed parcels are dropped, their units wait again (they never left)."""
    emitted = []
    for shipment in parcels.parcels(order, ShipmentState.PACKED):
        lines = parcels.release(shipment)
        payload = parcels.summary(shipment, lines)
        shipment.delete()
        emitted.append((events.ORDER_SHIPMENT_CANCELED, payload))
    return emitted


# What the order reached through its parcels -> (event, history name, status to follow).
_REACHED = {
    parcels.REACHED_SENT: (events.ORDER_SENT, "Order sent", LifecycleEvent.SENT),
    parcels.REACHED_DELIVERED: (
        events.ORDER_DELIVERED,
        "Order delivered",
        LifecycleEvent.DELIVERED,
    ),
}


def announce_shipping(order: Order, reached: list[str], *, actor: Actor, changes: dict) -> None:
    """The saved order became fully sent or delivered through its parcels (a parcel
    service, an item change): its state history record, `order.sent` / `order.delivered`
    and the status that follows, as PATCH /sent and /delivered do."""
    for what in reached:
        event_type, name, follows = _REACHED[what]
        events.record(
            order,
            actor=actor,
            history_type="state",
            name=name,
            event_type=event_type,
            changes=changes,
            customer_visible=True,
        )
        follow_event(order, event=follows, actor=actor)


def follow_event(order: Order, *, event: str, actor: Actor) -> None:
    """Give the locked order the status that follows `event`, if one does and it fits.

    Called by the services inside their transaction, after the event's own save and
    history. The follower's flags match its event (a model constraint), so assigning it
    never starts another transition: no loop.
    """
    status = OrderStatus.objects.filter(follows=event).first()
    if status is None or order.status_id == status.pk or _contradicts(order, status):
        return
    current = order.status
    if current is not None and _EVENT_RANK.get(current.follows, -1) > _EVENT_RANK[event]:
        return
    _assign(order, status, actor=actor)


@transaction.atomic
def order_mark_sent(*, order_id: int, actor: Actor) -> Order:
    """Mark the order sent: everything not yet shipped goes into a parcel and every
    packed parcel is sent. An order can be sent while it is open."""
    order = lock_order(order_id)
    if order.sent:
        return order
    return _transition(
        order,
        actor=actor,
        method="mark_sent",
        follows=LifecycleEvent.SENT,
        verb="marked sent",
        event_type=events.ORDER_SENT,
        name="Order sent",
        parcel_work=lambda locked: _ship_everything(locked, actor),
    )


@transaction.atomic
def order_mark_delivered(*, order_id: int, actor: Actor) -> Order:
    """Mark the order delivered: every sent parcel is delivered. It must be open and
    fully sent."""
    order = lock_order(order_id)
    if order.delivered:
        return order
    return _transition(
        order,
        actor=actor,
        method="mark_delivered",
        follows=LifecycleEvent.DELIVERED,
        verb="marked delivered",
        event_type=events.ORDER_DELIVERED,
        name="Order delivered",
        parcel_work=_deliver_everything,
    )


@transaction.atomic
def order_mark_done(*, order_id: int, actor: Actor) -> Order:
    """Complete the order. Any open order can be completed; done is final."""
    order = lock_order(order_id)
    if order.done:
        return order
    return _transition(
        order,
        actor=actor,
        method="mark_done",
        follows=LifecycleEvent.DONE,
        verb="marked done",
        event_type=events.ORDER_DONE,
        name="Order completed",
    )


@transaction.atomic
def order_cancel(*, order_id: int, actor: Actor) -> Order:
    """Cancel the order. An order can be canceled while it is open and nothing of it was
    delivered; its packed parcels are dropped. Canceled is final."""
    order = lock_order(order_id)
    if order.canceled:
        return order
    return _transition(
        order,
        actor=actor,
        method="cancel",
        follows=LifecycleEvent.CANCELED,
        verb="canceled",
        event_type=events.ORDER_CANCELED,
        name="Order canceled",
        parcel_work=drop_packed,
    )


# Status flag -> (Order transition, verb, event, history name)
_STATUS_TRANSITIONS = {
    "complete_order": ("mark_done", "marked done", events.ORDER_DONE, "done"),
    "cancel_order": ("cancel", "canceled", events.ORDER_CANCELED, "canceled"),
}


def _contradicts(order: Order, status: OrderStatus) -> bool:
    """An open-order status (neither completes nor cancels) on a done or canceled order."""
    final = order.done or order.canceled
    return final and not (status.complete_order or status.cancel_order)


@transaction.atomic
def order_status_assign(*, order_id: int, status_id: int, actor: Actor) -> Order:
    """Give the order one of the instance's statuses.

    A status with `complete_order` completes the order, one with `cancel_order`
    cancels it; if the order does not allow that, the status is not assigned either.
    A status that does neither is refused on a done or canceled order.
    """
    order = lock_order(order_id)
    try:
        status = OrderStatus.objects.get(pk=status_id)
    except (OrderStatus.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(f"Unknown status {status_id}.", field="status_id") from None
    if order.status_id == status.pk:
        return order
    if _contradicts(order, status):
        raise refuse(order, f"given the status {status.name}")
    return _assign(order, status, actor=actor)


def _assign(order: Order, status: OrderStatus, *, actor: Actor) -> Order:
    """Set the locked order's status, make the transition its flag asks for, save, and
    write the status history record and events: the one path for a status change."""
    before = snapshot(order, STATE_FIELDS)
    extra_events, parcel_events = [], []
    for flag, (method, verb, event_type, state) in _STATUS_TRANSITIONS.items():
        if not getattr(status, flag) or getattr(order, state):
            continue

        transition = getattr(order, method)
        if not can_proceed(transition):
            raise refuse(order, verb)
        if method == "cancel":
            parcel_events = drop_packed(order)
        transition()
        extra_events.append(event_type)
    order.status = status
    save_order(order)
    for parcel_event, payload in parcel_events:
        events.emit(order, parcel_event, {"actor": actor.name, "shipment": payload})
    events.record(
        order,
        actor=actor,
        history_type="status",
        name=f"Status changed to {status.name}",
        status=status.name,
        event_type=events.ORDER_STATUS_CHANGED,
        changes=diff(before, order),
        customer_visible=True,
        payload={"status": {"id": status.pk, "name": status.name}},
    )
    for event_type in extra_events:
        events.emit(order, event_type, {"actor": actor.name, "via_status": status.pk})
    return order
