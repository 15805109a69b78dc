"""Celery task: drain the outbox and deliver what is due (used when a broker is set)."""

import logging

from celery import shared_task

from . import delivery
from .models import DeliveryState

log = logging.getLogger(__name__)


@shared_task(name="notifications.deliver_events", ignore_result=True)
def deliver_events() -> dict:
    """Dispatch new outbox events and deliver due deliveries. Idempotent: any number of
    these may run at once. A delivery that failed and will be retried schedules one task
    for its next attempt; the beat schedule (CELERY_BEAT_SCHEDULE) is the safety net."""
    events, tried = delivery.run_once()
    retries = [d.next_attempt_at for d in tried if d.state == DeliveryState.PENDING]
    if retries:
        deliver_events.apply_async(eta=min(retries))
    return {"events": events, "attempts": len(tried)}


@shared_task(name="statuses.deliver_events", ignore_result=True)
def deliver_events_by_its_old_name() -> dict:
    """The same run under the task's name from before the move to this app: tasks queued
    by a web process (or a retry ETA) of the previous release are still run, not dropped
    as unregistered, while a deploy rolls out. Nothing enqueues this name any more."""
    return deliver_events()
