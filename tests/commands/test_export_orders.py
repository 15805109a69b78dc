import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders import services
from orders.exports import ExportFilter, iter_in_chunks, orders_for_export
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

# The contract's Order model, plus `status`, `refunded`, `payment_state`, `discount` (ours).
ORDER_KEYS = {
    "id", "customer", "company", "channel", "date_order", "date_maturity", "email", "phone",
    "name", "street", "city", "zip", "state_code", "company_nr", "company_vat",
    "delivery_email", "delivery_phone", "delivery_name", "delivery_street", "delivery_city",
    "delivery_zip", "delivery_state_code", "note", "our_note", "hash", "main_currency_code",
    "order_currency_code", "currency_rate", "money", "paid", "date_paid", "items", "weight",
    "shipping", "payment", "trackings", "sent", "delivered", "done", "canceled", "order_url",
    "invoice_url", "ip", "external_order_prefix", "external_order_id", "external_payment_id",
    "external_payment_url", "status", "refunded", "payment_state", "discount",
}  # fmt: skip


@pytest.fixture
def sent_order(actor):
    """A paid, sent order with a tracking number: 1 x 12.10 + 2 x 12.10 = 36.30 EUR."""
    order = order_with_items(items=2, external_order_id="WEB-1")
    shipper = ShipperFactory(tracking_url_template="https://t.example/{number}")
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="PK123"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    return order


def jsonl(text: str) -> list[dict]:
    """The order lines (the first line lists the reference objects they use)."""
    lines = [json.loads(line) for line in text.splitlines()]
    assert set(lines[0]) == {"references"}
    return lines[1:]


def references(text: str) -> dict:
    return json.loads(text.splitlines()[0])["references"]


def test_jsonl_lines_are_the_order_wire_shape(run, sent_order):
    lines = jsonl(run("export_orders", "--format", "jsonl", verbosity=0).stdout)

    assert len(lines) == 1
    order = lines[0]
    assert set(order) == ORDER_KEYS | {"import_key"}
    assert order["import_key"] == "WEB-1"  # its external id
    assert order["id"] == sent_order.pk
    assert order["external_order_id"] == "WEB-1"
    assert order["money"] == 36.3
    assert order["paid"] == 36.3
    assert (order["sent"], order["delivered"], order["done"], order["canceled"]) == (
        True,
        False,
        False,
        False,
    )
    assert order["channel"] == {
        "id": sent_order.channel_id,
        "api_link": f"/System/Channels/{sent_order.channel_id}",
    }
    assert order["customer"]["api_link"] == f"/System/People/{sent_order.customer_id}"
    assert [(item["name"], item["count"]) for item in order["items"]] == [
        ("Article 0", 1),
        ("Article 1", 2),
    ]
    price = order["items"][0]["price"]
    assert (price["final_price"], price["base_price"], price["vat"]) == (12.1, 10.0, 21)
    assert price["currency"] == "EUR"
    assert order["trackings"] == [
        {
            "shipper_id": sent_order.trackings.get().shipper_id,
            "tracking_number": "PK123",
            "tracking_url": "https://t.example/PK123",
        }
    ]


def test_csv_has_one_row_per_order_with_the_main_columns(run, sent_order, actor):
    status = OrderStatusFactory(name="Shipped")
    services.order_status_assign(order_id=sent_order.pk, status_id=status.pk, actor=actor)
    canceled = order_with_items(items=1, currency="CZK")
    services.order_cancel(order_id=canceled.pk, actor=actor)

    rows = list(csv.DictReader(io.StringIO(run("export_orders", "--format", "csv").stdout)))

    assert [row["id"] for row in rows] == [str(sent_order.pk), str(canceled.pk)]
    first, second = rows
    assert first["money"] == "36.30"
    assert first["paid"] == "36.30"
    assert first["currency"] == "EUR"
    assert first["status"] == "Shipped"
    assert (first["sent"], first["delivered"], first["done"], first["canceled"]) == (
        "true",
        "false",
        "false",
        "false",
    )
    assert first["tracking_numbers"] == "PK123"
    assert first["external_order_id"] == "WEB-1"
    assert first["email"] == "buyer@mail.example"
    assert second["currency"] == "CZK"
    assert second["canceled"] == "true"
    assert second["money"] == "12.10"


def test_filters_by_channel_status_and_dates(run, actor):
    shop, marketplace = ChannelFactory(), ChannelFactory()
    status = OrderStatusFactory()
    january = order_with_items(channel=shop, date_order=datetime(2025, 1, 31, 23, 0, tzinfo=UTC))
    february = order_with_items(
        channel=marketplace, date_order=datetime(2025, 2, 1, 0, 30, tzinfo=UTC)
    )
    march = order_with_items(channel=shop, date_order=datetime(2025, 3, 15, tzinfo=UTC))
    services.order_status_assign(order_id=march.pk, status_id=status.pk, actor=actor)

    def exported(*args) -> list[int]:
        out = run("export_orders", "--format", "jsonl", *args, verbosity=0).stdout
        return [line["id"] for line in jsonl(out)]

    assert exported("--channel", str(shop.pk)) == [january.pk, march.pk]
    assert exported("--status", str(status.pk)) == [march.pk]
    # --to is inclusive of its whole day, --from starts at midnight.
    assert exported("--to", "2025-01-31") == [january.pk]
    assert exported("--from", "2025-02-01", "--to", "2025-02-28") == [february.pk]
    assert exported("--from", "2025-02-01T00:00:00+00:00") == [february.pk, march.pk]
    assert exported("--channel", str(shop.pk), "--from", "2025-02-01") == [march.pk]


def test_output_file_is_written_and_stdout_stays_empty(run, sent_order, tmp_path):
    target = tmp_path / "orders.jsonl"

    result = run("export_orders", "--format", "jsonl", "-o", str(target))

    assert result.stdout == ""
    assert [line["id"] for line in jsonl(target.read_text())] == [sent_order.pk]
    assert "Exported 1 order " in result.stderr
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "invalid choice: 'xml'"),
        (["--format", "csv", "--from", "yesterday"], "--from 'yesterday' is not a date"),
        (["--format", "csv", "--to", "2025-02-30"], "--to '2025-02-30' is not a date"),
        (["--format", "csv", "--from", "2025-03-01", "--to", "2025-02-01"], "before --to"),
        (["--format", "csv", "--channel", "999999"], "Unknown channel 999999."),
        (["--format", "csv", "--status", "999999"], "Unknown status 999999."),
        (["--format", "csv", "-o", "/no/such/folder/x.csv"], "does not exist"),
    ],
)
def test_bad_arguments_are_refused(run_failing, args, message):
    result = run_failing("export_orders", *args)

    assert message in str(result.error)
    assert result.stdout == ""


def test_orders_are_read_in_keyset_chunks_without_gaps_or_repeats(django_assert_num_queries):
    orders = [order_with_items(items=1) for _ in range(5)]
    queryset = orders_for_export(ExportFilter())

    # 3 chunks of at most 2 (each: orders + items + trackings) and one empty probe at most.
    with django_assert_num_queries(9):
        ids = [order.pk for order in iter_in_chunks(queryset, chunk_size=2)]

    assert ids == sorted(order.pk for order in orders)


def test_money_in_jsonl_keeps_the_exact_amount(run, actor):
    order = order_with_items(items=0)
    services.order_item_add(
        order_id=order.pk,
        actor=actor,
        item=services.ItemData(name="Bulk", count=3, vat=Decimal("21"), final_price=Decimal("0.1")),
    )

    (line,) = jsonl(run("export_orders", "--format", "jsonl", verbosity=0).stdout)

    assert Decimal(str(line["money"])) == Decimal("0.30")


def test_jsonl_starts_with_the_reference_objects_its_orders_use(run, actor):
    company = CompanyFactory(name="Seller s.r.o.", company_nr="123")
    channel = ChannelFactory(name="Web", company=company, currency_code="CZK", language="cs")
    carrier = ShipperFactory(name="DPD")
    post = ShipperFactory(name="Post")
    shipping = ShippingMethodFactory(name="Courier", channel=channel, shipper=carrier)
    payment = PaymentMethodFactory(name="Card", channel=None)
    status = OrderStatusFactory(name="Packed")
    order = order_with_items(
        channel=channel, currency="CZK", shipping_id=shipping.pk, payment_id=payment.pk
    )
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=post.pk, tracking_number="P1"
    )
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    ChannelFactory(name="Unused")  # not used by any exported order: not listed

    refs = references(run("export_orders", "--format", "jsonl", verbosity=0).stdout)

    def names(kind):
        return [row["name"] for row in refs[kind]]

    assert names("channels") == ["Web"]
    assert refs["channels"][0] == {
        "id": channel.pk, "name": "Web", "domain": channel.domain, "currency_code": "CZK",
        "language": "cs", "company": company.pk,
    }  # fmt: skip
    assert names("companies") == ["Seller s.r.o."]
    assert names("shippers") == ["DPD", "Post"]  # the way of shipping's and the parcel's
    assert refs["shipping_methods"][0]["shipper"] == carrier.pk
    assert names("payment_methods") == ["Card"]
    assert names("statuses") == ["Packed"]


def test_an_order_without_external_id_gets_a_stable_import_key(run):
    order = order_with_items()
    assert order.external_order_id == ""

    first = jsonl(run("export_orders", "--format", "jsonl", verbosity=0).stdout)[0]
    again = jsonl(run("export_orders", "--format", "jsonl", verbosity=0).stdout)[0]

    assert first["import_key"] == again["import_key"]
    assert first["import_key"].startswith("order-office:")
    assert order.hash not in first["import_key"]  # the hash opens the customer's pages
    assert first["external_order_id"] == ""  # the wire shape stays as the API answers
