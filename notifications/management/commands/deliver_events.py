"""Deliver webhooks and e-mails without a broker: drain the outbox and the due retries."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from notifications import delivery
from notifications.models import DeliveryState


class Command(BaseCommand):
    help = (
        "Turn new order events into deliveries and send the due ones (webhooks, e-mails). "
        "Loops every --interval seconds; --once drains what is due now and exits. "
        "Any number may run at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds between passes in loop mode (default 5).",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = threading.Event()

    def handle(self, *args, once=False, interval=5.0, **options):
        if interval <= 0:
            interval = 5.0
        if not once:
            if threading.current_thread() is threading.main_thread():
                # Finish the delivery in flight on Ctrl-C / SIGTERM instead of dying mid-way.
                signal.signal(signal.SIGTERM, self._stop)
                signal.signal(signal.SIGINT, self._stop)
            self.stdout.write(
                _("Delivering events every %(seconds)ss (Ctrl-C stops).")
                % {"seconds": f"{interval:g}"}
            )
        while True:
            events, tried = delivery.run_once()
            if events or tried or once:
                self._report(events, tried)
            if once or self.stopping.wait(interval):
                return

    def _stop(self, signum, frame):
        self.stopping.set()

    def _report(self, events: int, tried: list) -> None:
        counts = {state: 0 for state in DeliveryState.values}
        for d in tried:
            counts[d.state] += 1
        self.stdout.write(
            _(
                "%(events)d new events; %(attempts)d delivery attempts: %(succeeded)d "
                "succeeded, %(pending)d to retry, %(failed)d failed."
            )
            % {
                "events": events,
                "attempts": len(tried),
                "succeeded": counts["succeeded"],
                "pending": counts["pending"],
                "failed": counts["failed"],
            }
        )
