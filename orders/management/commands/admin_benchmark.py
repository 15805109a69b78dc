"""Measure the order change list of the back office at scale (a measurement, not a test).

Fills the database it runs against with bulk-inserted orders (marked with the external
prefix BENCH; `--delete` removes them), then requests the change list as a superuser
and prints, per scenario, the number of SQL queries and the median response time.
Run it against a scratch database, e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orders_bench \\
        python manage.py migrate && python manage.py admin_benchmark --orders 100000
"""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    Channel,
    ClosingState,
    Order,
    PaymentState,
    Shipper,
    ShippingState,
    Tracking,
    new_order_hash,
)
from statuses.models import OrderStatus

PREFIX = "BENCH"
USERNAME = "admin-benchmark"
BATCH = 5000
# (payment, shipping, closing): combinations the lifecycle can reach.
STATES = [
    (PaymentState.UNPAID, ShippingState.PENDING, ClosingState.OPEN),
    (PaymentState.PAID, ShippingState.PENDING, ClosingState.OPEN),
    (PaymentState.PAID, ShippingState.SENT, ClosingState.OPEN),
    (PaymentState.PAID, ShippingState.DELIVERED, ClosingState.DONE),
    (PaymentState.UNPAID, ShippingState.PENDING, ClosingState.CANCELED),
]


class Command(BaseCommand):
    help = "Bulk-insert orders (if fewer exist) and time the admin order change list."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=5, help="Requests per scenario.")
        parser.add_argument(
            "--delete", action="store_true", help="Remove the benchmark orders and exit."
        )

    def handle(self, *args, orders: int, repeat: int, delete: bool, **options):
        if delete:
            deleted, _ = Order.objects.filter(external_order_prefix=PREFIX).delete()
            self.stdout.write(f"Deleted {deleted} rows of benchmark orders.")
            return
        if orders < 1 or repeat < 1:
            raise CommandError("--orders and --repeat must be at least 1.")
        missing = orders - Order.objects.count()
        if missing > 0:
            started = time.perf_counter()
            self._insert(missing)
            self.stdout.write(
                f"Inserted {missing} orders in {time.perf_counter() - started:.1f} s."
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE orders_order; ANALYZE orders_tracking;")
        self._measure(repeat)

    def _insert(self, count: int) -> None:
        rng = random.Random(4)
        channel, _ = Channel.objects.get_or_create(name="Benchmark shop")
        shipper, _ = Shipper.objects.get_or_create(
            name="Benchmark carrier",
            defaults={"tracking_url_template": "https://carrier.example/{number}"},
        )
        statuses = list(OrderStatus.objects.values_list("pk", flat=True)) or [None]
        now = timezone.now()
        start = Order.objects.count()
        for offset in range(0, count, BATCH):
            size = min(BATCH, count - offset)
            batch = []
            for n in range(start + offset, start + offset + size):
                payment, shipping, closing = rng.choice(STATES)
                money = Decimal(rng.randrange(100, 100_000)) / 100
                batch.append(
                    Order(
                        channel=channel,
                        status_id=rng.choice(statuses),
                        date_order=now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
                        name=f"Customer {n}",
                        email=f"customer{n}@bench.example",
                        phone=f"+420 {600000000 + n}",
                        city="Praha",
                        hash=new_order_hash(),
                        money=money,
                        money_base=(money / Decimal("1.21")).quantize(Decimal("0.01")),
                        paid=money if payment == PaymentState.PAID else Decimal(0),
                        payment_state=payment,
                        shipping_state=shipping,
                        closing_state=closing,
                        date_sent=now if shipping != ShippingState.PENDING else None,
                        external_order_prefix=PREFIX,
                        external_order_id=f"B{n}",
                    )
                )
            with transaction.atomic():
                made = Order.objects.bulk_create(batch)
                Tracking.objects.bulk_create(
                    Tracking(order=o, shipper=shipper, tracking_number=f"BT{o.pk:09d}")
                    for o in made
                    if o.shipping_state != ShippingState.PENDING
                )
            self.stdout.write(f"  {offset + size}/{count}", ending="\r")
        self.stdout.write("")

    def _measure(self, repeat: int) -> None:
        user, _ = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        url = reverse("admin:orders_order_changelist")
        sample = Order.objects.order_by("-id").first()
        tracking = Tracking.objects.order_by("-id").values_list("tracking_number", flat=True)
        status = OrderStatus.objects.order_by("sort").first()
        scenarios = [
            ("first page, no filter", {}),
            ("page 100", {"p": "100"}),
            ("filter shipping_state=sent", {"shipping_state__exact": "sent"}),
            ("filter status", {"status__id__exact": status.pk} if status else {}),
            ("filter year", {"date_order__year": timezone.now().year}),
            ("search order id", {"q": str(sample.pk)}),
            ("search e-mail", {"q": sample.email}),
            ("search tracking number", {"q": tracking.first() or "none"}),
            ("search name (contains)", {"q": "Customer 4242"}),
        ]
        self.stdout.write(
            f"\nOrder change list, {Order.objects.count():,} orders, {connection.vendor}, "
            f"median of {repeat} requests:\n"
        )
        self.stdout.write(f"{'scenario':32} {'status':>6} {'queries':>7} {'median ms':>10}")
        for name, params in scenarios:
            client.get(url, params)  # warm up caches and connections
            times, queries, status_code = [], 0, None
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, params)
                    times.append((time.perf_counter() - started) * 1000)
                queries, status_code = len(captured), response.status_code
            self.stdout.write(
                f"{name:32} {status_code:>6} {queries:>7} {statistics.median(times):>10.1f}"
            )
