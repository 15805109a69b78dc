"""The writes: create, delivery address, items, status, tracking, history, paid and the
lifecycle PATCHes. Each: success, its refusals, unknown order."""

from decimal import Decimal

import pytest

from orders import services
from orders.actors import Actor
from orders.models import ClosingState, HistoryRecord, Order, OrderItem, ShippingState, Tracking
from tests.factories import (
    ChannelFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
    TrackingFactory,
    order_with_items,
)
from tests.queries import ANSWER_READS

pytestmark = pytest.mark.django_db

ITEM = {"name": "Mug", "count": 2, "price": {"final_price": 12.10, "vat": 21}}


def order_after(response) -> Order:
    assert response.status_code == 200, response.json()
    return Order.objects.get(pk=response.json()["id"])


# --- POST /System/Orders -------------------------------------------------------------


def test_create_order_with_items(api):
    channel = ChannelFactory(currency_code="CZK")
    body = {
        "channel": channel.pk,
        "email": "jana@mail.example",
        "name": "Jana Nováková",
        "delivery_city": "Brno",
        "date_order": "2019-12-01T08:15:30+01:00",
        "ip": "192.0.2.1",
        "external_order_id": "WEB-1",
        "items": [
            ITEM,
            {
                "name": "Tea",
                "count": 1,
                "code": "T-1",
                "article": 5,
                "price": {"base_price": 100, "vat": 21.0},
                "price_original": {"final_price": 150, "vat": 21},
            },
        ],
    }
    response = api.post("/System/Orders", body, format="json")
    order = order_after(response)
    assert response.json() == {"id": order.pk}
    assert response["ETag"] == '"1"'
    assert order.order_currency_code == "CZK"
    assert order.money == Decimal("145.20")  # 2 x 12.10 + 121.00
    assert order.customer.email == "jana@mail.example"
    assert order.date_order.isoformat() == "2019-12-01T07:15:30+00:00"
    tea = order.items.get(code="T-1")
    assert (tea.article_id, tea.unit_price_final, tea.original_price_final) == (
        5,
        Decimal("121.00"),
        Decimal("150.00"),
    )
    assert HistoryRecord.objects.get(order=order).actor == "Web shop"


def test_money_never_passes_through_float(api):
    # 0.1 + 0.2 as floats is 0.30000000000000004; as decimals it is 0.3.
    items = [
        {"name": n, "count": 1, "price": {"final_price": v, "vat": 0}}
        for n, v in (("a", 0.1), ("b", 0.2))
    ]
    body = {"email": "jana@mail.example", "items": items}
    order = order_after(api.post("/System/Orders", body, format="json"))
    assert order.money == Decimal("0.30")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"emial": "typo@mail.example"}, "emial"),
        ({"email": 12}, "email"),
        ({"channel": "one"}, "channel"),
        ({"channel": 99999}, "channel"),
        ({"email": "not-an-email"}, "email"),
        ({"order_currency_code": "XXY"}, "order_currency_code"),
        ({"ip": "300.1.1.1"}, "ip"),
        ({"date_order": "last tuesday"}, "date_order"),
        ({"items": {"name": "x"}}, "items.non_field_errors"),
        ({"items": [{**ITEM, "count": 0}]}, "items[0].count"),
        ({"items": [{**ITEM, "count": 1.5}]}, "items[0].count"),
        ({"items": [ITEM, {**ITEM, "colour": "red"}]}, "items[1].colour"),
        ({"items": [{"count": 1, "price": {"final_price": 1, "vat": 0}}]}, "items[0].name"),
        ({"items": [{**ITEM, "price": {"vat": 21}}]}, "items[0].price.final_price"),
        ({"items": [{**ITEM, "price": {"final_price": 1}}]}, "items[0].price.vat"),
        (
            {"items": [{**ITEM, "price": {"final_price": -1, "vat": 0}}]},
            "items[0].price.final_price",
        ),
        ({"items": [{**ITEM, "price": {"final_price": 1, "vat": 101}}]}, "items[0].price.vat"),
        (
            {"items": [{**ITEM, "price": {"final_price": "1e400", "vat": 0}}]},
            "items[0].price.final_price",
        ),
        (
            {"items": [{**ITEM, "price": {"final_price": True, "vat": 0}}]},
            "items[0].price.final_price",
        ),
    ],
)
def test_create_refusals_name_the_field_and_create_nothing(api, body, field):
    # With the customer named, so that only the field under test is wrong.
    response = api.post("/System/Orders", {"email": "jana@mail.example", **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert set(response.json()) == {"message", "detail", "errors"}
    assert not Order.objects.exists()


def test_create_with_a_body_that_is_not_an_object_is_400(api):
    response = api.post("/System/Orders", [1, 2], format="json")
    assert response.status_code == 400
    assert not Order.objects.exists()


# --- PUT /System/Orders (delivery address) ------------------------------------------


def test_put_changes_only_the_delivery_fields_sent(api):
    order = OrderFactory(delivery_city="Brno", delivery_zip="60200")
    response = api.put(
        "/System/Orders",
        {"id": order.pk, "delivery_city": "Praha", "delivery_zip": None},
        format="json",
    )
    assert response.json() == {"id": order.pk}
    order.refresh_from_db()
    assert (order.delivery_city, order.delivery_zip, order.delivery_street) == (
        "Praha",
        "",
        "Long 5",
    )
    assert response["ETag"] == f'"{order.version}"'


def test_put_refuses_other_fields_and_sent_orders(api):
    order = OrderFactory(shipping_state=ShippingState.SENT)
    response = api.put("/System/Orders", {"id": order.pk, "email": "x@mail.example"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]
    response = api.put("/System/Orders", {"id": order.pk, "delivery_city": "Praha"}, format="json")
    assert response.status_code == 409
    assert api.put("/System/Orders", {"delivery_city": "Praha"}, format="json").status_code == 400
    assert (
        api.put("/System/Orders", {"id": 98765, "delivery_city": "X"}, format="json").status_code
        == 404
    )


# --- items ---------------------------------------------------------------------------------


def test_add_change_and_remove_an_item(api):
    order = order_with_items(items=1)
    response = api.post(f"/System/Orders/{order.pk}/item", ITEM, format="json")
    item = OrderItem.objects.get(pk=response.json()["id"])
    assert (item.order_id, item.count, item.unit_price_base) == (order.pk, 2, Decimal("10.00"))
    order.refresh_from_db()
    assert order.money == Decimal("36.30")
    assert response["ETag"] == f'"{order.version}"'

    response = api.put(
        f"/System/Orders/{order.pk}/item",
        {
            "id": item.pk,
            "name": "Big mug",
            "count": 1,
            "price": {"base_price": 20, "final_price": 30, "vat": 21},
        },
        format="json",
    )
    assert response.json() == {"id": item.pk}
    item.refresh_from_db()
    assert (item.name, item.unit_price_final) == ("Big mug", Decimal("30.00"))  # final wins

    response = api.delete(f"/System/Orders/{order.pk}/item/{item.pk}")
    assert response.json() == {"id": item.pk}
    assert not OrderItem.objects.filter(pk=item.pk).exists()
    order.refresh_from_db()
    assert order.money == Decimal("12.10")


def test_items_of_a_sent_order_are_locked(api):
    order = OrderFactory(shipping_state=ShippingState.SENT)
    response = api.post(f"/System/Orders/{order.pk}/item", ITEM, format="json")
    assert response.status_code == 409
    assert "sent" in response.json()["message"]
    assert not OrderItem.objects.exists()


def test_item_of_another_order_is_404(api):
    order, other = OrderFactory(), OrderItemFactory()
    response = api.delete(f"/System/Orders/{order.pk}/item/{other.pk}")
    assert response.status_code == 404
    response = api.put(f"/System/Orders/{order.pk}/item", {**ITEM, "id": other.pk}, format="json")
    assert response.status_code == 404
    assert OrderItem.objects.filter(pk=other.pk, name=other.name).exists()


def test_item_refusals(api):
    order = OrderFactory()
    assert api.post("/System/Orders/98765/item", ITEM, format="json").status_code == 404
    response = api.post(f"/System/Orders/{order.pk}/item", {**ITEM, "count": -1}, format="json")
    assert list(response.json()["errors"]) == ["count"]
    response = api.put(f"/System/Orders/{order.pk}/item", ITEM, format="json")
    assert list(response.json()["errors"]) == ["id"]
    response = api.delete(f"/System/Orders/{order.pk}/item/1", {"why": "x"}, format="json")
    assert list(response.json()["errors"]) == ["why"]


# --- status ----------------------------------------------------------------------------


def test_assign_status_answers_the_order(api):
    order, status = OrderFactory(), OrderStatusFactory(name="Packing")
    response = api.patch(
        f"/System/Orders/{order.pk}/status", {"status_id": status.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"]["name"] == "Packing"
    assert response["ETag"] == f'"{Order.objects.get(pk=order.pk).version}"'


def test_status_refusals(api):
    order = OrderFactory(closing_state=ClosingState.CANCELED)
    response = api.patch(f"/System/Orders/{order.pk}/status", {"status_id": 987}, format="json")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["status_id"])
    completing = OrderStatusFactory(complete_order=True)
    response = api.patch(
        f"/System/Orders/{order.pk}/status", {"status_id": completing.pk}, format="json"
    )
    assert response.status_code == 409
    assert "canceled" in response.json()["message"]
    assert Order.objects.get(pk=order.pk).status_id is None
    assert api.patch(f"/System/Orders/{order.pk}/status", {}, format="json").status_code == 400
    assert (
        api.patch(
            "/System/Orders/98765/status", {"status_id": completing.pk}, format="json"
        ).status_code
        == 404
    )


# --- tracking and history ------------------------------------------------------------------


def test_add_tracking(api):
    order, shipper = OrderFactory(), ShipperFactory()
    body = {"shipper_id": shipper.pk, "tracking_number": "DR123"}
    response = api.post(f"/System/Orders/{order.pk}/tracking", body, format="json")
    tracking = Tracking.objects.get(pk=response.json()["id"])
    assert (tracking.order_id, tracking.tracking_number) == (order.pk, "DR123")
    # Sending it again answers the same tracking.
    again = api.post(f"/System/Orders/{order.pk}/tracking", body, format="json")
    assert again.json() == {"id": tracking.pk}


def test_tracking_refusals(api):
    order, taken = OrderFactory(), TrackingFactory()
    body = {"shipper_id": taken.shipper_id, "tracking_number": taken.tracking_number}
    assert api.post(f"/System/Orders/{order.pk}/tracking", body, format="json").status_code == 409
    response = api.post(
        f"/System/Orders/{order.pk}/tracking",
        {"shipper_id": 9876, "tracking_number": "X"},
        format="json",
    )
    assert list(response.json()["errors"]) == ["shipper_id"]
    response = api.post(
        f"/System/Orders/{order.pk}/tracking",
        {"shipper_id": taken.shipper_id, "tracking_number": 5},
        format="json",
    )
    assert list(response.json()["errors"]) == ["tracking_number"]
    assert api.post("/System/Orders/98765/tracking", body, format="json").status_code == 404


def test_add_history(api):
    order = OrderFactory()
    body = {"type": "payment", "record": {"name": "GoPay: paid", "status": "PAID"}}
    response = api.post(f"/System/Orders/{order.pk}/history", body, format="json")
    record = HistoryRecord.objects.get(pk=response.json()["id"])
    assert (record.type, record.name, record.status, record.actor) == (
        "payment",
        "GoPay: paid",
        "PAID",
        "Web shop",
    )


def test_history_refusals(api):
    order = OrderFactory()
    response = api.post(
        f"/System/Orders/{order.pk}/history",
        {"type": "note", "record": {"name": " "}},
        format="json",
    )
    assert (response.status_code, list(response.json()["errors"])) == (400, ["record.name"])
    response = api.post(f"/System/Orders/{order.pk}/history", {"type": "note"}, format="json")
    assert list(response.json()["errors"]) == ["record"]
    response = api.post(
        "/System/Orders/98765/history", {"type": "n", "record": {"name": "x"}}, format="json"
    )
    assert response.status_code == 404


# --- paid ---------------------------------------------------------------------------------


def test_mark_paid_in_full_and_in_part(api):
    order = order_with_items(items=1)
    response = api.patch(
        f"/System/Orders/{order.pk}/paid",
        {"paid": 5.05, "payment_id": "GP-1", "status": "PARTIAL", "url": "https://pay.example/1"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["paid"], body["external_payment_id"], body["external_payment_url"]) == (
        5.05,
        "GP-1",
        "https://pay.example/1",
    )
    assert Order.objects.get(pk=order.pk).payment_state == "partially_paid"
    body = api.patch(f"/System/Orders/{order.pk}/paid", format="json").json()
    assert body["paid"] == body["money"] == 12.1


def test_paid_refusals(api):
    order = OrderFactory(closing_state=ClosingState.CANCELED)
    assert api.patch(f"/System/Orders/{order.pk}/paid", {}, format="json").status_code == 409
    response = api.patch(f"/System/Orders/{order.pk}/paid", {"paid": -1}, format="json")
    assert list(response.json()["errors"]) == ["paid"]
    response = api.patch(f"/System/Orders/{order.pk}/paid", {"url": "not a url"}, format="json")
    assert list(response.json()["errors"]) == ["url"]
    assert api.patch("/System/Orders/98765/paid", {}, format="json").status_code == 404


# --- lifecycle ----------------------------------------------------------------------------


def test_sent_delivered_done(api):
    order = order_with_items(items=1)
    for action, flag in (("sent", "sent"), ("delivered", "delivered"), ("done", "done")):
        response = api.patch(f"/System/Orders/{order.pk}/{action}")
        assert response.status_code == 200, response.json()
        assert response.json()[flag] is True
    # Repeating a transition made is a safe retry.
    assert api.patch(f"/System/Orders/{order.pk}/done", {}, format="json").status_code == 200


def test_cancel(api):
    order = OrderFactory()
    response = api.patch(f"/System/Orders/{order.pk}/cancel", {}, format="json")
    assert response.json()["canceled"] is True


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ({"shipping_state": ShippingState.PENDING}, "delivered"),
        ({"closing_state": ClosingState.CANCELED}, "sent"),
        ({"closing_state": ClosingState.CANCELED}, "done"),
        ({"closing_state": ClosingState.DONE}, "cancel"),
    ],
)
def test_illegal_transition_is_409_naming_state_and_allowed_actions(api, state, action):
    order = OrderFactory(**state)
    version = order.version
    response = api.patch(f"/System/Orders/{order.pk}/{action}")
    assert response.status_code == 409
    body = response.json()
    assert body["message"].startswith(f"Order {order.pk} cannot be")
    assert body["detail"].startswith("Allowed now:")
    assert Order.objects.get(pk=order.pk).version == version


def test_transition_of_unknown_order_is_404(api):
    assert api.patch("/System/Orders/98765/sent").status_code == 404


def test_transition_with_a_body_field_is_400(api):
    order = OrderFactory()
    response = api.patch(f"/System/Orders/{order.pk}/sent", {"force": True}, format="json")
    assert list(response.json()["errors"]) == ["force"]
    assert not Order.objects.get(pk=order.pk).sent


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_actor_of_services_outside_the_api_is_kept(api):
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=Actor.for_command("ship"))
    names = [h["actor"] for h in api.get(f"/System/Orders/{order.pk}/history").json()["history"]]
    assert names == ["ship", "tests"]


def test_patch_sent_answers_with_the_status_following_sent(api):
    # the default status "Shipped" follows sent (issue 13)
    order = order_with_items(items=1)

    response = api.patch(f"/System/Orders/{order.pk}/sent")

    assert response.status_code == 200
    assert response.json()["status"]["name"] == "Shipped"
    assert api.get(f"/System/Orders/{order.pk}").json()["status"]["name"] == "Shipped"


# --- the Order answer of a write -------------------------------------------------------


@pytest.fixture
def full_order(actor):
    """An order with everything an answer shows: items, a fee, a discount, a tracking, a
    status, a customer, a seller and both methods."""
    channel = ChannelFactory()
    shipping = ShippingMethodFactory(channel=channel)
    order = order_with_items(
        items=2,
        channel=channel,
        shipping_id=shipping.pk,
        payment_id=PaymentMethodFactory(channel=channel).pk,
    )
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal(10), reason="Loyal"
    )
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipping.shipper_id, tracking_number="T-77"
    )
    return order


@pytest.mark.parametrize("expanded", ["0", "1"])
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("status", {"status_id": "{status}"}),
        ("paid", {"paid": 5}),
        ("sent", None),
        ("cancel", None),
    ],
)
def test_a_write_answers_the_bytes_a_read_answers(api, full_order, path, body, expanded):
    """Read with only what it shows, the write's answer is the GET's, byte for byte."""
    if body and body.get("status_id"):
        body = {"status_id": OrderStatusFactory().pk}
    url = f"/System/Orders/{full_order.pk}"
    written = api.patch(f"{url}/{path}?expanded={expanded}", body, format="json")
    assert written.status_code == 200, written.json()
    read = api.get(url, {"expanded": expanded})
    assert written.content == read.content
    assert written["ETag"] == read["ETag"]
    assert len(written.json()["items"]) == 4  # 2 goods, the shipping fee, the discount


def test_a_status_patch_reads_only_what_it_answers(api, django_assert_num_queries):
    order, status = order_with_items(items=3), OrderStatusFactory()
    TrackingFactory(order=order)
    # key; lock; status; update (3 columns); history; event; the answer's reads (the order
    # with its status and discount joined, items, trackings with shippers). Plus 2 savepoints
    # and their releases: the request's transaction and the service's, inside the test's.
    with django_assert_num_queries(10 + ANSWER_READS):
        response = api.patch(
            f"/System/Orders/{order.pk}/status", {"status_id": status.pk}, format="json"
        )
    assert response.json()["status"]["id"] == status.pk
