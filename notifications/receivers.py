"""Listeners of orders.events.order_event_committed: wake delivery up after a commit.

With a broker (CELERY_BROKER_URL) a Celery task drains the outbox; without one,
`manage.py deliver_events` polls it. Either way the outbox row is already committed, so
a lost wake-up (broker down, process killed) delays a delivery but never loses it.
"""

import logging

from django.conf import settings
from django.dispatch import receiver

from orders.events import order_event_committed

log = logging.getLogger(__name__)


def wake() -> bool:
    """Enqueue a delivery run when a broker is configured. True if one was enqueued."""
    if not settings.CELERY_BROKER_URL:
        return False
    from .tasks import deliver_events

    try:
        deliver_events.apply_async(retry=False)
    except Exception:  # the broker is down: the beat schedule or the next wake-up catches up
        log.warning("could not enqueue a delivery run", exc_info=True)
        return False
    return True


@receiver(order_event_committed, dispatch_uid="notifications.wake_delivery")
def wake_delivery(sender, event, **kwargs):
    """An event committed: deliver it (and anything else due) now rather than later."""
    wake()
