import json
from decimal import Decimal

import pytest

from orders import services
from orders.models import HistoryRecord, Order, OrderEvent, OrderItem, Tracking
from tests.factories import (
    ChannelFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
)

pytestmark = pytest.mark.django_db


def line(external_order_id="SHOP-1", **overrides) -> dict:
    """An order in the wire shape, as another instance's export_orders would write it."""
    data = {
        "external_order_id": external_order_id,
        "date_order": "2025-03-01T10:15:00+01:00",
        "email": "jana@mail.example",
        "name": "Jana Nováková",
        "street": "Dlouhá 5",
        "city": "Brno",
        "zip": "60200",
        "state_code": "CZ",
        "delivery_name": "Jana Nováková",
        "delivery_city": "Brno",
        "order_currency_code": "EUR",
        "note": "Ring twice",
        "items": [
            {"name": "Tea", "count": 2, "price": {"final_price": 12.10, "vat": 21}},
            {"name": "Mug", "count": 1, "price": {"base_price": 10, "vat": 21}, "code": "MUG"},
        ],
        "paid": 0,
        "sent": False,
        "delivered": False,
        "done": False,
        "canceled": False,
    }
    data.update(overrides)
    return data


def write(tmp_path, *lines) -> str:
    path = tmp_path / "orders.jsonl"
    path.write_text(
        "\n".join(raw if isinstance(raw, str) else json.dumps(raw) for raw in lines) + "\n",
        encoding="utf-8",
    )
    return str(path)


def test_imports_orders_through_the_services(run, tmp_path):
    channel = ChannelFactory()
    shipper = ShipperFactory()
    shipping, payment = ShippingMethodFactory(channel=channel), PaymentMethodFactory()
    status = OrderStatusFactory(name="Shipped")
    path = write(
        tmp_path,
        line(
            channel={"id": channel.pk, "api_link": f"/System/Channels/{channel.pk}"},
            shipping={"id": shipping.pk},
            payment=payment.pk,
            status={"id": status.pk, "name": "Shipped"},
            money=36.30,
            paid=36.30,
            external_payment_id="PAY-9",
            trackings=[{"shipper_id": shipper.pk, "tracking_number": "PK1"}],
            sent=True,
        ),
    )

    result = run("import_orders", path, verbosity=0)

    assert "1 created, 0 skipped (already imported), 0 failed" in result.stdout
    order = Order.objects.get(external_order_id="SHOP-1")
    assert order.money == Decimal("36.30")  # 2 x 12.10 + 1 x 12.10 (10 + 21 % VAT)
    assert order.paid == Decimal("36.30")
    assert order.payment_state == "paid"
    assert order.sent
    assert not order.delivered
    assert order.status == status
    assert (order.channel, order.shipping, order.payment) == (channel, shipping, payment)
    assert order.external_payment_id == "PAY-9"
    assert order.note == "Ring twice"
    assert order.date_order.isoformat() == "2025-03-01T09:15:00+00:00"
    assert order.customer.email == "jana@mail.example"
    assert list(order.items.values_list("name", "count", "code")) == [
        ("Tea", 2, ""),
        ("Mug", 1, "MUG"),
    ]
    assert order.trackings.get().tracking_number == "PK1"
    history = HistoryRecord.objects.filter(order=order)
    assert history.filter(type="created").exists()
    assert set(history.values_list("actor", flat=True)) == {"import_orders"}
    assert set(history.values_list("source", flat=True)) == {"command"}


def test_fees_are_what_the_line_charged_not_what_the_methods_charge_now(run, tmp_path):
    shipping = ShippingMethodFactory(price=Decimal("4.90"))
    payment = PaymentMethodFactory(price=Decimal("2.00"))
    fee = {
        "kind": "shipping",
        "name": "Courier",
        "count": 1,
        "price": {"final_price": 3.30, "vat": 10},
    }
    items = [*line()["items"], fee]
    path = write(
        tmp_path,
        line("FEE", shipping={"id": shipping.pk}, payment=payment.pk, items=items, money=39.60),
    )

    run("import_orders", path, verbosity=0)

    order = Order.objects.get(external_order_id="FEE")
    assert order.money == Decimal("39.60")  # 36.30 + the line's 3.30; no payment fee line
    assert list(
        order.items.exclude(kind="product").values_list("kind", "unit_price_final", "vat")
    ) == [("shipping", Decimal("3.3000"), Decimal("10.00"))]
    assert (order.shipping, order.payment) == (shipping, payment)


def test_bad_lines_are_reported_by_number_and_the_others_imported(run_failing, tmp_path):
    path = write(
        tmp_path,
        line("A"),
        "{not json",
        line(None),
        line("C", items=[{"name": "Tea", "count": 1, "price": {"final_price": 1}}]),
        "",
        '["a list"]',
        line("F", date_order="yesterday"),
        line("G", channel={"id": 999999}),
        line("H"),
    )

    result = run_failing("import_orders", path, verbosity=0)

    assert "2 created, 0 skipped (already imported), 6 failed" in str(result.error)
    errors = result.stderr.splitlines()
    assert errors == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 3: external_order_id is missing (it makes the import safe to repeat)",
        "line 4: vat must be a percentage from 0 to 100.",
        "line 6: not a JSON object",
        "line 7: date_order must be an ISO 8601 date-time",
        "line 8: Unknown channel 999999.",
    ]
    assert sorted(Order.objects.values_list("external_order_id", flat=True)) == ["A", "H"]


def test_running_the_same_file_again_changes_nothing(run, tmp_path):
    path = write(tmp_path, line("A"), line("B", paid=10), line("A"))

    first = run("import_orders", path, verbosity=0)
    counts = (Order.objects.count(), OrderItem.objects.count(), HistoryRecord.objects.count())
    second = run("import_orders", path, verbosity=0)

    assert "2 created, 1 skipped" in first.stdout  # the repeated A in the same file
    assert "0 created, 3 skipped (already imported), 0 failed" in second.stdout
    assert (
        Order.objects.count(),
        OrderItem.objects.count(),
        HistoryRecord.objects.count(),
    ) == counts


def test_a_line_the_services_refuse_leaves_nothing_of_its_order(run_failing, tmp_path):
    shipper = ShipperFactory()
    # Paid, tracked, sent and delivered all succeed, then cancel is refused on a delivered order.
    refused = line(
        "REFUSED",
        paid=5,
        trackings=[{"shipper_id": shipper.pk, "tracking_number": "PK2"}],
        sent=True,
        delivered=True,
        canceled=True,
    )
    path = write(tmp_path, refused, line("FINE"))

    result = run_failing("import_orders", path, verbosity=0)

    assert result.stderr.startswith("line 1: Order ")
    assert "cannot be canceled: it is open, delivered, partially paid." in result.stderr
    assert not Order.objects.filter(external_order_id="REFUSED").exists()
    fine = Order.objects.get(external_order_id="FINE")
    assert set(OrderItem.objects.values_list("order_id", flat=True)) == {fine.pk}
    assert set(HistoryRecord.objects.values_list("order_id", flat=True)) == {fine.pk}
    assert set(OrderEvent.objects.values_list("order_id", flat=True)) == {fine.pk}
    assert not Tracking.objects.exists()


def test_a_line_whose_money_disagrees_with_its_items_is_refused(run_failing, tmp_path):
    path = write(tmp_path, line("X", money=99.99))

    result = run_failing("import_orders", path, verbosity=0)

    assert result.stderr == "line 1: money is 99.99 but the items add up to 36.30\n"
    assert not Order.objects.exists()


def test_export_then_import_gives_the_same_order(run, tmp_path, actor):
    shipper = ShipperFactory()
    order = services.order_create(
        actor=actor,
        channel_id=ChannelFactory(currency_code="CZK").pk,
        email="petr@mail.example",
        name="Petr",
        external_order_id="RT-1",
        items=[
            services.ItemData(name="Lamp", count=3, vat=Decimal("21"), base_price=Decimal("99"))
        ],
    )
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="RT"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("100"))
    services.order_mark_sent(order_id=order.pk, actor=actor)
    exported = tmp_path / "export.jsonl"
    run("export_orders", "--format", "jsonl", "-o", str(exported), verbosity=0)
    # The same order arriving from another shop: new external id, a new parcel number.
    data = json.loads(exported.read_text())
    data["external_order_id"] = "RT-2"
    data["trackings"] = [{"shipper_id": shipper.pk, "tracking_number": "RT2"}]
    path = write(tmp_path, data)

    run("import_orders", path, verbosity=0)

    order.refresh_from_db()
    copy = Order.objects.get(external_order_id="RT-2")
    fields = ("money", "money_base", "paid", "payment_state", "shipping_state", "closing_state")
    assert [getattr(copy, f) for f in fields] == [getattr(order, f) for f in fields]
    assert copy.order_currency_code == "CZK"
    assert copy.date_order == order.date_order
    items = copy.items.values_list("name", "count", "unit_price_base", "unit_price_final")
    assert list(items) == [("Lamp", 3, Decimal("99.0000"), Decimal("119.7900"))]


def test_a_missing_file_is_refused(run_failing, tmp_path):
    result = run_failing("import_orders", str(tmp_path / "nope.jsonl"))

    assert "no such file" in str(result.error)


def test_discount_lines_become_an_order_discount_of_their_amount(run, tmp_path):
    discount = {
        "kind": "discount",
        "name": "Discount",
        "count": 1,
        "price": {"final_price": -3.63, "vat": 21},
    }
    path = write(tmp_path, line("D", items=[*line()["items"], discount], money=32.67))

    run("import_orders", path, verbosity=0)

    order = Order.objects.get(external_order_id="D")
    assert order.money == Decimal("32.67")
    assert (order.discount.type, order.discount.value, order.discount.reason) == (
        "amount",
        Decimal("3.63"),
        "As imported",
    )


def test_a_fee_line_without_its_method_or_of_an_unknown_kind_is_a_bad_line(run_failing, tmp_path):
    fee = {"kind": "shipping", "name": "Courier", "count": 1, "price": {"final_price": 3, "vat": 0}}
    gift = {"kind": "gift", "name": "Sticker", "count": 1, "price": {"final_price": 0, "vat": 0}}
    path = write(tmp_path, line("A", items=[fee]), line("B", items=[gift]))

    result = run_failing("import_orders", path, verbosity=0)

    assert result.stderr.splitlines() == [
        "line 1: a shipping fee needs the order's shipping method",
        "line 2: items[0].kind must be one of product, shipping, payment, discount",
    ]
    assert not Order.objects.exists()
