import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from invoices.checks import check_invoices
from orders.checks import check_orders
from orders.counts import count_problems
from orders.models import Order


class Command(BaseCommand):
    help = (
        "Verify every order's invariants: money, money_base and weight equal the sums of its "
        "lines (goods + fees - discounts) and the VAT by rate adds up to money; the discount "
        "lines are what its discount makes of the goods; paid and refunded are the sums of "
        "its payment records and no more was refunded than paid in; the payment state "
        "agrees with paid, refunded and money; the shipping and closing states agree with "
        'their dates; every order has its "created" history record; its invoice and credit '
        "notes add up and never take back more than was invoiced, and every number series "
        "is unbroken; the order counters equal the orders they count (PostgreSQL). "
        "Prints each problem (order id and what) and exits non-zero if there is any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=2000,
            help="Orders read per query (default 2000).",
        )

    def handle(self, *args, chunk_size: int, **options):
        if chunk_size < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        problems, orders_with_problems, checked = 0, set(), 0

        def progress(count: int) -> None:
            nonlocal checked
            checked += count
            bar.update(count)

        with tqdm(
            total=Order.objects.count(),
            unit="order",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ) as bar:
            for problem in check_orders(chunk_size=chunk_size, progress=progress):
                problems += 1
                orders_with_problems.add(problem.order_id)
                with tqdm.external_write_mode(file=sys.stderr):
                    self.stdout.write(str(problem))
        # The invoices' own invariants (invoices/checks.py): totals, credit notes, series.
        for problem in check_invoices():
            problems += 1
            orders_with_problems.add(problem.order_id)
            self.stdout.write(str(problem))
        # The order counters (orders/counts.py) against the orders they count.
        counters = count_problems()
        for problem in counters:
            self.stdout.write(problem)
        failures = []
        if problems:
            failures.append(
                _("%(problems)d problems in %(orders)d of %(checked)d orders")
                % {"problems": problems, "orders": len(orders_with_problems), "checked": checked}
            )
        if counters:
            failures.append(
                _("%(counters)d order counters differ from the orders")
                % {"counters": len(counters)}
            )
        if failures:
            raise CommandError("; ".join(failures) + ".")
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Checked %(count)d order: no problems.",
                    "Checked %(count)d orders: no problems.",
                    checked,
                )
                % {"count": checked}
            )
        )
