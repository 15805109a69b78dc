"""manage.py deliver_events: the embedded engine when no broker is configured."""

import threading
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections

from notifications.management.commands import deliver_events
from notifications.models import Delivery
from orders import services
from tests.factories import (
    OrderStatusFactory,
    StatusNotificationFactory,
    WebhookSubscriptionFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def test_once_drains_the_outbox_and_reports(receiver, actor):
    status = OrderStatusFactory(name="Paid")
    StatusNotificationFactory(status=status, webhook_url=receiver.url)
    WebhookSubscriptionFactory(url=receiver.url, events=["order.status_changed"])
    order = order_with_items()
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    out = StringIO()

    call_command("deliver_events", "--once", stdout=out)

    assert "3 delivery attempts: 3 succeeded, 0 to retry, 0 failed." in out.getvalue()
    assert len(receiver.requests) == 2
    assert len(mail.outbox) == 1
    assert set(Delivery.objects.values_list("state", flat=True)) == {"succeeded"}


def test_once_with_nothing_to_do_says_so():
    out = StringIO()
    call_command("deliver_events", "--once", stdout=out)
    assert "0 new events; 0 delivery attempts" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_loop_mode_picks_up_new_events_until_stopped(receiver, actor):
    WebhookSubscriptionFactory(url=receiver.url, events=["order.paid"])
    order = order_with_items()
    command, out = deliver_events.Command(), StringIO()

    def run_loop():
        try:
            call_command(command, "--interval", "0.1", stdout=out)
        finally:
            connections.close_all()  # this thread's connection

    loop = threading.Thread(target=run_loop)
    loop.start()
    try:
        time.sleep(0.3)  # a few empty passes
        services.order_mark_paid(order_id=order.pk, actor=actor)
        receiver.wait_for(1, timeout=20)
    finally:
        command.stopping.set()  # what SIGTERM / Ctrl-C do
        loop.join(5)

    assert not loop.is_alive()
    assert [r.json["type"] for r in receiver.requests] == ["order.paid"]
    assert "1 delivery attempts: 1 succeeded" in out.getvalue()
