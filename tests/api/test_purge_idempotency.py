from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import IdempotencyRecord
from tests.factories import IdempotencyRecordFactory

pytestmark = pytest.mark.django_db


def test_only_records_past_the_replay_window_are_deleted(capsys):
    old = IdempotencyRecordFactory()
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    fresh = IdempotencyRecordFactory()

    call_command("purge_idempotency_records")

    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "Deleted 1 expired" in capsys.readouterr().out
