"""Measure export_orders' peak memory for N orders in a scratch database.

    .venv/bin/python docs/bench_export_memory.py --orders 10000 100000

For each N it fills a NEW scratch SQLite file (or --database-url, which it empties by
migrating a fresh database name you give it) with N orders of 2 items and 1 tracking each
using bulk_create (fast, and for this measurement only: real orders go through the
services), then runs `/usr/bin/time -v manage.py export_orders --format F -o /dev/null`
and prints "Maximum resident set size" per format. Flat numbers across N mean the export
streams in bounded memory.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def fill(count: int) -> None:
    """N orders with items and trackings, inserted in batches (runs inside Django)."""
    from django.core.management import call_command

    from orders.models import Channel, Company, Customer, Order, OrderItem, Shipper, Tracking

    call_command("migrate", verbosity=0)
    company = Company.objects.create(name="Bench s.r.o.")
    channel = Channel.objects.create(name="Bench shop", currency_code="EUR", company=company)
    shipper = Shipper.objects.create(name="PPL", tracking_url_template="https://t.example/{number}")
    customer = Customer.objects.create(name="Jana Nováková", email="jana@mail.example")
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        orders = Order.objects.bulk_create(
            Order(
                channel=channel,
                company=company,
                customer=customer,
                email=customer.email,
                name=customer.name,
                city="Brno",
                external_order_id=f"BENCH-{start + n}",
                money=Decimal("36.30"),
                money_base=Decimal("30.00"),
            )
            for n in range(size)
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                name=f"Article {line}",
                count=line + 1,
                ordered=line + 1,
                unit_price_base=Decimal("10.00"),
                vat=Decimal("21"),
                unit_price_final=Decimal("12.10"),
            )
            for order in orders
            for line in range(2)
        )
        Tracking.objects.bulk_create(
            Tracking(order=order, shipper=shipper, tracking_number=f"PK{order.pk:09d}")
            for order in orders
        )


def peak_rss_kb(env: dict, fmt: str) -> tuple[int, float]:
    command = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "manage.py",
        "export_orders",
        "--format",
        fmt,
        "-o",
        os.devnull,
        "-v0",
    ]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=PROJECT, env=env, capture_output=True, text=True, check=True
    )
    seconds = time.monotonic() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return int(peak.group(1)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"])
    parser.add_argument(
        "--database-url",
        help="A scratch database (e.g. postgres://postgres@127.0.0.1:5432/bench_N — 'N' is "
        "replaced by the order count). Default: a new SQLite file per N in a temp folder.",
    )
    parser.add_argument("--fill-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.fill_only:  # child process: Django set up on the scratch database
        sys.path.insert(0, str(PROJECT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        fill(args.orders[0])
        return

    scratch = tempfile.mkdtemp(prefix="bench-export-")
    print(f"{'orders':>8}  {'format':<6} {'peak RSS (MB)':>14}  {'seconds':>8}")
    for count in args.orders:
        url = (args.database_url or f"sqlite:///{scratch}/bench_N.sqlite3").replace("N", str(count))
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "x" * 60}
        env["ALLOWED_HOSTS"] = "localhost"
        subprocess.run(
            [sys.executable, __file__, "--fill-only", "--orders", str(count)], env=env, check=True
        )
        for fmt in args.formats:
            peak, seconds = peak_rss_kb(env, fmt)
            print(f"{count:>8}  {fmt:<6} {peak / 1024:>14.1f}  {seconds:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
