"""Moving orders to a fresh instance: export here, migrate a new database, import there.

The new instance is a real second database (a temporary SQLite file) driven by
`manage.py` in subprocesses, as an operator would do it.
"""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from orders import services
from orders.api_keys import create_api_key
from tests.factories import (
    ChannelFactory,
    CompanyFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


def manage(database: Path, *args) -> subprocess.CompletedProcess:
    """manage.py on the other instance's database (never this run's, never a .env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{database}", ENV_FILE="", DJANGO_SETTINGS_MODULE="config.settings"
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args, "-v", "0"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip


def read_export(text: str) -> dict[str, dict]:
    """The orders of an export by import_key, their related objects named from the
    references line (ids differ between instances, names do not)."""
    first, *lines = (json.loads(line) for line in text.splitlines())
    names = {
        (kind, row["id"]): row["name"] for kind, rows in first["references"].items() for row in rows
    }

    def name(kind, related):
        return names[(kind, related["id"])] if related else None

    orders = {}
    for order in lines:
        orders[order["import_key"]] = {
            "email": order["email"],
            "name": order["name"],
            "currency": order["order_currency_code"],
            "money": Decimal(str(order["money"])),
            "paid": Decimal(str(order["paid"])),
            "flags": [order[f] for f in ("sent", "delivered", "done", "canceled")],
            "status": order["status"]["name"] if order["status"] else None,
            "channel": name("channels", order["channel"]),
            "shipping": name("shipping_methods", order["shipping"]),
            "payment": name("payment_methods", order["payment"]),
            "items": [
                (i["name"], i["count"], i["price"]["final_price"], i["price"]["vat"])
                for i in order["items"]
            ],
            "trackings": [
                (t["tracking_number"], names[("shippers", t["shipper_id"])])
                for t in order["trackings"]
            ],
        }
    return orders


@pytest.fixture
def source_export(tmp_path, actor) -> Path:
    """This instance's orders, exported: one with its own channel, company, ways of shipping
    and paying, carriers and status; one made through the API without an external id."""
    channel = ChannelFactory(name="Web", company=CompanyFactory(name="Seller"), currency_code="CZK")
    courier = ShippingMethodFactory(
        name="Courier", channel=channel, shipper=ShipperFactory(name="DPD")
    )
    card = PaymentMethodFactory(name="Card", channel=channel)
    packed = OrderStatusFactory(name="Packed", icon="box")
    web = order_with_items(
        items=2, channel=channel, currency="CZK", external_order_id="WEB-1",
        shipping_id=courier.pk, payment_id=card.pk,
    )  # fmt: skip
    services.order_tracking_add(
        order_id=web.pk, actor=actor, shipper_id=ShipperFactory(name="Post").pk,
        tracking_number="POST-1",
    )  # fmt: skip
    services.order_mark_paid(order_id=web.pk, actor=actor)
    services.order_mark_sent(order_id=web.pk, actor=actor)
    services.order_status_assign(order_id=web.pk, status_id=packed.pk, actor=actor)

    _, key = create_api_key(name="Shop")
    client = APIClient()
    client.credentials(HTTP_TOKEN=key)
    made = client.post(
        "/System/Orders",
        {"email": "api@mail.example", "name": "Api Buyer",
         "items": [{"name": "Tea", "count": 3, "price": {"final_price": 2.42, "vat": 21}}]},
        format="json",
    )  # fmt: skip
    assert made.status_code == 200, made.content

    path = tmp_path / "orders.jsonl"
    call_command("export_orders", "--format", "jsonl", "-o", str(path), verbosity=0)
    return path


def test_export_import_into_a_fresh_instance_with_create_missing(source_export, tmp_path):
    fresh = tmp_path / "fresh.sqlite3"
    migrated = manage(fresh, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr

    # Without --create-missing: the order that needs the missing objects waits, named once.
    without = manage(fresh, "import_orders", str(source_export))
    assert without.returncode == 1
    assert "channel 'Web'" in without.stderr
    assert "run with --create-missing to create them." in without.stderr
    assert "1 created, 0 skipped (already imported), 2 failed" in without.stderr

    created = manage(fresh, "import_orders", str(source_export), "--create-missing")
    assert created.returncode == 0, created.stderr
    assert "created: company 'Seller', channel 'Web'" in created.stdout
    assert "1 created, 1 skipped (already imported), 0 failed" in created.stdout

    again = manage(fresh, "import_orders", str(source_export), "--create-missing")
    assert again.returncode == 0, again.stderr
    assert "0 created, 2 skipped (already imported), 0 failed" in again.stdout

    exported = manage(fresh, "export_orders", "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    here, there = read_export(source_export.read_text()), read_export(exported.stdout)
    assert here == there
    assert len(there) == 2
    web = there["WEB-1"]
    assert (web["channel"], web["shipping"], web["payment"]) == ("Web", "Courier", "Card")
    assert (web["status"], web["trackings"]) == ("Packed", [("POST-1", "Post")])
    assert web["flags"] == [True, False, False, False]
    # The API's order (no external id) is there under its import_key.
    [api_key] = [key for key in there if key != "WEB-1"]
    assert api_key.startswith("order-office:")
    assert there[api_key]["money"] == Decimal("7.26")


def test_an_unmigrated_database_stops_at_once(source_export, tmp_path):
    empty = tmp_path / "empty.sqlite3"

    result = manage(empty, "import_orders", str(source_export), "--create-missing")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1  # one error, not one per line of the file
    assert lines[0].startswith("CommandError: The database is not migrated (")
    assert lines[0].endswith("migrations to apply): run `manage.py migrate` first.")
