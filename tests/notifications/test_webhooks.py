"""Webhooks against a real HTTP server: signed, retried with backoff, stopped by 4xx,
in order per order."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import delivery, webhooks
from notifications.models import Delivery
from orders import services
from orders.models import OrderEvent
from tests.factories import OrderStatusFactory, WebhookSubscriptionFactory, order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(receiver):
    return WebhookSubscriptionFactory(
        url=receiver.url, secret="s3cret", events=["order.status_changed", "order.paid"]
    )


def change_status(order, actor):
    return services.order_status_assign(
        order_id=order.pk, status_id=OrderStatusFactory().pk, actor=actor
    )


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(subscription, receiver, actor):
    order = change_status(order_with_items(), actor)

    delivery.run_once()

    [request] = receiver.requests
    event = Delivery.objects.get().event
    assert request.headers["X-Webhook-Id"] == f"evt_{event.pk}"
    assert request.headers["Content-Type"] == "application/json"
    assert webhooks.verify("s3cret", request.headers, request.body)
    assert not webhooks.verify("another secret", request.headers, request.body)
    assert not webhooks.verify("s3cret", request.headers, request.body + b" ")
    assert request.json["type"] == "order.status_changed"
    assert request.json["order_id"] == order.pk
    assert request.json["data"]["status_id"] == order.status_id
    assert Delivery.objects.get().state == "succeeded"


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body(subscription, receiver, actor):
    import hashlib
    import hmac

    change_status(order_with_items(), actor)
    delivery.run_once()

    [request] = receiver.requests
    timestamp = request.headers["X-Webhook-Timestamp"]
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + request.body, hashlib.sha256)
    assert request.headers["X-Webhook-Signature"] == "sha256=" + expected.hexdigest()
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60


def test_a_failing_receiver_is_retried_with_exponential_backoff(subscription, receiver, actor):
    receiver.script = [500, 503]  # then 200
    change_status(order_with_items(), actor)
    t0 = timezone.now()

    delivery.run_once(now=t0)
    row = Delivery.objects.get()
    assert (row.state, row.attempts, row.last_response_code) == ("pending", 1, 500)
    assert row.next_attempt_at == t0 + timedelta(seconds=10)

    assert delivery.deliver_due(now=t0 + timedelta(seconds=9)) == []  # not due yet
    delivery.deliver_due(now=t0 + timedelta(seconds=10))
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_response_code) == ("pending", 2, 503)
    assert row.next_attempt_at == t0 + timedelta(seconds=10 + 20)

    delivery.deliver_due(now=t0 + timedelta(seconds=30))
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_response_code) == ("succeeded", 3, 200)
    assert [a.response_code for a in row.attempt_log.all()] == [500, 503, 200]
    # The same event id on every try: the receiver drops duplicates by it.
    assert len({r.headers["X-Webhook-Id"] for r in receiver.requests}) == 1
    assert len(receiver.requests) == 3


def test_after_the_last_attempt_the_delivery_is_failed(subscription, receiver, actor):
    receiver.default = 502
    change_status(order_with_items(), actor)
    now = timezone.now()

    for _ in range(10):
        delivery.run_once(now=now)
        now += timedelta(hours=2)

    row = Delivery.objects.get()
    assert (row.state, row.attempts) == ("failed", 4)  # DELIVERY_MAX_ATTEMPTS in conftest
    assert row.next_attempt_at is None
    assert len(receiver.requests) == 4


@pytest.mark.parametrize(
    ("status", "state", "tries"),
    [
        (400, "failed", 1),
        (404, "failed", 1),
        (410, "failed", 1),
        (408, "succeeded", 2),
        (429, "succeeded", 2),
        (500, "succeeded", 2),
    ],
)
def test_4xx_stops_but_408_429_and_5xx_retry(subscription, receiver, actor, status, state, tries):
    receiver.script = [status]
    change_status(order_with_items(), actor)
    now = timezone.now()

    delivery.run_once(now=now)
    delivery.run_once(now=now + timedelta(minutes=1))

    row = Delivery.objects.get()
    assert (row.state, len(receiver.requests)) == (state, tries)
    assert row.attempt_log.first().response_code == status


def test_a_timeout_is_retried(subscription, receiver, actor, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.2
    receiver.delay = 0.5
    change_status(order_with_items(), actor)

    delivery.run_once()

    row = Delivery.objects.get()
    assert row.state == "pending"
    assert row.last_response_code is None
    assert "timed out" in row.last_error


def test_a_refused_connection_is_retried(actor):
    WebhookSubscriptionFactory(url="http://127.0.0.1:9/closed", events=["order.status_changed"])
    change_status(order_with_items(), actor)

    delivery.run_once()

    row = Delivery.objects.get()
    assert (row.state, row.last_response_code) == ("pending", None)
    assert "connection failed" in row.last_error


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_a_later_event_of_the_same_order_waits_for_the_earlier_one(subscription, receiver, actor):
    receiver.script = [500]  # the first request (order A's status change) fails once
    order_a, order_b = order_with_items(), order_with_items()
    change_status(order_a, actor)
    services.order_mark_paid(order_id=order_a.pk, actor=actor)
    change_status(order_b, actor)
    t0 = timezone.now()

    delivery.run_once(now=t0)
    # A's paid event waits behind its failed status change; B is not held up by A.
    seen = [(r.json["order_id"], r.json["type"]) for r in receiver.requests]
    assert seen == [(order_a.pk, "order.status_changed"), (order_b.pk, "order.status_changed")]

    delivery.run_once(now=t0 + timedelta(seconds=10))
    seen = [(r.json["order_id"], r.json["type"]) for r in receiver.requests[2:]]
    assert seen == [(order_a.pk, "order.status_changed"), (order_a.pk, "order.paid")]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"succeeded"}


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_an_earlier_event_that_failed_for_good_unblocks_the_next(subscription, receiver, actor):
    receiver.script = [400]
    order = order_with_items()
    change_status(order, actor)
    services.order_mark_paid(order_id=order.pk, actor=actor)

    delivery.run_once()

    states = list(Delivery.objects.order_by("event_id").values_list("event__type", "state"))
    assert states == [("order.status_changed", "failed"), ("order.paid", "succeeded")]


def test_redeliver_sends_a_failed_delivery_again(subscription, receiver, actor):
    receiver.script = [400]
    change_status(order_with_items(), actor)
    delivery.run_once()
    row = Delivery.objects.get()
    assert row.state == "failed"

    delivery.redeliver([row])
    delivery.run_once()

    row.refresh_from_db()
    assert row.state == "succeeded"
    assert [(a.number, a.response_code) for a in row.attempt_log.all()] == [(1, 400), (2, 200)]
    ids = [r.headers["X-Webhook-Id"] for r in receiver.requests]
    assert ids[0] == ids[1]


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_runs_out(subscription, actor):
    change_status(order_with_items(), actor)
    delivery.dispatch_events()
    now = timezone.now()

    [first] = delivery.claim_due(now)
    assert delivery.claim_due(now) == []  # another worker finds nothing to do
    # The first worker died without reporting: after the lease the delivery is due again.
    [again] = delivery.claim_due(now + timedelta(minutes=5))
    assert again.pk == first.pk
    assert again.attempts == 2


def test_webhook_body_is_compact_sorted_json(subscription, receiver, actor):
    change_status(order_with_items(), actor)
    delivery.run_once()
    body = receiver.requests[0].body
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True).encode()


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_an_event_dispatched_early_waits_for_its_orders_earlier_event(
    subscription, receiver, actor
):
    order = change_status(order_with_items(), actor)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    status_changed, paid = OrderEvent.objects.filter(order=order).order_by("id")[1:]
    # PostgreSQL interleaving: the paid event's transaction took its id first, so the
    # outbox (read in txid order) hands out the paid event before the status change.
    OrderEvent.objects.filter(pk=paid.pk).update(txid=100)
    OrderEvent.objects.filter(pk=status_changed.pk).update(txid=200)
    OrderEvent.objects.filter(order=order, txid__isnull=True).update(txid=50)

    delivery.dispatch_events(batch=2)  # order.created and order.paid
    assert delivery.deliver_due() == []  # paid waits: the status change is not dispatched

    delivery.run_once()
    assert [r.json["type"] for r in receiver.requests] == ["order.status_changed", "order.paid"]


def test_a_delivery_whose_workers_keep_dying_ends_failed(subscription, receiver, actor):
    change_status(order_with_items(), actor)
    delivery.dispatch_events()
    now = timezone.now()
    for _ in range(4):  # DELIVERY_MAX_ATTEMPTS claims, each by a worker that never reports
        assert len(delivery.claim_due(now)) == 1
        now += timedelta(minutes=5)

    [tried] = delivery.deliver_due(now)

    assert (tried.state, tried.attempts) == ("failed", 4)
    assert "no result from the last attempt" in tried.last_error
    assert receiver.requests == []
