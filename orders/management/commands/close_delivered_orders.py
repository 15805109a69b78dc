import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from orders.actors import Actor
from orders.closing import close_delivered_orders, delivered_cutoff, orders_to_close
from orders.money import round_money


class Command(BaseCommand):
    help = (
        "Mark done the open orders that were delivered more than N days ago and are paid in "
        "full, through the order services (history and events as for any change). "
        "--dry-run lists them without changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--after-days",
            type=int,
            required=True,
            metavar="N",
            help="Close orders delivered more than N days ago (N >= 0).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the orders that would be closed."
        )

    def handle(self, *args, after_days: int, dry_run: bool, **options):
        if after_days < 0:
            raise CommandError(_("--after-days must be 0 or more."))
        cutoff = delivered_cutoff(after_days)
        selected = orders_to_close(delivered_before=cutoff)
        if dry_run:
            count = 0
            for order_id, delivered, money, currency in selected.values_list(
                "pk", "date_delivered", "money", "order_currency_code"
            ).iterator(chunk_size=2000):
                day = timezone.localtime(delivered).date().isoformat()
                amount = round_money(money, currency)
                self.stdout.write(
                    _("Order %(id)s: delivered %(day)s, paid %(amount)s %(currency)s")
                    % {"id": order_id, "day": day, "amount": amount, "currency": currency}
                )
                count += 1
            self.stdout.write(
                ngettext(
                    "%(count)d order would be closed (dry run, nothing changed).",
                    "%(count)d orders would be closed (dry run, nothing changed).",
                    count,
                )
                % {"count": count}
            )
            return

        actor = Actor.for_command("close_delivered_orders")
        closed = 0
        with tqdm(
            total=selected.count(),
            unit="order",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ) as bar:
            for outcome in close_delivered_orders(delivered_before=cutoff, actor=actor):
                bar.update()
                if outcome.closed:
                    closed += 1
                else:
                    with tqdm.external_write_mode(file=sys.stderr):
                        self.stderr.write(
                            _("Order %(id)s left open: %(reason)s")
                            % {"id": outcome.order_id, "reason": outcome.reason}
                        )
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("Closed %(count)d order.", "Closed %(count)d orders.", closed)
                % {"count": closed}
            )
        )
