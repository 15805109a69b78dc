from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from orders.demo import seed


class Command(BaseCommand):
    help = (
        "Create realistic demo orders through the order services, placed over the last 90 "
        "days and taken along their lifecycle with a shop's timing (items, fees, discounts, "
        "payments, parcels, returns, refunds, statuses, history). Safe to run again: it adds more "
        "orders."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orders", type=int, default=100, help="How many orders (default 100)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed, for repeatable data.")
        parser.add_argument(
            "--batch", type=int, default=500, help="Orders per transaction (default 500)."
        )

    def handle(self, *args, orders: int, batch: int, **options):
        random_seed = options["seed"]
        if orders < 1:
            raise CommandError(_("--orders must be at least 1."))
        if batch < 1:
            raise CommandError(_("--batch must be at least 1."))
        with tqdm(total=orders, unit="order", disable=options["verbosity"] == 0) as bar:
            made = seed(orders, seed=random_seed, batch=batch, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("Created %(count)d order.", "Created %(count)d orders.", made)
                % {"count": made}
            )
        )
