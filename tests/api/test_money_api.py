"""The money endpoints (ours): methods on create and PATCH /shipping, /payment; PUT and
DELETE /discount; PATCH /paid's reason; GET /payments; POST and GET /refunds. Each: success,
its refusals, permissions; and the wire's invariant, money = the sum of the items."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from orders import services
from orders.actors import Actor
from orders.models import HistoryRecord, ItemKind, Order, OrderItem, Payment, Refund, Return
from tests.factories import (
    ChannelFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    delivered_parcel,
)

MUG = {"name": "Mug", "count": 2, "price": {"final_price": 12.10, "vat": 21}}
TEA = {"name": "Tea", "count": 1, "price": {"final_price": 11.20, "vat": 12}}
# Goods 2 x 12.10 + 11.20 = 35.40 EUR; shipping 4.90 and payment 1.00 (21 % VAT).


@pytest.fixture
def channel(db):
    return ChannelFactory(currency_code="EUR")


@pytest.fixture
def shipping(channel):
    return ShippingMethodFactory(channel=channel, name="Courier", price=Decimal("4.90"))


@pytest.fixture
def payment(channel):
    return PaymentMethodFactory(
        channel=channel, name="Cash on delivery", price=Decimal("1.00"), vat=Decimal("21")
    )


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


def create(api, channel, **extra) -> int:
    body = {"channel": channel.pk, "email": "jana@mail.example", "items": [MUG, TEA], **extra}
    return ok(api.post("/System/Orders", body, format="json"))["id"]


@pytest.fixture
def order_id(api, channel, shipping, payment) -> int:
    """An open order with both fees (35.40 + 4.90 + 1.00 = 41.30 EUR), nothing paid."""
    return create(api, channel, shipping_id=shipping.pk, payment_id=payment.pk)


def lines(body: dict, kind: str) -> list[dict]:
    return [item for item in body["items"] if item["kind"] == kind]


def items_total(body: dict) -> Decimal:
    """What a client that adds up `items` gets (unit final price x count)."""
    return sum(
        (Decimal(str(item["price"]["final_price"])) * item["count"] for item in body["items"]),
        Decimal("0"),
    )


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) >= {"message", "detail"}
    return body


def mark_sent(order_id: int) -> None:
    services.order_mark_sent(order_id=order_id, actor=Actor.for_command("tests"))


# --- Fees: on create, PATCH /shipping, PATCH /payment -----------------------------------------


def test_create_with_methods_charges_their_fees_as_items_of_their_kind(
    api, order_id, shipping, payment
):
    body = ok(api.get(f"/System/Orders/{order_id}"))
    assert [item["kind"] for item in body["items"]] == ["product", "product", "shipping", "payment"]
    (fee,) = lines(body, "shipping")
    assert (fee["name"], fee["count"], fee["price"]["final_price"]) == ("Courier", 1, 4.9)
    assert lines(body, "payment")[0]["price"]["final_price"] == 1.0
    assert body["money"] == 41.3
    assert items_total(body) == Decimal("41.30")
    assert body["shipping"]["id"] == shipping.pk
    assert body["payment"]["id"] == payment.pk


@pytest.mark.parametrize("field", ["shipping_id", "payment_id"])
def test_create_with_an_unknown_method_is_400_naming_it_and_creates_nothing(api, channel, field):
    body = {"channel": channel.pk, "email": "a@mail.example", field: 987654}
    answer = refusal(api.post("/System/Orders", body, format="json"), 400)
    assert list(answer["errors"]) == [field]
    assert "987654" in answer["message"]
    assert not Order.objects.exists()


@pytest.mark.parametrize("value", ["abc", True, 1.5, 0])
def test_create_with_a_malformed_method_id_is_400(api, channel, value):
    body = {"channel": channel.pk, "email": "a@mail.example", "shipping_id": value}
    assert list(refusal(api.post("/System/Orders", body, format="json"), 400)["errors"]) == [
        "shipping_id"
    ]


def test_shipping_change_replaces_the_fee_and_null_removes_it(api, order_id, channel):
    dearer = ShippingMethodFactory(channel=channel, name="Van", price=Decimal("9.90"))
    response = api.patch(
        f"/System/Orders/{order_id}/shipping", {"shipping_id": dearer.pk}, format="json"
    )
    body = ok(response)
    assert response["ETag"] == f'"{Order.objects.get(pk=order_id).version}"'
    assert body["shipping"]["id"] == dearer.pk
    assert [(i["name"], i["price"]["final_price"]) for i in lines(body, "shipping")] == [
        ("Van", 9.9)
    ]
    assert body["money"] == 46.3

    body = ok(
        api.patch(f"/System/Orders/{order_id}/shipping", {"shipping_id": None}, format="json")
    )
    assert body["shipping"] is None
    assert lines(body, "shipping") == []
    assert body["money"] == 36.4
    assert HistoryRecord.objects.filter(order_id=order_id, name="Shipping method removed").exists()


def test_payment_method_change_and_removal(api, order_id, channel):
    card = PaymentMethodFactory(channel=channel, name="Card", price=Decimal("0.50"))
    body = ok(
        api.patch(f"/System/Orders/{order_id}/payment", {"payment_id": card.pk}, format="json")
    )
    assert body["payment"]["id"] == card.pk
    assert lines(body, "payment")[0]["price"]["final_price"] == 0.5
    assert body["money"] == 40.8
    body = ok(api.patch(f"/System/Orders/{order_id}/payment", {"payment_id": None}, format="json"))
    assert (body["payment"], lines(body, "payment"), body["money"]) == (None, [], 40.3)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("shipping", {"shipping_id": 987654}, "shipping_id"),
        ("payment", {"payment_id": 987654}, "payment_id"),
        # PATCH /paid's payment_id is the gateway's text; here it is a method id.
        ("payment", {"payment_id": "GP-3321"}, "payment_id"),
        ("shipping", {}, "shipping_id"),
        ("shipping", {"shipping_id": 1, "fee": 0}, "fee"),
    ],
)
def test_method_change_refusals_are_400_naming_the_field(api, order_id, path, body, field):
    before = Order.objects.get(pk=order_id)
    answer = refusal(api.patch(f"/System/Orders/{order_id}/{path}", body, format="json"), 400)
    assert field in answer["errors"]
    after = Order.objects.get(pk=order_id)
    assert (after.version, after.money, after.shipping_id, after.payment_id) == (
        before.version,
        before.money,
        before.shipping_id,
        before.payment_id,
    )


def test_method_change_on_a_sent_order_is_409(api, order_id, channel):
    mark_sent(order_id)
    other = ShippingMethodFactory(channel=channel)
    answer = refusal(
        api.patch(f"/System/Orders/{order_id}/shipping", {"shipping_id": other.pk}, format="json"),
        409,
    )
    assert "sent" in answer["message"]
    assert refusal(
        api.patch(f"/System/Orders/{order_id}/payment", {"payment_id": None}, format="json"), 409
    )
    assert Order.objects.get(pk=order_id).money == Decimal("41.30")


def test_method_change_of_an_unknown_order_is_404(api, shipping):
    body = {"shipping_id": shipping.pk}
    refusal(api.patch("/System/Orders/987654/shipping", body, format="json"), 404)


# --- The discount: PUT and DELETE /discount -----------------------------------------------------


def test_percent_discount_gives_discount_lines_per_rate_and_money_is_still_the_items(api, order_id):
    body = ok(
        api.put(
            f"/System/Orders/{order_id}/discount",
            {"type": "percent", "value": 10, "reason": "Loyal customer"},
            format="json",
        )
    )
    assert body["discount"] == {"type": "percent", "value": 10.0, "reason": "Loyal customer"}
    # 10 % of the goods at each rate (24.20 at 21 %, 11.20 at 12 %); fees not discounted.
    assert sorted(
        (i["price"]["vat"], i["price"]["final_price"]) for i in lines(body, "discount")
    ) == [
        (12, -1.12),
        (21, -2.42),
    ]
    assert body["money"] == 37.76
    assert items_total(body) == Decimal("37.76")
    listed = ok(api.get("/System/Orders"))["orders"][0]
    assert listed["discount"] == body["discount"]
    assert items_total(listed) == Decimal(str(listed["money"]))


def test_amount_discount_replaces_and_delete_removes_it(api, order_id):
    url = f"/System/Orders/{order_id}/discount"
    ok(api.put(url, {"type": "percent", "value": 10, "reason": "Loyal"}, format="json"))
    body = ok(api.put(url, {"type": "amount", "value": 5.00, "reason": "Late"}, format="json"))
    assert body["discount"] == {"type": "amount", "value": 5.0, "reason": "Late"}
    assert sum(i["price"]["final_price"] for i in lines(body, "discount")) == pytest.approx(-5)
    assert body["money"] == 36.3
    body = ok(api.delete(url))
    assert (body["discount"], lines(body, "discount"), body["money"]) == (None, [], 41.3)
    assert HistoryRecord.objects.filter(order_id=order_id, type="discount").count() == 3


def test_deleting_a_discount_the_order_does_not_have_changes_nothing(api, order_id):
    version = Order.objects.get(pk=order_id).version
    response = api.delete(f"/System/Orders/{order_id}/discount")
    assert ok(response)["discount"] is None
    assert response["ETag"] == f'"{version}"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "half", "value": 10, "reason": "x"}, "type"),
        ({"type": "percent", "value": 0, "reason": "x"}, "value"),
        ({"type": "percent", "value": 150, "reason": "x"}, "value"),
        ({"type": "amount", "value": -5, "reason": "x"}, "value"),
        ({"type": "amount", "value": "ten", "reason": "x"}, "value"),
        ({"type": "amount", "value": 0.001, "reason": "x"}, "value"),  # under a cent
        ({"type": "amount", "value": 5}, "reason"),
        ({"type": "amount", "value": 5, "reason": "   "}, "reason"),
        ({"type": "amount", "value": 5, "reason": "x" * 201}, "reason"),
        ({"type": "amount", "value": 5, "reason": "x", "scope": "all"}, "scope"),
    ],
)
def test_discount_refusals_are_400_naming_the_field_and_change_nothing(api, order_id, body, field):
    answer = refusal(api.put(f"/System/Orders/{order_id}/discount", body, format="json"), 400)
    assert field in answer["errors"]
    order = Order.objects.get(pk=order_id)
    assert (order.money, hasattr(order, "discount")) == (Decimal("41.30"), False)


def test_discount_on_a_sent_order_is_409_set_or_removed(api, order_id):
    url = f"/System/Orders/{order_id}/discount"
    ok(api.put(url, {"type": "amount", "value": 2, "reason": "Late"}, format="json"))
    mark_sent(order_id)
    answer = refusal(
        api.put(url, {"type": "amount", "value": 3, "reason": "Later"}, format="json"), 409
    )
    assert "sent" in answer["message"]
    refusal(api.delete(url), 409)
    assert Order.objects.get(pk=order_id).discount.value == Decimal("2")


def test_a_discount_line_cannot_be_changed_as_an_item(api, order_id):
    body = ok(
        api.put(
            f"/System/Orders/{order_id}/discount",
            {"type": "amount", "value": 2, "reason": "Late"},
            format="json",
        )
    )
    line = lines(body, "discount")[0]
    refusal(api.delete(f"/System/Orders/{order_id}/item/{line['id']}"), 409)


# --- Payments: PATCH /paid and GET /payments -----------------------------------------------------


def test_paid_in_two_payments_reads_back_from_the_ledger(api, order_id, payment):
    url = f"/System/Orders/{order_id}/paid"
    first = ok(api.patch(url, {"paid": 20, "payment_id": "GP-1", "status": "PAID"}, format="json"))
    assert (first["paid"], first["payment_state"]) == (20.0, "partially_paid")
    second = ok(api.patch(url, {"payment_id": "GP-2"}, format="json"))  # the rest
    assert (second["paid"], second["refunded"], second["payment_state"]) == (41.3, 0, "paid")

    page = ok(api.get(f"/System/Orders/{order_id}/payments"))
    assert page["paginator"] == {"page": 1, "per_page": 10, "pages": 1, "total": 2}
    one, two = page["payments"]
    assert {k: one[k] for k in ("kind", "status", "amount", "currency", "external_id")} == {
        "kind": "payment",
        "status": "success",
        "amount": 20.0,
        "currency": "EUR",
        "external_id": "GP-1",
    }
    assert one["method"]["id"] == payment.pk
    assert one["method"]["api_link"].endswith(f"/System/Channels/Payments/{payment.pk}")
    assert (one["gateway_status"], one["actor"], one["source"]) == ("PAID", "Web shop", "api")
    assert (two["amount"], two["external_id"]) == (21.3, "GP-2")


def test_lowering_paid_needs_a_reason_and_records_a_correction(api, order_id):
    url = f"/System/Orders/{order_id}/paid"
    ok(api.patch(url, {"paid": 30}, format="json"))
    answer = refusal(api.patch(url, {"paid": 25}, format="json"), 400)
    assert list(answer["errors"]) == ["paid"]
    assert Order.objects.get(pk=order_id).paid == Decimal("30")
    body = ok(api.patch(url, {"paid": 25, "reason": "Typed 30, was 25"}, format="json"))
    assert body["paid"] == 25.0
    correction = ok(api.get(f"/System/Orders/{order_id}/payments"))["payments"][-1]
    assert (correction["kind"], correction["amount"], correction["reason"]) == (
        "correction",
        -5.0,
        "Typed 30, was 25",
    )


def test_lowering_paid_on_a_done_order_is_409_even_with_a_reason(api, order_id):
    ok(api.patch(f"/System/Orders/{order_id}/paid", {}, format="json"))
    ok(api.patch(f"/System/Orders/{order_id}/done"))
    refusal(
        api.patch(f"/System/Orders/{order_id}/paid", {"paid": 1, "reason": "Oops"}, format="json"),
        409,
    )
    assert Order.objects.get(pk=order_id).paid == Decimal("41.30")


def test_paid_reason_too_long_is_400(api, order_id):
    body = {"paid": 0, "reason": "x" * 301}
    response = api.patch(f"/System/Orders/{order_id}/paid", body, format="json")
    assert "reason" in refusal(response, 400)["errors"]


def test_payments_list_pages_and_is_strict_about_its_query(api, order_id):
    url = f"/System/Orders/{order_id}/payments"
    for paid in range(1, 13):
        ok(api.patch(f"/System/Orders/{order_id}/paid", {"paid": paid}, format="json"))
    page = ok(api.get(url, {"page": 2, "per_page": 10}))
    assert page["paginator"] == {"page": 2, "per_page": 10, "pages": 2, "total": 12}
    assert [p["amount"] for p in page["payments"]] == [1.0, 1.0]
    assert list(refusal(api.get(url, {"status": "success"}), 400)["errors"]) == ["status"]
    assert list(refusal(api.get(url, {"expanded": "1"}), 400)["errors"]) == ["expanded"]
    assert list(refusal(api.get(url, {"per_page": 5}), 400)["errors"]) == ["per_page"]
    refusal(api.get("/System/Orders/987654/payments"), 404)


# --- Refunds: POST and GET /refunds --------------------------------------------------------------


@pytest.fixture
def paid_order_id(api, order_id) -> int:
    """The order with a 10 % discount (37.76 EUR), paid in full."""
    ok(
        api.put(
            f"/System/Orders/{order_id}/discount",
            {"type": "percent", "value": 10, "reason": "Loyal"},
            format="json",
        )
    )
    ok(api.patch(f"/System/Orders/{order_id}/paid", {}, format="json"))
    return order_id


def item_id(order_id: int, name: str) -> int:
    return OrderItem.objects.get(order_id=order_id, name=name).pk


def test_refund_one_line_after_the_discount_and_read_it_back(api, paid_order_id):
    mug = item_id(paid_order_id, "Mug")
    body = {"reason": "Broken in transit", "lines": [{"item_id": mug, "count": 1}]}
    response = api.post(f"/System/Orders/{paid_order_id}/refunds", body, format="json")
    refund = Refund.objects.get(order_id=paid_order_id)
    assert ok(response) == {"id": refund.pk}
    assert response["ETag"] == f'"{Order.objects.get(pk=paid_order_id).version}"'

    order = ok(api.get(f"/System/Orders/{paid_order_id}"))
    # One mug of 12.10 less its 10 % discount: 10.89 back.
    assert (order["paid"], order["refunded"], order["payment_state"]) == (
        26.87,
        10.89,
        "partially_refunded",
    )
    assert (order["money"], order["done"], order["canceled"]) == (37.76, False, False)
    page = ok(api.get(f"/System/Orders/{paid_order_id}/refunds"))
    assert page["paginator"]["total"] == 1
    (read,) = page["refunds"]
    assert {k: read[k] for k in ("id", "amount", "extra_amount", "currency", "reason")} == {
        "id": refund.pk,
        "amount": 10.89,
        "extra_amount": 0,
        "currency": "EUR",
        "reason": "Broken in transit",
    }
    assert read["lines"] == [
        {"item_id": mug, "name": "Mug", "kind": "product", "count": 1, "amount": 10.89}
    ]
    assert (read["mark_returned"], read["actor"], read["source"]) == (False, "Web shop", "api")
    ledger = ok(api.get(f"/System/Orders/{paid_order_id}/payments"))["payments"]
    assert (ledger[-1]["kind"], ledger[-1]["amount"], ledger[-1]["id"]) == (
        "refund",
        -10.89,
        read["payment_id"],
    )
    history = ok(api.get(f"/System/Orders/{paid_order_id}/history"))["history"]
    assert (history[0]["type"], history[0]["name"]) == ("refund", "Refund: 10.89 EUR")


def test_refund_of_a_fee_an_amount_and_mark_returned(api, paid_order_id):
    shipping_line = OrderItem.objects.get(order_id=paid_order_id, kind=ItemKind.SHIPPING).pk
    tea = item_id(paid_order_id, "Tea")
    # Goods come back from delivered parcels (tests/api/test_returns_api.py).
    delivered_parcel(Order.objects.get(pk=paid_order_id), [(OrderItem.objects.get(pk=tea), 1)])
    body = {
        "reason": "Came back",
        "lines": [{"item_id": shipping_line, "count": 1}, {"item_id": tea, "count": 1}],
        "amount": 2.5,
        "mark_returned": True,
    }
    ok(api.post(f"/System/Orders/{paid_order_id}/refunds", body, format="json"))
    (read,) = ok(api.get(f"/System/Orders/{paid_order_id}/refunds"))["refunds"]
    # The fee at its price (4.90), the tea less its 10 % (10.08), plus 2.50.
    assert [(line["kind"], line["amount"]) for line in read["lines"]] == [
        ("shipping", 4.9),
        ("product", 10.08),
    ]
    assert (read["amount"], read["extra_amount"], read["mark_returned"]) == (17.48, 2.5, True)
    assert OrderItem.objects.get(pk=tea).returned_count == 1
    assert read["return_id"] == Return.objects.get(order_id=paid_order_id).pk


def test_refund_of_a_done_order_leaves_it_done(api, paid_order_id):
    ok(api.patch(f"/System/Orders/{paid_order_id}/done"))
    body = {"reason": "Goodwill", "amount": 5}
    ok(api.post(f"/System/Orders/{paid_order_id}/refunds", body, format="json"))
    order = ok(api.get(f"/System/Orders/{paid_order_id}"))
    assert (order["done"], order["paid"], order["refunded"]) == (True, 32.76, 5)


def test_refund_of_an_unpaid_order_is_409(api, order_id):
    body = {"reason": "x", "amount": 1}
    answer = refusal(api.post(f"/System/Orders/{order_id}/refunds", body, format="json"), 409)
    assert answer["message"].startswith(f"Order {order_id} cannot be refunded")
    assert not Refund.objects.exists()


def test_refund_larger_than_paid_is_400_naming_amount(api, paid_order_id):
    body = {"reason": "x", "amount": 37.77}
    answer = refusal(api.post(f"/System/Orders/{paid_order_id}/refunds", body, format="json"), 400)
    assert list(answer["errors"]) == ["amount"]
    assert "37.76" in answer["message"]
    assert not Refund.objects.exists()


def test_refunds_together_cannot_exceed_paid(api, paid_order_id):
    url = f"/System/Orders/{paid_order_id}/refunds"
    ok(api.post(url, {"reason": "x", "amount": 30}, format="json"))
    mug = item_id(paid_order_id, "Mug")
    body = {"reason": "y", "lines": [{"item_id": mug, "count": 1}]}  # 10.89 > 7.76 left
    assert list(refusal(api.post(url, body, format="json"), 400)["errors"]) == ["lines"]
    assert Refund.objects.count() == 1


def test_refund_of_more_units_than_are_left_is_400_naming_the_count(api, paid_order_id):
    url = f"/System/Orders/{paid_order_id}/refunds"
    mug = item_id(paid_order_id, "Mug")
    ok(api.post(url, {"reason": "x", "lines": [{"item_id": mug, "count": 1}]}, format="json"))
    body = {"reason": "y", "lines": [{"item_id": mug, "count": 2}]}
    answer = refusal(api.post(url, body, format="json"), 400)
    assert list(answer["errors"]) == ["lines[0].count"]
    assert "1 of 2 left" in answer["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 1}, "reason"),
        ({"reason": " ", "amount": 1}, "reason"),
        ({"reason": "x"}, "lines"),  # neither lines nor an amount
        ({"reason": "x", "amount": 0}, "amount"),
        ({"reason": "x", "amount": -1}, "amount"),
        ({"reason": "x", "amount": "1"}, None),  # a JSON string of digits is a number too
        ({"reason": "x", "lines": {"item_id": 1}}, "lines.non_field_errors"),
        ({"reason": "x", "lines": [{"item_id": "MUG", "count": 1}]}, "lines[0].item_id"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 0}]}, "lines[0].count"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 1.5}]}, "lines[0].count"),
        ({"reason": "x", "lines": [{"item_id": 1}]}, "lines[0].count"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 1, "price": 2}]}, "lines[0].price"),
        ({"reason": "x", "amount": 1, "mark_returned": "yes"}, "mark_returned"),
        ({"reason": "x", "amount": 1, "refund_all": True}, "refund_all"),
    ],
)
def test_refund_body_refusals_are_400_naming_the_field(api, paid_order_id, body, field):
    response = api.post(f"/System/Orders/{paid_order_id}/refunds", body, format="json")
    if field is None:
        assert response.status_code == 200
        return
    assert field in refusal(response, 400)["errors"]
    assert not Refund.objects.exists()


def test_refund_of_a_discount_line_is_400_and_a_foreign_item_404(api, paid_order_id, channel):
    url = f"/System/Orders/{paid_order_id}/refunds"
    discount_line = OrderItem.objects.filter(order_id=paid_order_id, kind="discount").first().pk
    body = {"reason": "x", "lines": [{"item_id": discount_line, "count": 1}]}
    assert list(refusal(api.post(url, body, format="json"), 400)["errors"]) == ["lines[0].item_id"]
    other = create(api, channel)
    foreign = OrderItem.objects.filter(order_id=other).first().pk
    body = {"reason": "x", "lines": [{"item_id": foreign, "count": 1}]}
    assert f"has no item {foreign}" in refusal(api.post(url, body, format="json"), 404)["message"]
    body = {"reason": "x", "amount": 1}
    refusal(api.post("/System/Orders/987654/refunds", body, format="json"), 404)
    refusal(api.get("/System/Orders/987654/refunds"), 404)
    assert not Refund.objects.exists()


def test_a_refund_replayed_with_its_idempotency_key_is_made_once(api, paid_order_id):
    url = f"/System/Orders/{paid_order_id}/refunds"
    body = {"reason": "Broken", "amount": 5}
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-77")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-77")
    assert ok(again) == ok(first)
    assert again["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1
    assert Order.objects.get(pk=paid_order_id).refunded == Decimal("5")
    other = api.post(url, {**body, "amount": 6}, format="json", HTTP_IDEMPOTENCY_KEY="refund-77")
    refusal(other, 422)


def test_a_refund_with_a_stale_if_match_is_412(api, paid_order_id):
    version = Order.objects.get(pk=paid_order_id).version
    body = {"reason": "Broken", "amount": 5}
    url = f"/System/Orders/{paid_order_id}/refunds"
    refusal(api.post(url, body, format="json", HTTP_IF_MATCH=f'"{version - 1}"'), 412)
    ok(api.post(url, body, format="json", HTTP_IF_MATCH=f'"{version}"'))


# --- Keys: none 401, read-only 403 on writes and 200 on reads ---------------------------------

WRITES = [
    ("patch", "shipping", {"shipping_id": None}),
    ("patch", "payment", {"payment_id": None}),
    ("put", "discount", {"type": "amount", "value": 1, "reason": "x"}),
    ("delete", "discount", None),
    ("post", "refunds", {"reason": "x", "amount": 1}),
]
READS = ["payments", "refunds"]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_need_a_read_write_key(
    api, anonymous, read_only_api, paid_order_id, method, path, body
):
    url = f"/System/Orders/{paid_order_id}/{path}"
    version = Order.objects.get(pk=paid_order_id).version
    refusal(getattr(anonymous, method)(url, body, format="json"), 401)
    refusal(getattr(read_only_api, method)(url, body, format="json"), 403)
    assert Order.objects.get(pk=paid_order_id).version == version
    ok(getattr(api, method)(url, body, format="json"))


@pytest.mark.parametrize("path", READS)
def test_reads_need_a_key_and_a_read_only_one_will_do(
    anonymous, read_only_api, paid_order_id, path
):
    url = f"/System/Orders/{paid_order_id}/{path}"
    refusal(anonymous.get(url), 401)
    assert set(ok(read_only_api.get(url))) == {"paginator", path}


def test_other_methods_are_405(api, order_id):
    refusal(api.get(f"/System/Orders/{order_id}/discount"), 405)
    refusal(api.post(f"/System/Orders/{order_id}/payments", {}, format="json"), 405)
    body = {"shipping_id": None}
    refusal(api.put(f"/System/Orders/{order_id}/shipping", body, format="json"), 405)


# --- A race on PostgreSQL: two refunds at once ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refund_posts_at_once_never_exceed_what_was_paid(api_key, channel, shipping):
    client = APIClient()
    client.credentials(HTTP_TOKEN=api_key[1])
    order_id = create(client, channel, shipping_id=shipping.pk)  # 40.30
    ok(client.patch(f"/System/Orders/{order_id}/paid", {}, format="json"))
    barrier = threading.Barrier(2)
    statuses = []

    def send(reason: str):
        sender = APIClient()
        sender.credentials(HTTP_TOKEN=api_key[1])
        barrier.wait()
        body = {"reason": reason, "amount": 25}
        response = sender.post(f"/System/Orders/{order_id}/refunds", body, format="json")
        statuses.append((response.status_code, list(response.json().get("errors", {}))))
        connection.close()

    threads = [threading.Thread(target=send, args=(r,)) for r in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [(200, []), (400, ["amount"])]
    order = Order.objects.get(pk=order_id)
    assert (order.paid, order.refunded) == (Decimal("15.30"), Decimal("25.00"))
    assert Payment.objects.filter(order=order, kind="refund").count() == 1
