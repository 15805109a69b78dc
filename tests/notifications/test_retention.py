"""Old outbox events go once every receiver is done with them; nothing else does."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications.delivery import CURSOR_NAME
from notifications.models import Delivery, DeliveryAttempt, OutboxCursor
from orders.models import OrderEvent
from tests.factories import DeliveryAttemptFactory, DeliveryFactory, OrderEventFactory

pytestmark = pytest.mark.django_db


def aged(event, days):
    OrderEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=days))
    return event


@pytest.fixture
def outbox():
    done = aged(OrderEventFactory(), 40)  # delivered long ago
    DeliveryAttemptFactory(delivery=DeliveryFactory(event=done, state="succeeded"))
    waiting = aged(OrderEventFactory(), 40)  # a receiver still retries it
    DeliveryFactory(event=waiting, state="pending")
    recent = aged(OrderEventFactory(), 2)
    OutboxCursor.objects.create(name=CURSOR_NAME, txid=0, event_id=recent.pk)
    unread = aged(OrderEventFactory(), 40)  # after the dispatcher's cursor
    return {"done": done, "waiting": waiting, "recent": recent, "unread": unread}


def test_purge_deletes_only_finished_old_events(outbox, capsys):
    call_command("purge_events", older_than_days=30, verbosity=0)

    left = set(OrderEvent.objects.values_list("pk", flat=True))
    assert left == {outbox[k].pk for k in ("waiting", "recent", "unread")}
    assert not Delivery.objects.filter(event_id=outbox["done"].pk).exists()
    assert not DeliveryAttempt.objects.exists()
    assert "Deleted 1 event." in capsys.readouterr().out


def test_dry_run_counts_and_deletes_nothing(outbox, capsys):
    call_command("purge_events", older_than_days=30, dry_run=True)
    assert "1 event would be deleted." in capsys.readouterr().out
    assert OrderEvent.objects.count() == 4


def test_nothing_goes_before_the_dispatcher_has_run():
    aged(OrderEventFactory(), 40)
    call_command("purge_events", older_than_days=30, verbosity=0)
    assert OrderEvent.objects.count() == 1


def test_the_period_must_be_positive():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_events", older_than_days=0)
