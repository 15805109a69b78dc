import json
from decimal import Decimal

import pytest

from orders import services
from orders.models import Channel, HistoryRecord, Order, OrderEvent, OrderItem, Tracking
from statuses.models import OrderStatus
from tests.factories import (
    ChannelFactory,
    CompanyFactory,
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
    data = json.loads(exported.read_text().splitlines()[-1])  # after the references line
    data["external_order_id"] = "RT-2"
    data["hash"] = "another-shops-order"  # the same hash would be the same order: skipped
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


def test_export_then_import_keeps_fees_and_the_discount(run, tmp_path, actor):
    """The wire shape's items carry `kind`, so the fee and discount lines come back as such."""
    channel = ChannelFactory(currency_code="EUR")
    order = services.order_create(
        actor=actor,
        channel_id=channel.pk,
        shipping_id=ShippingMethodFactory(channel=channel, price=Decimal("4.90")).pk,
        payment_id=PaymentMethodFactory(channel=channel, price=Decimal("1"), vat=Decimal("21")).pk,
        email="petr@mail.example",
        external_order_id="F-1",
        items=[
            services.ItemData(name="Lamp", count=2, vat=Decimal("21"), final_price=Decimal("10"))
        ],
    )
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal("10"), reason="Loyal"
    )
    exported = tmp_path / "export.jsonl"
    run("export_orders", "--format", "jsonl", "-o", str(exported), verbosity=0)
    data = json.loads(exported.read_text().splitlines()[-1])  # after the references line
    # A second copy in the same instance: another external id, and no hash (it is this one's).
    data["external_order_id"] = "F-2"
    del data["hash"]

    run("import_orders", write(tmp_path, data), verbosity=0)

    order.refresh_from_db()
    copy = Order.objects.get(external_order_id="F-2")
    assert (
        (copy.money, copy.money_base)
        == (order.money, order.money_base)
        == (
            Decimal("23.9000"),
            Decimal("19.7500"),
        )
    )
    kinds = sorted(copy.items.values_list("kind", "unit_price_final"))
    assert kinds == sorted(order.items.values_list("kind", "unit_price_final"))
    assert [kind for kind, _ in kinds] == ["discount", "payment", "product", "shipping"]


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


# --- Reference objects: matched by name, created when asked --------------------------------


def references_line(**kinds) -> dict:
    """A references line as another instance's export writes it (its ids, not ours)."""
    base = {
        "companies": [],
        "channels": [],
        "shippers": [],
        "shipping_methods": [],
        "payment_methods": [],
        "statuses": [],
    }
    return {"references": {**base, **kinds}}


OTHER_SHOP = references_line(
    companies=[{"id": 501, "name": "Seller s.r.o.", "company_nr": "123", "state_code": "CZ"}],
    channels=[
        {"id": 601, "name": "Web", "domain": "web.example", "currency_code": "EUR", "company": 501}
    ],
    shippers=[{"id": 701, "name": "DPD", "tracking_url_template": "https://dpd.example/{number}"}],
    shipping_methods=[
        {"id": 801, "name": "Courier", "price": 4.9, "vat": 21, "channel": 601, "shipper": 701}
    ],
    payment_methods=[{"id": 901, "name": "Card", "price": 0, "vat": 0, "channel": 601}],
    statuses=[{"id": 951, "name": "Packed", "icon": "box", "color": "#123456", "sort": 5}],
)


def other_shops_order(external_order_id="OS-1", **overrides) -> dict:
    return line(
        external_order_id,
        channel={"id": 601},
        shipping={"id": 801},
        payment={"id": 901},
        status={"id": 951, "name": "Packed"},
        trackings=[{"shipper_id": 701, "tracking_number": f"DPD-{external_order_id}"}],
        **overrides,
    )


def test_references_are_matched_by_name_whatever_their_ids_here(run, tmp_path):
    company = CompanyFactory(name="Seller s.r.o.", company_nr="123")
    channel = ChannelFactory(name="Web", company=company)
    dpd = ShipperFactory(name="DPD")
    courier = ShippingMethodFactory(name="Courier", channel=channel, shipper=dpd)
    card = PaymentMethodFactory(name="Card", channel=channel)
    packed = OrderStatusFactory(name="Packed")
    path = write(tmp_path, OTHER_SHOP, other_shops_order())

    result = run("import_orders", path, verbosity=0)

    assert "line 1: 6 reference objects found here." in result.stdout
    order = Order.objects.get(external_order_id="OS-1")
    assert (order.channel, order.shipping, order.payment) == (channel, courier, card)
    assert order.status == packed
    assert order.trackings.get().shipper == dpd


def test_missing_references_are_named_once_and_their_orders_refused(run_failing, tmp_path):
    path = write(
        tmp_path,
        OTHER_SHOP,
        other_shops_order("OS-1"),
        line("PLAIN-1"),  # needs no reference object
    )

    result = run_failing("import_orders", path, verbosity=0)

    assert "1 created, 0 skipped (already imported), 2 failed" in str(result.error)
    references_error, order_error = result.stderr.splitlines()
    assert references_error.startswith("line 1: not here: company 'Seller s.r.o.' (id 501")
    assert "status 'Packed' (id 951 in the export)" in references_error
    assert references_error.endswith("run with --create-missing to create them.")
    assert order_error == (
        "line 2: channel 'Web' (id 601 in the export) does not exist here; "
        "run with --create-missing to create it"
    )
    assert list(Order.objects.values_list("external_order_id", flat=True)) == ["PLAIN-1"]
    assert not Channel.objects.filter(name="Web").exists()


def test_create_missing_makes_the_reference_objects_once(run, tmp_path):
    path = write(tmp_path, OTHER_SHOP, other_shops_order("OS-1"), other_shops_order("OS-2"))

    first = run("import_orders", path, "--create-missing", verbosity=0)
    second = run("import_orders", path, "--create-missing", verbosity=0)

    assert "6 created: company 'Seller s.r.o.', channel 'Web', carrier 'DPD'" in first.stdout
    assert "2 created, 0 skipped" in first.stdout
    assert "6 reference objects found here." in second.stdout
    assert "0 created, 2 skipped" in second.stdout
    order = Order.objects.get(external_order_id="OS-2")
    assert order.channel.company.company_nr == "123"
    assert (order.shipping.name, order.shipping.channel, order.shipping.shipper.name) == (
        "Courier",
        order.channel,
        "DPD",
    )
    assert order.shipping.price == Decimal("4.9")
    assert order.payment.name == "Card"
    assert (order.status.name, order.status.icon, order.status.color) == (
        "Packed",
        "box",
        "#123456",
    )
    assert order.trackings.get().tracking_url == "https://dpd.example/DPD-OS-2"
    assert Channel.objects.filter(name="Web").count() == 1


def test_a_created_channel_keeps_the_exported_language(run, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"
    czech = references_line(
        channels=[{"id": 602, "name": "Obchod", "currency_code": "CZK", "language": "cs"}],
    )
    older = references_line(channels=[{"id": 603, "name": "Old", "currency_code": "EUR"}])
    path = write(tmp_path, czech, older)

    run("import_orders", path, "--create-missing", verbosity=0)

    # An export made before channels had a language gets the default one.
    assert Channel.objects.get(name="Obchod").language == "cs"
    assert Channel.objects.get(name="Old").language == "en"


def test_a_reference_that_cannot_be_created_fails_its_line(run_failing, tmp_path):
    bad = references_line(statuses=[{"id": 1, "name": "Odd", "color": "red"}])
    path = write(tmp_path, bad, line("X-1", status={"id": 1}))

    result = run_failing("import_orders", path, "--create-missing", verbosity=0)

    assert result.stderr.splitlines()[0].startswith(
        "line 1: status 'Odd' cannot be created: color: Enter a colour as #rrggbb."
    )
    assert not OrderStatus.objects.filter(name="Odd").exists()


def test_an_order_made_without_external_id_is_imported_once(run, tmp_path, actor):
    # given: an order as the API makes it when the client sends no external_order_id
    made = services.order_create(
        actor=actor, email="api@mail.example", items=[services.ItemData(name="Tea", count=1,
        vat=Decimal("21"), final_price=Decimal("12.10"))],
    )  # fmt: skip
    exported = tmp_path / "export.jsonl"
    run("export_orders", "--format", "jsonl", "-o", str(exported), verbosity=0)
    order_line = json.loads(exported.read_text().splitlines()[-1])
    assert order_line["external_order_id"] == ""

    # when: imported here again (the same order: skipped by its hash) ...
    same = run("import_orders", str(exported), verbosity=0)
    # ... and as another instance would see it (no order with that hash there)
    del order_line["hash"]
    elsewhere = write(tmp_path, order_line)
    first = run("import_orders", elsewhere, verbosity=0)
    again = run("import_orders", elsewhere, verbosity=0)

    # then
    assert "0 created, 1 skipped" in same.stdout
    assert "1 created, 0 skipped" in first.stdout
    assert "0 created, 1 skipped" in again.stdout
    copy = Order.objects.exclude(pk=made.pk).get()
    assert copy.external_order_id == order_line["import_key"]
    assert copy.money == made.money
