"""The transition table: every lifecycle action from every reachable state."""

from decimal import Decimal

import pytest

from orders import services
from orders.errors import ItemsLocked, TransitionNotAllowed
from orders.models import HistoryRecord, Order, OrderEvent, Shipment
from statuses.models import OrderStatus
from tests.factories import OrderStatusFactory, order_with_items

# The table counts one save and one history record per transition.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_status_follows")]


def refund(amount=None):
    """A refund of `amount`, or of everything the order holds."""

    def run(*, order_id, actor):
        held = Order.objects.get(pk=order_id).paid
        return services.order_refund(
            order_id=order_id, actor=actor, amount=amount or held, reason="Goodwill"
        )

    return run


def lower_paid(*, order_id, actor):
    """A correction of paid 5.00 down (to no less than 0), with its reason."""
    paid = Order.objects.get(pk=order_id).paid
    return services.order_mark_paid(
        order_id=order_id, actor=actor, amount=max(paid - 5, Decimal("0")), reason="Typo"
    )


# The actions of the table, one column each.
ACTIONS = {
    "sent": services.order_mark_sent,
    "delivered": services.order_mark_delivered,
    "done": services.order_mark_done,
    "cancel": services.order_cancel,
    "paid": services.order_mark_paid,
    "refund": refund(Decimal("5")),
    "lower_paid": lower_paid,
}


def ship_first(*, order_id, actor):
    """A parcel with all of the first line (1 of the order's 3 units), sent."""
    item = Order.objects.get(pk=order_id).items.order_by("id").first()
    parcel = services.shipment_create(order_id=order_id, actor=actor, lines=[(item.pk, 1)])
    return services.shipment_mark_sent(order_id=order_id, shipment_id=parcel.pk, actor=actor)


def deliver_first(*, order_id, actor):
    """The first parcel arrives."""
    parcel = Shipment.objects.filter(order_id=order_id).order_by("id").first()
    return services.shipment_mark_delivered(order_id=order_id, shipment_id=parcel.pk, actor=actor)


# How to bring a new order (36.30, unpaid) into each reachable state.
STEPS = {
    **ACTIONS,
    "refund_all": refund(),
    "ship_first": ship_first,
    "deliver_first": deliver_first,
}
SETUPS = {
    "open": [],
    "sent": ["sent"],
    "delivered": ["sent", "delivered"],
    "done": ["done"],
    "sent_done": ["sent", "done"],
    "delivered_done": ["sent", "delivered", "done"],
    "canceled": ["cancel"],
    "sent_canceled": ["sent", "cancel"],
    "paid": ["paid"],
    "paid_done": ["paid", "done"],
    "paid_canceled": ["paid", "cancel"],
    "partially_refunded": ["paid", "refund"],
    "partially_refunded_done": ["paid", "done", "refund"],
    "refunded": ["paid", "refund_all"],
    "refunded_canceled": ["paid", "cancel", "refund_all"],
    # Parcels: some units sent (partially sent), then all sent and some delivered.
    "partially_sent": ["ship_first"],
    "partially_sent_done": ["ship_first", "done"],
    "partially_sent_canceled": ["ship_first", "cancel"],
    "partially_delivered": ["ship_first", "sent", "deliver_first"],
    "partially_delivered_done": ["ship_first", "sent", "deliver_first", "done"],
    "paid_partially_delivered": ["paid", "ship_first", "sent", "deliver_first"],
}

OK, NOOP, REFUSED = "ok", "noop", "refused"

# A refund needs money held, in any closing state, and leaves done and canceled as they
# are; paid may fall (a correction, with a reason) only on an open order. With parcels:
# sent ships what is left of a partially sent order; delivered needs everything sent;
# cancel is refused once a unit was delivered (partially delivered).
TABLE = {
    #                  sent     delivered done     cancel   paid     refund   lower_paid
    "open": (OK, REFUSED, OK, OK, OK, REFUSED, NOOP),
    "sent": (NOOP, OK, OK, OK, OK, REFUSED, NOOP),
    "delivered": (NOOP, NOOP, OK, REFUSED, OK, REFUSED, NOOP),
    "done": (REFUSED, REFUSED, NOOP, REFUSED, OK, REFUSED, NOOP),
    "sent_done": (NOOP, REFUSED, NOOP, REFUSED, OK, REFUSED, NOOP),
    "delivered_done": (NOOP, NOOP, NOOP, REFUSED, OK, REFUSED, NOOP),
    "canceled": (REFUSED, REFUSED, REFUSED, NOOP, REFUSED, REFUSED, REFUSED),
    "sent_canceled": (NOOP, REFUSED, REFUSED, NOOP, REFUSED, REFUSED, REFUSED),
    "paid": (OK, REFUSED, OK, OK, NOOP, OK, OK),
    "paid_done": (REFUSED, REFUSED, NOOP, REFUSED, NOOP, OK, REFUSED),
    "paid_canceled": (REFUSED, REFUSED, REFUSED, NOOP, REFUSED, OK, REFUSED),
    "partially_refunded": (OK, REFUSED, OK, OK, NOOP, OK, OK),
    "partially_refunded_done": (REFUSED, REFUSED, NOOP, REFUSED, NOOP, OK, REFUSED),
    "refunded": (OK, REFUSED, OK, OK, NOOP, REFUSED, NOOP),
    "refunded_canceled": (REFUSED, REFUSED, REFUSED, NOOP, REFUSED, REFUSED, REFUSED),
    "partially_sent": (OK, REFUSED, OK, OK, OK, REFUSED, NOOP),
    "partially_sent_done": (REFUSED, REFUSED, NOOP, REFUSED, OK, REFUSED, NOOP),
    "partially_sent_canceled": (REFUSED, REFUSED, REFUSED, NOOP, REFUSED, REFUSED, REFUSED),
    "partially_delivered": (NOOP, OK, OK, REFUSED, OK, REFUSED, NOOP),
    "partially_delivered_done": (NOOP, REFUSED, NOOP, REFUSED, OK, REFUSED, NOOP),
    "paid_partially_delivered": (NOOP, OK, OK, REFUSED, NOOP, OK, OK),
}

ROWS = [
    (state, action, expected)
    for state, outcomes in TABLE.items()
    for action, expected in zip(ACTIONS, outcomes, strict=True)
]


def order_in(state: str, actor) -> Order:
    order = order_with_items(items=2)
    for step in SETUPS[state]:
        STEPS[step](order_id=order.pk, actor=actor)
    return Order.objects.get(pk=order.pk)


def flags(order: Order) -> dict:
    return {
        "sent": order.sent,
        "delivered": order.delivered,
        "done": order.done,
        "canceled": order.canceled,
        "payment": order.payment_state,
        "paid": order.paid,
        "refunded": order.refunded,
    }


@pytest.mark.parametrize(("state", "action", "expected"), ROWS)
def test_transition_table(state, action, expected, actor):
    # given an order in `state`
    order = order_in(state, actor)
    before, history_before = flags(order), order.history.count()

    # when the action is asked for
    if expected == REFUSED:
        with pytest.raises(TransitionNotAllowed) as refused:
            ACTIONS[action](order_id=order.pk, actor=actor)
        # then it is refused with a stable code, naming the state and what is allowed
        assert refused.value.code == "transition_not_allowed"
        assert f"Order {order.pk} cannot be" in refused.value.message
        assert "Allowed now:" in refused.value.detail
    else:
        ACTIONS[action](order_id=order.pk, actor=actor)

    after = Order.objects.get(pk=order.pk)
    if expected == OK:
        assert flags(after) != before
        assert after.version == order.version + 1
        assert after.history.count() == history_before + 1
    else:  # a retry or a refusal changes nothing and writes no history
        assert flags(after) == before
        assert after.version == order.version
        assert after.history.count() == history_before


@pytest.mark.parametrize(
    ("state", "shipping_state"),
    [
        ("open", "pending"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("partially_sent", "partially_sent"),
        ("partially_sent_canceled", "partially_sent"),
        ("partially_delivered", "partially_delivered"),
    ],
)
def test_the_setups_reach_their_shipping_state(state, shipping_state, actor):
    assert order_in(state, actor).shipping_state == shipping_state


def test_flags_follow_the_states(actor):
    order = order_in("delivered_done", actor)
    assert (order.sent, order.delivered, order.done, order.canceled) == (True, True, True, False)
    assert order.date_sent
    assert order.date_delivered
    assert order.date_done
    assert order.date_canceled is None


def test_refusal_names_the_current_state(actor):
    order = order_in("canceled", actor)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_mark_sent(order_id=order.pk, actor=actor)
    assert (
        refused.value.message
        == f"Order {order.pk} cannot be marked sent: it is canceled, not sent, unpaid."
    )
    assert refused.value.detail == "Allowed now: nothing."


def test_paid_defaults_to_the_full_money(actor):
    order = order_with_items(items=2)  # 1 + 2 units at 12.10
    paid = services.order_mark_paid(
        order_id=order.pk, actor=actor, payment_id="GP-1", payment_status="PAID"
    )
    assert paid.paid == Decimal("36.30")
    assert paid.payment_state == "paid"
    assert paid.external_payment_id == "GP-1"
    assert paid.date_paid is not None


def test_partial_payment_then_full(actor):
    order = order_with_items(items=1)  # 12.10
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("5"))
    assert Order.objects.get(pk=order.pk).payment_state == "partially_paid"
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("12.10"))
    assert Order.objects.get(pk=order.pk).payment_state == "paid"


def test_same_payment_twice_writes_history_once(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    assert order.history.filter(type="payment").count() == 1


def test_negative_payment_is_refused(actor):
    from orders.errors import InvalidInput

    order = order_with_items(items=1)
    with pytest.raises(InvalidInput):
        services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("-1"))
    assert Order.objects.get(pk=order.pk).paid == 0


def test_adding_an_item_to_a_paid_order_makes_it_partially_paid(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_item_add(
        order_id=order.pk,
        actor=actor,
        item=services.ItemData(name="Extra", count=1, vat=Decimal("21"), final_price=Decimal("1")),
    )
    assert Order.objects.get(pk=order.pk).payment_state == "partially_paid"


@pytest.mark.parametrize(
    "state", ["sent", "done", "canceled", "delivered", "partially_delivered", "partially_sent_done"]
)
def test_items_are_locked_unless_open_and_not_fully_sent(state, actor):
    order = order_in(state, actor)
    item = order.items.first()
    new = services.ItemData(name="X", count=1, vat=Decimal("21"), final_price=Decimal("1"))
    with pytest.raises(ItemsLocked):
        services.order_item_add(order_id=order.pk, actor=actor, item=new)
    with pytest.raises(ItemsLocked):
        services.order_item_update(order_id=order.pk, item_id=item.pk, actor=actor, item=new)
    with pytest.raises(ItemsLocked):
        services.order_item_remove(order_id=order.pk, item_id=item.pk, actor=actor)
    assert order.items.count() == 2
    assert Order.objects.get(pk=order.pk).money == order.money


# --- statuses ---------------------------------------------------------------------------


def test_assigning_a_plain_status(actor):
    order = order_with_items()
    status = OrderStatusFactory()
    updated = services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    assert updated.status == status
    assert not updated.done
    assert not updated.canceled
    record = order.history.get(type="status")
    assert record.name == f"Status changed to {status.name}"
    assert record.changes == {"status_id": [None, status.pk]}


def test_a_complete_order_status_completes_the_order(actor):
    order = order_with_items()
    completed = OrderStatus.objects.get(complete_order=True)
    updated = services.order_status_assign(order_id=order.pk, status_id=completed.pk, actor=actor)
    assert updated.done
    assert set(OrderEvent.objects.filter(order=order).values_list("type", flat=True)) == {
        "order.created",
        "order.status_changed",
        "order.done",
    }


def test_a_cancel_status_on_a_delivered_order_is_refused_and_not_assigned(actor):
    order = order_in("delivered", actor)
    canceled = OrderStatus.objects.get(cancel_order=True)
    with pytest.raises(TransitionNotAllowed):
        services.order_status_assign(order_id=order.pk, status_id=canceled.pk, actor=actor)
    after = Order.objects.get(pk=order.pk)
    assert after.status_id is None
    assert not after.canceled


def test_a_cancel_status_on_a_canceled_order_is_just_assigned(actor):
    order = order_in("canceled", actor)
    canceled = OrderStatus.objects.get(cancel_order=True)
    updated = services.order_status_assign(order_id=order.pk, status_id=canceled.pk, actor=actor)
    assert updated.status == canceled


def test_assigning_the_same_status_again_changes_nothing(actor):
    order = order_with_items()
    status = OrderStatusFactory()
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    count = HistoryRecord.objects.filter(order=order).count()
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    assert HistoryRecord.objects.filter(order=order).count() == count


def test_unknown_status_is_invalid_input(actor):
    from orders.errors import InvalidInput

    order = order_with_items()
    with pytest.raises(InvalidInput) as error:
        services.order_status_assign(order_id=order.pk, status_id=999999, actor=actor)
    assert error.value.field == "status_id"
