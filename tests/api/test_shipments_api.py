"""Parcels on the API (ours): POST and GET /System/Orders/{id}/shipments, GET and DELETE
one, PATCH its /sent, /delivered, /returned; and what the Retailys calls (/tracking,
/sent, /delivered, the items' waiting_count) answer with parcels. Each: success, each
refusal, permissions."""

import pytest

from orders.models import Order, Shipment
from tests.factories import ChannelFactory, ShipperFactory, ShippingMethodFactory

MUG = {"code": "MUG-1", "name": "Mug", "count": 2, "price": {"final_price": 12.10, "vat": 21}}
TEA = {"code": "TEA-1", "name": "Tea", "count": 1, "price": {"final_price": 11.20, "vat": 12}}


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) >= {"message", "detail"}
    return body


@pytest.fixture
def shipper(db):
    return ShipperFactory(name="PPL", tracking_url_template="https://ppl.example/t/{number}")


@pytest.fixture
def order_id(api, db) -> int:
    """Mug x 2 and Tea x 1, with a shipping fee line."""
    channel = ChannelFactory()
    method = ShippingMethodFactory(channel=channel)
    body = {
        "channel": channel.pk,
        "email": "jana@mail.example",
        "shipping_id": method.pk,
        "items": [MUG, TEA],
    }
    return ok(api.post("/System/Orders", body, format="json"))["id"]


def item_ids(api, order_id) -> dict:
    items = ok(api.get(f"/System/Orders/{order_id}"))["items"]
    return {item["name"]: item["id"] for item in items}


def base(order_id) -> str:
    return f"/System/Orders/{order_id}/shipments"


def tea_only(ids) -> dict:
    return {"lines": [{"item_id": ids["Tea"], "count": 1}]}


def waiting(api, order_id) -> dict:
    items = ok(api.get(f"/System/Orders/{order_id}"))["items"]
    return {item["name"]: (item["ordered"], item["waiting_count"]) for item in items}


# --- the happy path: an order shipped in two parcels ----------------------------------------


def test_an_order_shipped_in_two_parcels(api, order_id, shipper):
    ids = item_ids(api, order_id)
    body = {
        "lines": [{"item_id": ids["Mug"], "count": 2}],
        "shipper_id": shipper.pk,
        "tracking_number": "PPL-1",
        "weight": 1.25,
    }
    created = api.post(base(order_id), body, format="json")
    first = ok(created)
    assert created["ETag"] == f'"{Order.objects.get(pk=order_id).version}"'
    assert first == {
        "id": first["id"],
        "state": "packed",
        "lines": [{"item_id": ids["Mug"], "count": 2}],
        "shipper_id": shipper.pk,
        "tracking_number": "PPL-1",
        "tracking_url": "https://ppl.example/t/PPL-1",
        "weight": 1.25,
        "date_sent": None,
        "date_delivered": None,
        "date_returned": None,
        "created": first["created"],
    }
    # the Retailys view: the mugs no longer wait, nothing is sent yet
    assert waiting(api, order_id) == {"Mug": (2, 0), "Tea": (1, 1), ids_name(ids): (1, 0)}
    sent = ok(api.patch(f"{base(order_id)}/{first['id']}/sent"))
    assert (sent["state"], sent["date_sent"] is not None) == ("sent", True)
    order = ok(api.get(f"/System/Orders/{order_id}"))
    assert (order["sent"], order["delivered"]) == (False, False)

    second = ok(api.post(base(order_id), {}, format="json"))  # everything left: the tea
    assert second["lines"] == [{"item_id": ids["Tea"], "count": 1}]
    assert second["weight"] == 0
    ok(api.patch(f"{base(order_id)}/{second['id']}/sent", {}, format="json"))
    order = ok(api.get(f"/System/Orders/{order_id}"))
    assert (order["sent"], order["delivered"]) == (True, False)

    ok(api.patch(f"{base(order_id)}/{first['id']}/delivered"))
    order = ok(api.get(f"/System/Orders/{order_id}"))
    assert (order["sent"], order["delivered"]) == (True, False)
    ok(api.patch(f"{base(order_id)}/{second['id']}/delivered"))
    order = ok(api.get(f"/System/Orders/{order_id}"))
    assert (order["sent"], order["delivered"]) == (True, True)

    listed = ok(api.get(base(order_id)))
    assert listed["paginator"] == {"page": 1, "per_page": 10, "pages": 1, "total": 2}
    assert [(p["id"], p["state"]) for p in listed["shipments"]] == [
        (first["id"], "delivered"),
        (second["id"], "delivered"),
    ]
    one = ok(api.get(f"{base(order_id)}/{first['id']}"))
    assert one["date_delivered"] is not None
    assert one["tracking_number"] == "PPL-1"


def ids_name(ids) -> str:
    """The shipping fee line's name (the method's)."""
    return next(name for name in ids if name not in ("Mug", "Tea"))


def test_a_step_repeated_changes_nothing(api, order_id):
    parcel = ok(api.post(base(order_id), {}, format="json"))
    ok(api.patch(f"{base(order_id)}/{parcel['id']}/sent"))
    version = Order.objects.get(pk=order_id).version
    again = api.patch(f"{base(order_id)}/{parcel['id']}/sent")
    assert ok(again)["state"] == "sent"
    assert again["ETag"] == f'"{version}"'


def test_returned_to_sender_and_canceled(api, order_id):
    ids = item_ids(api, order_id)
    parcel = ok(api.post(base(order_id), tea_only(ids), format="json"))
    ok(api.patch(f"{base(order_id)}/{parcel['id']}/sent"))
    back = ok(api.patch(f"{base(order_id)}/{parcel['id']}/returned"))
    assert (back["state"], back["date_returned"] is not None) == ("returned", True)
    assert waiting(api, order_id)["Tea"] == (1, 1)

    packed = ok(api.post(base(order_id), {}, format="json"))
    assert ok(api.delete(f"{base(order_id)}/{packed['id']}")) == {"id": packed["id"]}
    assert not Shipment.objects.filter(pk=packed["id"]).exists()
    assert waiting(api, order_id)["Mug"] == (2, 2)


def test_waiting_count_sent_in_an_item_is_accepted_and_ignored(api, order_id):
    body = {**TEA, "name": "Cup", "waiting_count": 5}
    item_id = ok(api.post(f"/System/Orders/{order_id}/item", body, format="json"))["id"]
    cup = next(i for i in ok(api.get(f"/System/Orders/{order_id}"))["items"] if i["id"] == item_id)
    assert (cup["count"], cup["ordered"], cup["waiting_count"]) == (1, 1, 1)


# --- the Retailys calls with parcels -----------------------------------------------------------


def test_tracking_then_sent_then_delivered(api, order_id, shipper):
    """The Retailys flow: a tracking number, /sent, /delivered; one parcel underneath."""
    body = {"shipper_id": shipper.pk, "tracking_number": "40990012345"}
    ok(api.post(f"/System/Orders/{order_id}/tracking", body, format="json"))
    parcel = Shipment.objects.get(order_id=order_id)
    assert (parcel.state, parcel.tracking.tracking_number) == ("packed", "40990012345")
    order = ok(api.patch(f"/System/Orders/{order_id}/sent"))
    assert (order["sent"], order["delivered"]) == (True, False)
    assert [item["waiting_count"] for item in order["items"]] == [0, 0, 0]
    order = ok(api.patch(f"/System/Orders/{order_id}/delivered"))
    assert (order["sent"], order["delivered"]) == (True, True)
    assert ok(api.get(base(order_id)))["shipments"][0]["state"] == "delivered"
    # retries change nothing
    assert ok(api.patch(f"/System/Orders/{order_id}/sent"))["delivered"] is True
    assert Shipment.objects.filter(order_id=order_id).count() == 1


def test_delivered_on_a_partially_sent_order_is_refused(api, order_id):
    ids = item_ids(api, order_id)
    parcel = ok(api.post(base(order_id), tea_only(ids), format="json"))
    ok(api.patch(f"{base(order_id)}/{parcel['id']}/sent"))
    body = refusal(api.patch(f"/System/Orders/{order_id}/delivered"), 409)
    assert body["message"] == (
        f"Order {order_id} cannot be marked delivered: it is open, partially sent, unpaid."
    )


def test_a_shipped_item_cannot_be_removed_or_lowered(api, order_id):
    ids = item_ids(api, order_id)
    ok(api.post(base(order_id), {"lines": [{"item_id": ids["Mug"], "count": 2}]}, format="json"))
    body = refusal(api.delete(f"/System/Orders/{order_id}/item/{ids['Mug']}"), 409)
    assert body["message"] == f"Item {ids['Mug']} has 2 in parcels: it cannot be removed."
    lower = {**MUG, "id": ids["Mug"], "count": 1}
    refusal(api.put(f"/System/Orders/{order_id}/item", lower, format="json"), 409)
    # the tea waits: it may still go
    ok(api.delete(f"/System/Orders/{order_id}/item/{ids['Tea']}"))


# --- refusals -----------------------------------------------------------------------------------


def test_more_than_waits_is_a_400_naming_the_line(api, order_id):
    ids = item_ids(api, order_id)
    body = {"lines": [{"item_id": ids["Tea"], "count": 1}, {"item_id": ids["Mug"], "count": 3}]}
    error = refusal(api.post(base(order_id), body, format="json"), 400)
    assert error["errors"] == {
        "lines[1].count": [f"Item {ids['Mug']} has 2 of 2 not yet in a parcel, not 3."]
    }
    assert not Shipment.objects.exists()


def test_an_unknown_item_is_a_404(api, order_id):
    body = {"lines": [{"item_id": 987654, "count": 1}]}
    error = refusal(api.post(base(order_id), body, format="json"), 404)
    assert error["message"] == f"Order {order_id} has no item 987654."


def test_a_fee_line_is_a_400(api, order_id):
    ids = item_ids(api, order_id)
    body = {"lines": [{"item_id": ids[ids_name(ids)], "count": 1}]}
    error = refusal(api.post(base(order_id), body, format="json"), 400)
    assert list(error["errors"]) == ["lines[0].item_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": [{"item_id": 1, "count": 0}]}, "lines[0].count"),
        ({"lines": [{"item_id": 1}]}, "lines[0].count"),
        ({"lines": [{"item_id": 1, "count": 1, "x": 1}]}, "lines[0].x"),
        ({"weight": -1}, "weight"),
        ({"tracking_number": "X"}, "shipper_id"),
        ({"shipper_id": 1}, "tracking_number"),
        ({"shipper_id": 987654, "tracking_number": "X"}, "shipper_id"),
        ({"tracking_number": ""}, "tracking_number"),
        ({"parcel": 1}, "parcel"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(api, order_id, shipper, body, field):
    if body.get("shipper_id") == 1:
        body = {**body, "shipper_id": shipper.pk}
    error = refusal(api.post(base(order_id), body, format="json"), 400)
    assert field in error["errors"]
    assert not Shipment.objects.exists()


def test_a_canceled_order_is_a_409(api, order_id):
    ok(api.patch(f"/System/Orders/{order_id}/cancel"))
    error = refusal(api.post(base(order_id), {}, format="json"), 409)
    assert error["message"].startswith(f"Order {order_id} cannot be given a parcel: it is canceled")


def test_nothing_waiting_is_a_409(api, order_id):
    ok(api.post(base(order_id), {}, format="json"))
    error = refusal(api.post(base(order_id), {}, format="json"), 409)
    assert error["message"].startswith(f"Order {order_id} has nothing waiting to be shipped")


def test_a_wrong_step_is_a_409_naming_the_parcel_state(api, order_id):
    parcel = ok(api.post(base(order_id), {}, format="json"))
    error = refusal(api.patch(f"{base(order_id)}/{parcel['id']}/delivered"), 409)
    assert error == {
        "message": f"Parcel {parcel['id']} of order {order_id} cannot be marked delivered: "
        "it is packed.",
        "detail": "Allowed now: sent, cancel.",
    }
    ok(api.patch(f"{base(order_id)}/{parcel['id']}/sent"))
    refusal(api.delete(f"{base(order_id)}/{parcel['id']}"), 409)


def test_a_tracking_number_of_another_order_is_a_409(api, order_id, shipper):
    other = ok(
        api.post("/System/Orders", {"email": "a@mail.example", "items": [TEA]}, format="json")
    )["id"]
    body = {"shipper_id": shipper.pk, "tracking_number": "T-1"}
    ok(api.post(f"/System/Orders/{other}/tracking", body, format="json"))
    refusal(api.post(base(order_id), body, format="json"), 409)


def test_a_parcel_of_another_order_is_a_404(api, order_id):
    other = ok(
        api.post("/System/Orders", {"email": "a@mail.example", "items": [TEA]}, format="json")
    )["id"]
    parcel = ok(api.post(base(other), {}, format="json"))
    for response in (
        api.get(f"{base(order_id)}/{parcel['id']}"),
        api.patch(f"{base(order_id)}/{parcel['id']}/sent"),
        api.delete(f"{base(order_id)}/{parcel['id']}"),
    ):
        error = refusal(response, 404)
        assert error["message"] == f"Order {order_id} has no parcel {parcel['id']}."
    assert Shipment.objects.get().state == "packed"


def test_an_unknown_order_is_a_404(api, db):
    refusal(api.get(base(987654)), 404)
    refusal(api.get(f"{base(987654)}/1"), 404)
    refusal(api.post(base(987654), {}, format="json"), 404)
    refusal(api.patch(f"{base(987654)}/1/sent"), 404)


def test_strict_query_parameters(api, order_id):
    error = refusal(api.get(base(order_id), {"state": "sent"}), 400)
    assert list(error["errors"]) == ["state"]
    refusal(api.get(base(order_id), {"per_page": 5}), 400)
    refusal(api.patch(f"{base(order_id)}/1/shipped"), 404)


def test_if_match_guards_the_order(api, order_id):
    stale = api.post(base(order_id), {}, format="json", HTTP_IF_MATCH='"999"')
    refusal(stale, 412)
    assert not Shipment.objects.exists()


def test_idempotency_key_replays_the_parcel(api, order_id):
    first = api.post(base(order_id), {}, format="json", HTTP_IDEMPOTENCY_KEY="pack-1")
    again = api.post(base(order_id), {}, format="json", HTTP_IDEMPOTENCY_KEY="pack-1")
    assert ok(again) == ok(first)
    assert again["Idempotent-Replayed"] == "true"
    assert Shipment.objects.count() == 1


# --- permissions --------------------------------------------------------------------------------


def test_no_key_is_a_401(anonymous, order_id):
    parcel = Shipment.objects.create(order_id=order_id, actor="x", source="api")
    for response in (
        anonymous.get(base(order_id)),
        anonymous.get(f"{base(order_id)}/{parcel.pk}"),
        anonymous.post(base(order_id), {}, format="json"),
        anonymous.patch(f"{base(order_id)}/{parcel.pk}/sent"),
        anonymous.delete(f"{base(order_id)}/{parcel.pk}"),
    ):
        refusal(response, 401)
    assert Shipment.objects.get().state == "packed"


def test_a_read_only_key_reads_but_does_not_write(api, read_only_api, order_id):
    parcel = ok(api.post(base(order_id), {}, format="json"))
    assert ok(read_only_api.get(base(order_id)))["paginator"]["total"] == 1
    assert ok(read_only_api.get(f"{base(order_id)}/{parcel['id']}"))["id"] == parcel["id"]
    for response in (
        read_only_api.post(base(order_id), {}, format="json"),
        read_only_api.patch(f"{base(order_id)}/{parcel['id']}/sent"),
        read_only_api.patch(f"{base(order_id)}/{parcel['id']}/delivered"),
        read_only_api.patch(f"{base(order_id)}/{parcel['id']}/returned"),
        read_only_api.delete(f"{base(order_id)}/{parcel['id']}"),
    ):
        refusal(response, 403)
    assert Shipment.objects.get().state == "packed"


# --- query counts -------------------------------------------------------------------------------

# key + the order exists + parcels (tracking and shipper joined) + lines; no count: a
# page that is not full tells the total
LIST_QUERIES = 4
# key + the parcel (joined) + its lines + the order's version (the ETag)
DETAIL_QUERIES = 4


@pytest.mark.parametrize("parcels", [1, 20])
def test_query_counts_do_not_grow(api, django_assert_num_queries, shipper, parcels):
    body = {"email": "a@mail.example", "items": [{**TEA, "count": parcels}]}
    order_id = ok(api.post("/System/Orders", body, format="json"))["id"]
    tea = item_ids(api, order_id)["Tea"]
    for n in range(parcels):
        tracking = {"shipper_id": shipper.pk, "tracking_number": f"N-{n}"}
        line = {"lines": [{"item_id": tea, "count": 1}]}
        ok(api.post(base(order_id), {**line, **tracking}, format="json"))
    last = Shipment.objects.order_by("id").last()

    with django_assert_num_queries(LIST_QUERIES):
        listed = ok(api.get(base(order_id), {"per_page": 250}))
    with django_assert_num_queries(DETAIL_QUERIES):
        one = ok(api.get(f"{base(order_id)}/{last.pk}"))

    assert len(listed["shipments"]) == parcels
    assert all(p["tracking_url"] for p in listed["shipments"])
    assert one["lines"] == [{"item_id": tea, "count": 1}]
