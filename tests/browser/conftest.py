import importlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from orders import services
from orders.actors import Actor
from orders.demo import reference_data
from statuses.models import OrderStatus
from tests.factories import UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    if not os.path.exists(CHROMIUM):
        # CI installs it (`make browser`); a missing browser must not pass silently.
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` first.")
    # Playwright's sync API runs an event loop; Django's ORM refuses that by default.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        # Connections the test opened while Playwright ran are not closed by pytest-django
        # (seen on PostgreSQL: one stayed open and blocked dropping the test database).
        connections.close_all()
        browser.close()


@pytest.fixture
def default_statuses(transactional_db):
    """The default statuses as a fresh database has them (their data migrations run again):
    a transactional test before this one may have flushed them."""
    from django.apps import apps

    for migration in ("0002_default_statuses", "0007_default_statuses_follow"):
        module = importlib.import_module(f"statuses.migrations.{migration}")
        operation = module.Migration.operations[0]
        operation.code(apps, None)


# The README's screenshots are refreshed with UPDATE_SCREENSHOTS=1; an ordinary run
# writes them to a temporary folder so the work tree stays clean.
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "staff-password"

STATUSES = [
    ("New", "\N{SQUARED NEW}", "#0d6efd"),
    ("Paid", "\N{CREDIT CARD}", "#20c997"),
    ("Processing", "\N{GEAR}", "#6f42c1"),
    ("Shipped", "\N{DELIVERY TRUCK}", "#0dcaf0"),
    ("Canceled", "\N{CROSS MARK}", "#dc3545"),
]


@pytest.fixture
def shop():
    """A few realistic orders made by the services; the one to find has a parcel."""
    actor = Actor.for_command("browser-test")
    ref = reference_data()
    statuses = {
        name: OrderStatus.objects.get_or_create(
            name=name, defaults={"icon": icon, "color": color, "sort": sort}
        )[0].pk
        for sort, (name, icon, color) in enumerate(STATUSES)
    }
    people = [
        ("Jana Nováková", "jana@mail.example", "Processing"),
        ("Petr Svoboda", "petr@mail.example", "Paid"),
        ("Eva Dvořáková", "eva@mail.example", "Shipped"),
        ("Martin Černý", "martin@mail.example", "New"),
        ("Klára Veselá", "klara@mail.example", "Canceled"),
    ]
    orders = []
    for name, email, status in people:
        order = services.order_create(
            actor=actor,
            channel_id=ref["channels"][0].pk,
            shipping_id=ref["shipping"].pk,
            payment_id=ref["payment"].pk,
            name=name,
            email=email,
            street="Dlouhá 5",
            city="Brno",
            zip="60200",
            state_code="CZ",
            note="Please leave it at the door.",
            our_note="Staff only: check the address by phone.",
            items=[
                services.ItemData(
                    name="Green tea 100 g",
                    code="TEA-001",
                    count=2,
                    vat=Decimal("21"),
                    final_price=Decimal("5.90"),
                    weight=Decimal("0.12"),
                ),
                services.ItemData(
                    name="Ceramic mug",
                    code="MUG-002",
                    count=1,
                    vat=Decimal("21"),
                    final_price=Decimal("12.50"),
                    weight=Decimal("0.35"),
                ),
            ],
        )
        if status == "Paid":
            services.order_mark_paid(order_id=order.pk, actor=actor)
        services.order_status_assign(order_id=order.pk, status_id=statuses[status], actor=actor)
        orders.append(order)
    target = orders[0]
    services.order_tracking_add(
        order_id=target.pk,
        actor=actor,
        shipper_id=ref["shippers"][0].pk,
        tracking_number="PPL0042",
    )
    UserFactory(username="anna", is_superuser=True, password=PASSWORD)
    return target
