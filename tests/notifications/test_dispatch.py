"""The outbox is written with the change, and the dispatcher turns it into deliveries
without losing or doubling any."""

import pytest
from django.db import transaction

from orders import services
from orders.events import order_event_committed
from orders.models import OrderEvent
from statuses import delivery
from statuses.models import Delivery
from tests.factories import (
    OrderStatusFactory,
    StatusNotificationFactory,
    WebhookSubscriptionFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def test_a_status_change_writes_its_event_and_announces_it_after_commit(
    actor, django_capture_on_commit_callbacks
):
    order = order_with_items()
    status = OrderStatusFactory()
    heard = []

    def listener(sender, event, **kwargs):
        heard.append(event)

    order_event_committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    finally:
        order_event_committed.disconnect(listener)

    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.type == "order.status_changed"
    assert event.payload["status_id"] == status.pk
    assert len(callbacks) == 1
    assert heard == [event]


def test_a_rolled_back_change_emits_nothing(actor, django_capture_on_commit_callbacks):
    order = order_with_items()
    status = OrderStatusFactory()
    before = OrderEvent.objects.count()

    def request_that_fails_after_the_service():
        with transaction.atomic():
            services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
            raise RuntimeError("the request failed after the service")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        request_that_fails_after_the_service()

    assert OrderEvent.objects.count() == before
    assert callbacks == []
    order.refresh_from_db()
    assert order.status_id != status.pk


def test_dispatch_makes_one_delivery_per_wanted_event_and_receiver(actor):
    paid_only = WebhookSubscriptionFactory(events=["order.paid"])
    everything = WebhookSubscriptionFactory(events=["order.created", "order.paid"])
    WebhookSubscriptionFactory(events=["order.paid"], active=False)
    order = order_with_items()
    services.order_mark_paid(order_id=order.pk, actor=actor)

    delivery.dispatch_events()

    made = sorted((d.target, d.event.type) for d in Delivery.objects.filter(order_id=order.pk))
    assert made == sorted(
        [
            (f"sub:{paid_only.pk}", "order.paid"),
            (f"sub:{everything.pk}", "order.created"),
            (f"sub:{everything.pk}", "order.paid"),
        ]
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {"pending"}


def test_dispatch_reads_each_event_once(actor):
    WebhookSubscriptionFactory(events=["order.paid"])
    order = order_with_items()
    services.order_mark_paid(order_id=order.pk, actor=actor)
    assert delivery.dispatch_events() > 0
    assert delivery.dispatch_events() == 0  # the cursor moved

    # Lowering paid is a correction: it needs a reason (services.payments).
    services.order_mark_paid(
        order_id=order.pk, actor=actor, amount=order.money * 0, reason="Entered by mistake"
    )
    delivery.dispatch_events()

    assert Delivery.objects.filter(order_id=order.pk).count() == 2


def test_events_committed_without_a_wake_up_are_still_dispatched(actor):
    # Tests never run on_commit callbacks: as if the process died right after the commit.
    WebhookSubscriptionFactory(events=["order.status_changed"])
    order = order_with_items()
    services.order_status_assign(order_id=order.pk, status_id=OrderStatusFactory().pk, actor=actor)

    events, _ = delivery.run_once()

    assert events >= 1
    assert Delivery.objects.filter(order_id=order.pk, event__type="order.status_changed").exists()


def test_receivers_added_later_do_not_get_old_events(actor):
    order = order_with_items()
    services.order_mark_paid(order_id=order.pk, actor=actor)
    WebhookSubscriptionFactory(events=["order.paid"])

    delivery.dispatch_events()

    assert not Delivery.objects.exists()


def test_a_status_notification_fires_only_for_its_status(actor):
    wanted, other = OrderStatusFactory(), OrderStatusFactory()
    note = StatusNotificationFactory(status=wanted, webhook_url="http://127.0.0.1:9/x")
    order = order_with_items()
    services.order_status_assign(order_id=order.pk, status_id=other.pk, actor=actor)
    services.order_status_assign(order_id=order.pk, status_id=wanted.pk, actor=actor)

    delivery.dispatch_events()

    rows = sorted(
        (d.order_id, d.kind, d.event.type) for d in Delivery.objects.filter(notification=note)
    )
    assert rows == sorted(
        [
            (order.pk, "email", "order.status_changed"),
            (order.pk, "webhook", "order.status_changed"),
        ]
    )
