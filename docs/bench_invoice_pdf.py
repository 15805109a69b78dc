"""Measure how long one invoice PDF takes and how big it is.

    .venv/bin/python docs/bench_invoice_pdf.py [--runs 20]

Makes a scratch SQLite database, issues one invoice of a Czech seller (two products at
two VAT rates, a 5 % discount, unpaid so it carries the QR Platba code) through the
services, then renders its PDF --runs times: WeasyPrint's PDF/A-3b, the EN 16931 XML
built and checked against the XSD, and factur-x embedding it. Prints the median and the
slowest time and the file's size. The first rendering (fonts loaded, caches cold) is
reported apart. CPU time is printed beside wall time: on a busy machine it is the truer
cost of one PDF.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    folder = tempfile.mkdtemp(prefix="bench-invoice-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from invoices import pdf, rendering
    from invoices.models import InvoiceSettings
    from invoices.services import invoice_issue
    from orders import services
    from orders.actors import Actor
    from orders.models import Channel, Company

    seller = Company.objects.create(
        name="Čajovna Praha s.r.o.", street="Vinohradská 12", city="Praha", zip="12000",
        state_code="CZ", company_nr="25123891", company_vat="CZ25123891",
    )  # fmt: skip
    InvoiceSettings.objects.create(company=seller, iban="CZ6508000000192000145399")
    channel = Channel.objects.create(name="e-shop", company=seller, currency_code="CZK")
    actor = Actor.for_command("bench")
    order = services.order_create(
        actor=actor, channel_id=channel.pk, order_currency_code="CZK", name="Jana Nováková",
        street="Dlouhá 5", city="Brno", zip="60200", state_code="CZ",
        items=[
            services.ItemData(name="Sencha 100 g", count=2, vat=Decimal("12"),
                              final_price=Decimal("289")),
            services.ItemData(name="Konvička", count=1, vat=Decimal("21"),
                              final_price=Decimal("1290")),
        ],
    )  # fmt: skip
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal("5"), reason="Loyal"
    )
    invoice = invoice_issue(order_id=order.pk, actor=actor)
    times, cpu = [], []
    for _ in range(runs + 1):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = pdf.pdf(rendering.issued(invoice))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"first PDF (cold): {times[0]:.3f} s wall, {cpu[0]:.3f} s CPU")
    print(
        f"next {runs}: median {statistics.median(times[1:]):.3f} s wall "
        f"(slowest {max(times[1:]):.3f} s), median {statistics.median(cpu[1:]):.3f} s CPU"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
    print(f"size: {len(data)} bytes ({len(data) / 1024:.1f} KiB), one A4 page")


if __name__ == "__main__":
    main()
