"""The order's lifecycle: paid, sent, delivered, done, canceled, and the instance statuses.

Rules (each is a row of the transition table in tests/orders/test_lifecycle.py):
- sent requires an open order; delivered requires an open, sent order.
- cancel requires an open order that is not delivered; done requires an open order.
- paid is refused on a canceled order (services.payments has its rules).
- Repeating a transition the order has already made (sent on a sent order) succeeds,
  changes nothing and writes no history, so clients can retry safely.
- An illegal transition raises TransitionNotAllowed, whose message names the current
  state and whose detail lists what is allowed now.
"""

from django.db import transaction
from django_fsm import can_proceed

from statuses.models import OrderStatus

from .. import events
from ..actors import Actor
from ..errors import InvalidInput
from ..models import Order
from ._common import diff, lock_order, refuse, save_order, snapshot

STATE_FIELDS = ("payment_state", "shipping_state", "closing_state", "status_id")


def _transition(
    order: Order, *, actor: Actor, method: str, verb: str, event_type: str, name: str
) -> Order:

    transition = getattr(order, method)
    if not can_proceed(transition):
        raise refuse(order, verb)
    before = snapshot(order, STATE_FIELDS)
    transition()
    save_order(order)
    events.record(
        order,
        actor=actor,
        history_type="state",
        name=name,
        event_type=event_type,
        changes=diff(before, order),
        customer_visible=True,
    )
    return order


@transaction.atomic
def order_mark_sent(*, order_id: int, actor: Actor) -> Order:
    """Mark the order sent. An order can be sent while it is open."""
    order = lock_order(order_id)
    if order.sent:
        return order
    return _transition(
        order,
        actor=actor,
        method="mark_sent",
        verb="marked sent",
        event_type=events.ORDER_SENT,
        name="Order sent",
    )


@transaction.atomic
def order_mark_delivered(*, order_id: int, actor: Actor) -> Order:
    """Mark the order delivered. It must be open and already sent."""
    order = lock_order(order_id)
    if order.delivered:
        return order
    return _transition(
        order,
        actor=actor,
        method="mark_delivered",
        verb="marked delivered",
        event_type=events.ORDER_DELIVERED,
        name="Order delivered",
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
        verb="marked done",
        event_type=events.ORDER_DONE,
        name="Order completed",
    )


@transaction.atomic
def order_cancel(*, order_id: int, actor: Actor) -> Order:
    """Cancel the order. An order can be canceled while it is open and not delivered;
    canceled is final."""
    order = lock_order(order_id)
    if order.canceled:
        return order
    return _transition(
        order,
        actor=actor,
        method="cancel",
        verb="canceled",
        event_type=events.ORDER_CANCELED,
        name="Order canceled",
    )


# Status flag -> (Order transition, verb, event, history name)
_STATUS_TRANSITIONS = {
    "complete_order": ("mark_done", "marked done", events.ORDER_DONE, "done"),
    "cancel_order": ("cancel", "canceled", events.ORDER_CANCELED, "canceled"),
}


@transaction.atomic
def order_status_assign(*, order_id: int, status_id: int, actor: Actor) -> Order:
    """Give the order one of the instance's statuses.

    A status with `complete_order` completes the order, one with `cancel_order`
    cancels it; if the order does not allow that, the status is not assigned either.
    """
    order = lock_order(order_id)
    try:
        status = OrderStatus.objects.get(pk=status_id)
    except (OrderStatus.DoesNotExist, ValueError, TypeError):
        raise InvalidInput(f"Unknown status {status_id}.", field="status_id") from None
    if order.status_id == status.pk:
        return order
    before = snapshot(order, STATE_FIELDS)
    extra_events = []
    for flag, (method, verb, event_type, state) in _STATUS_TRANSITIONS.items():
        if not getattr(status, flag) or getattr(order, state):
            continue

        transition = getattr(order, method)
        if not can_proceed(transition):
            raise refuse(order, verb)
        transition()
        extra_events.append(event_type)
    order.status = status
    save_order(order)
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
