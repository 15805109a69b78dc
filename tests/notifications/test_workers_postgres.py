"""Two workers at once on PostgreSQL: a delivery another worker holds is skipped, not
waited for and not taken twice."""

import threading
import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from notifications import delivery
from notifications.models import Delivery
from orders import services
from tests.factories import WebhookSubscriptionFactory, order_with_items

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_claiming_skips_rows_locked_by_another_worker(actor):
    WebhookSubscriptionFactory(events=["order.paid"])
    orders = [order_with_items(), order_with_items()]
    for order in orders:
        services.order_mark_paid(order_id=order.pk, actor=actor)
    # Cluster-wide transaction ids: another database's open transaction may hold the
    # outbox back for a moment (parallel test runs); dispatch reads it once it is safe.
    deadline = time.monotonic() + 20
    while Delivery.objects.count() < 2 and time.monotonic() < deadline:
        delivery.dispatch_events()
        time.sleep(0.1)
    first, second = Delivery.objects.order_by("id")
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        claimed = delivery.claim_due(timezone.now())  # would block without SKIP LOCKED
    finally:
        release.set()
        thread.join(10)

    assert [d.pk for d in claimed] == [second.pk]
