"""Statuses that follow the order (issue 13): each lifecycle event gives the order the
status configured to follow it, and a status that contradicts a final state is refused.

The default statuses (migrations 0002 and 0007) follow: Paid paid, Shipped sent,
Delivered delivered, Completed done, Canceled canceled.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orders import services
from orders.errors import TransitionNotAllowed
from orders.models import Order, OrderEvent
from statuses.models import OrderStatus
from tests.factories import OrderStatusFactory, order_with_items

pytestmark = pytest.mark.django_db


def status_named(name: str) -> OrderStatus:
    return OrderStatus.objects.get(name=name)


def mark_paid(*, order_id, actor):
    return services.order_mark_paid(order_id=order_id, actor=actor)


# event: (the steps before it, the service that makes it, the default status following it)
EVENTS = {
    "paid": ([], mark_paid, "Paid"),
    "sent": ([], services.order_mark_sent, "Shipped"),
    "delivered": ([services.order_mark_sent], services.order_mark_delivered, "Delivered"),
    "done": ([], services.order_mark_done, "Completed"),
    "canceled": ([], services.order_cancel, "Canceled"),
}


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_assigns_the_status_following_it(event, actor):
    # given an open order that has the hand-picked status Processing
    steps, service, follower = EVENTS[event]
    order = order_with_items(items=2)
    services.order_status_assign(
        order_id=order.pk, status_id=status_named("Processing").pk, actor=actor
    )
    for step in steps:
        step(order_id=order.pk, actor=actor)
    events_before = OrderEvent.objects.filter(order=order, type="order.status_changed").count()

    # when the event happens
    service(order_id=order.pk, actor=actor)

    # then the order has the following status, with its history record and event
    after = Order.objects.get(pk=order.pk)
    assert after.status.name == follower
    record = after.history.filter(type="status").latest("id")
    assert record.name == f"Status changed to {follower}"
    assert record.changes["status_id"][1] == after.status_id
    changed = OrderEvent.objects.filter(order=order, type="order.status_changed")
    assert changed.count() == events_before + 1


@pytest.mark.parametrize("event", EVENTS)
def test_without_a_follower_the_status_is_unchanged(event, actor):
    OrderStatus.objects.update(follows="")
    steps, service, _ = EVENTS[event]
    order = order_with_items(items=2)
    processing = status_named("Processing")
    services.order_status_assign(order_id=order.pk, status_id=processing.pk, actor=actor)
    for step in steps:
        step(order_id=order.pk, actor=actor)

    service(order_id=order.pk, actor=actor)

    assert Order.objects.get(pk=order.pk).status == processing


def test_a_partial_payment_assigns_no_follower_until_paid_in_full(actor):
    order = order_with_items(items=1)  # 12.10

    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("5"))
    assert Order.objects.get(pk=order.pk).status_id is None

    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("12.10"))
    assert Order.objects.get(pk=order.pk).status.name == "Paid"


def test_paid_after_delivery_keeps_the_later_status(actor):
    # cash on delivery: sent, delivered, then paid
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_mark_delivered(order_id=order.pk, actor=actor)

    services.order_mark_paid(order_id=order.pk, actor=actor)

    after = Order.objects.get(pk=order.pk)
    assert after.payment_state == "paid"
    assert after.status.name == "Delivered"


def test_paid_after_done_keeps_completed(actor):
    order = order_with_items(items=1)
    services.order_mark_done(order_id=order.pk, actor=actor)

    services.order_mark_paid(order_id=order.pk, actor=actor)

    assert Order.objects.get(pk=order.pk).status.name == "Completed"


def test_a_completing_status_chosen_by_hand_stays(actor):
    # a shop's own "Picked up" completes the order; done's follower does not replace it
    picked_up = OrderStatusFactory(name="Picked up", complete_order=True)
    order = order_with_items(items=1)

    updated = services.order_status_assign(order_id=order.pk, status_id=picked_up.pk, actor=actor)

    assert updated.done
    assert Order.objects.get(pk=order.pk).status == picked_up
    assert updated.history.filter(type="status").count() == 1


@pytest.mark.parametrize(
    ("final", "state"), [(services.order_mark_done, "done"), (services.order_cancel, "canceled")]
)
@pytest.mark.parametrize("name", ["New", "Paid", "Processing"])
def test_an_open_order_status_on_a_final_order_is_refused(final, state, name, actor):
    # given a done or canceled order
    order = order_with_items(items=1)
    final(order_id=order.pk, actor=actor)
    order = Order.objects.get(pk=order.pk)
    history = order.history.count()

    # when an open-order status is assigned, it is refused like a refused transition
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_status_assign(
            order_id=order.pk, status_id=status_named(name).pk, actor=actor
        )

    assert refused.value.code == "transition_not_allowed"
    assert refused.value.message.startswith(
        f"Order {order.pk} cannot be given the status {name}: it is {state}, "
    )
    assert refused.value.detail.startswith("Allowed now:")
    after = Order.objects.get(pk=order.pk)
    assert (after.status_id, after.version, after.history.count()) == (
        order.status_id,
        order.version,
        history,
    )


def test_two_statuses_cannot_follow_one_event():
    second = OrderStatusFactory.build(name="Dispatched", follows="sent")
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert error.value.messages == ["Another status already follows this event."]


@pytest.mark.parametrize(
    ("follows", "flags"),
    [
        ("sent", {"complete_order": True}),
        ("paid", {"cancel_order": True}),
        ("done", {}),
        ("done", {"cancel_order": True}),
        ("canceled", {}),
    ],
)
def test_a_follower_must_mean_what_its_event_means(follows, flags):
    OrderStatus.objects.update(follows="")
    status = OrderStatusFactory.build(name="Odd", follows=follows, **flags)
    with pytest.raises(ValidationError) as error:
        status.full_clean()
    assert "must complete the order" in " ".join(error.value.messages)
