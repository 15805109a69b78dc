"""Returns on the API (ours): POST and GET /System/Orders/{id}/returns, GET one, PATCH
/received and /rejected, POST /refund. Each: success, its refusals, permissions."""

from decimal import Decimal

import pytest

from orders import services
from orders.actors import Actor
from orders.models import Order, OrderItem, Refund, Return
from tests.factories import ChannelFactory, ShippingMethodFactory, delivered_parcel

pytestmark = pytest.mark.django_db

MUG = {"name": "Mug", "count": 2, "price": {"final_price": 12.10, "vat": 21}}
TEA = {"name": "Tea", "count": 1, "price": {"final_price": 11.20, "vat": 12}}


def ok(response) -> dict:
    assert response.status_code == 200, response.json()
    return response.json()


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) >= {"message", "detail"}
    return body


def item_id(order_id: int, name: str) -> int:
    return OrderItem.objects.get(order_id=order_id, name=name).pk


def deliver(order_id: int, **counts) -> None:
    """A delivered parcel of `name=count` units (the parcel services are not needed)."""
    order = Order.objects.get(pk=order_id)
    delivered_parcel(order, [(order.items.get(name=name), n) for name, n in counts.items()])


def new_order(api, *, paid=True) -> int:
    channel = ChannelFactory(currency_code="EUR")
    shipping = ShippingMethodFactory(channel=channel, name="Courier", price=Decimal("4.90"))
    body = {
        "channel": channel.pk,
        "email": "jana@mail.example",
        "shipping_id": shipping.pk,
        "items": [MUG, TEA],
    }
    order_id = ok(api.post("/System/Orders", body, format="json"))["id"]
    if paid:  # 2 x 12.10 + 11.20 + 4.90 = 40.30 EUR
        ok(api.patch(f"/System/Orders/{order_id}/paid", {}, format="json"))
    return order_id


@pytest.fixture
def order_id(api) -> int:
    """Paid in full (40.30 EUR), both mugs and the tea delivered."""
    order_id = new_order(api)
    deliver(order_id, Mug=2, Tea=1)
    return order_id


def url(order_id: int, *parts) -> str:
    return "/".join([f"/System/Orders/{order_id}/returns", *map(str, parts)])


def post_return(api, order_id, lines, reason="Too small"):
    body = {"reason": reason, "lines": [{"item_id": i, "count": c} for i, c in lines]}
    return api.post(url(order_id), body, format="json")


def test_a_return_requested_received_and_refunded(api, order_id):
    mug = item_id(order_id, "Mug")

    response = post_return(api, order_id, [(mug, 1)])

    created = ok(response)
    goods_return = Return.objects.get()
    assert response["ETag"] == f'"{Order.objects.get(pk=order_id).version}"'
    assert {k: v for k, v in created.items() if k != "created_at"} == {
        "id": goods_return.pk,
        "state": "requested",
        "reason": "Too small",
        "lines": [{"item_id": mug, "name": "Mug", "count": 1}],
        "refund_id": None,
        "refund_amount": None,
        "currency": "EUR",
        "actor": "Web shop",
        "source": "api",
        "date_received": None,
        "date_refunded": None,
        "date_rejected": None,
    }
    assert ok(api.get(url(order_id, goods_return.pk))) == created
    page = ok(api.get(url(order_id)))
    assert (page["paginator"]["total"], page["returns"]) == (1, [created])

    received = ok(api.patch(url(order_id, goods_return.pk, "received")))
    assert (received["state"], received["date_received"] is not None) == ("received", True)

    refunded = ok(api.post(url(order_id, goods_return.pk, "refund"), {}, format="json"))
    refund = Refund.objects.get()
    # One mug at its price; the courier is not refunded with the goods.
    assert (refunded["state"], refunded["refund_id"], refunded["refund_amount"]) == (
        "refunded",
        refund.pk,
        12.1,
    )
    assert refunded["date_refunded"] is not None
    (read,) = ok(api.get(f"/System/Orders/{order_id}/refunds"))["refunds"]
    assert (read["id"], read["amount"], read["reason"], read["mark_returned"]) == (
        refund.pk,
        12.1,
        "Too small",
        True,
    )
    assert read["return_id"] == goods_return.pk
    order = ok(api.get(f"/System/Orders/{order_id}"))
    assert (order["paid"], order["refunded"], order["payment_state"]) == (
        28.2,
        12.1,
        "partially_refunded",
    )
    history = ok(api.get(f"/System/Orders/{order_id}/history"))["history"]
    assert [record["name"] for record in history[:3]] == [
        f"Refund for return {goods_return.pk}: 12.10 EUR",
        f"Return {goods_return.pk} received",
        f"Return {goods_return.pk} requested: 1 x Mug",
    ]


def test_a_refund_with_an_extra_amount_and_its_own_reason(api, order_id):
    tea = item_id(order_id, "Tea")
    return_id = ok(post_return(api, order_id, [(tea, 1)]))["id"]
    ok(api.patch(url(order_id, return_id, "received")))

    body = {"amount": 2.5, "reason": "Return postage paid"}
    refunded = ok(api.post(url(order_id, return_id, "refund"), body, format="json"))

    assert refunded["refund_amount"] == 13.7
    refund = Refund.objects.get()
    assert (refund.extra_amount, refund.reason) == (Decimal("2.50"), "Return postage paid")


def test_a_refund_is_made_once_also_when_retried(api, order_id):
    return_id = ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["id"]
    ok(api.patch(url(order_id, return_id, "received")))
    refund_url = url(order_id, return_id, "refund")

    first = ok(api.post(refund_url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rma-1"))
    replayed = api.post(refund_url, {}, format="json", HTTP_IDEMPOTENCY_KEY="rma-1")
    again = ok(api.post(refund_url, {}, format="json"))

    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == first
    assert again["refund_id"] == first["refund_id"]
    assert Refund.objects.count() == 1


def test_rejecting_releases_the_units(api, order_id):
    mug = item_id(order_id, "Mug")
    return_id = ok(post_return(api, order_id, [(mug, 2)]))["id"]
    refusal(post_return(api, order_id, [(mug, 1)]), 400)  # both mugs are on their way back

    rejected = ok(api.patch(url(order_id, return_id, "rejected")))

    assert (rejected["state"], rejected["date_rejected"] is not None) == ("rejected", True)
    assert OrderItem.objects.get(pk=mug).returned_count == 0
    assert ok(post_return(api, order_id, [(mug, 2)]))["state"] == "requested"
    assert ok(api.patch(url(order_id, return_id, "rejected")))["state"] == "rejected"  # again


def test_a_done_order_takes_a_return(api, order_id):
    ok(api.patch(f"/System/Orders/{order_id}/done"))
    assert ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["state"] == "requested"


# --- refusals --------------------------------------------------------------------------------


def test_more_than_was_delivered_is_400_naming_the_count(api):
    order_id = new_order(api)
    deliver(order_id, Mug=1)
    mug = item_id(order_id, "Mug")

    answer = refusal(post_return(api, order_id, [(mug, 2)]), 400)

    assert answer["message"] == f"Item {mug} has 1 of 1 delivered units left to return, not 2."
    assert list(answer["errors"]) == ["lines[0].count"]
    tea = item_id(order_id, "Tea")
    answer = refusal(post_return(api, order_id, [(mug, 1), (tea, 1)]), 400)
    assert answer["errors"] == {
        "lines[1].count": [f"Item {tea} is not delivered yet: nothing of it can come back."]
    }
    assert not Return.objects.exists()


def test_an_order_with_nothing_delivered_is_409(api):
    order_id = new_order(api)
    ok(api.patch(f"/System/Orders/{order_id}/sent"))

    answer = refusal(post_return(api, order_id, [(item_id(order_id, "Mug"), 1)]), 409)

    assert answer == {
        "message": f"Order {order_id} cannot take a return: nothing of it is delivered yet.",
        "detail": "Goods come back from delivered parcels.",
    }


def test_a_canceled_order_is_409(api):
    order_id = new_order(api, paid=False)
    deliver(order_id, Mug=1)
    ok(api.patch(f"/System/Orders/{order_id}/cancel"))

    answer = refusal(post_return(api, order_id, [(item_id(order_id, "Mug"), 1)]), 409)

    assert answer["message"] == f"Order {order_id} cannot take a return: it is canceled."


def test_a_fee_line_is_400_and_an_unknown_item_404(api, order_id):
    fee = OrderItem.objects.get(order_id=order_id, kind="shipping").pk

    answer = refusal(post_return(api, order_id, [(fee, 1)]), 400)
    assert answer["errors"] == {
        "lines[0].item_id": [f"Item {fee} is a shipping fee line: only products come back."]
    }
    answer = refusal(post_return(api, order_id, [(987654, 1)]), 404)
    assert answer["message"] == f"Order {order_id} has no item 987654."
    mug = item_id(order_id, "Mug")
    assert list(refusal(post_return(api, order_id, [(mug, 1), (mug, 1)]), 400)["errors"]) == [
        "lines[1].item_id"
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"item_id": 1, "count": 1}]}, "reason"),
        ({"reason": "", "lines": [{"item_id": 1, "count": 1}]}, "reason"),
        ({"reason": "x" * 301, "lines": [{"item_id": 1, "count": 1}]}, "reason"),
        ({"reason": "x"}, "lines"),
        ({"reason": "x", "lines": []}, "lines"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 0}]}, "lines[0].count"),
        ({"reason": "x", "lines": [{"item_id": "mug", "count": 1}]}, "lines[0].item_id"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 1, "note": "x"}]}, "lines[0].note"),
        ({"reason": "x", "lines": [{"item_id": 1, "count": 1}], "refund": True}, "refund"),
    ],
)
def test_body_refusals_are_400_naming_the_field(api, order_id, body, field):
    answer = refusal(api.post(url(order_id), body, format="json"), 400)
    assert list(answer["errors"]) == [field]
    assert not Return.objects.exists()


def test_a_step_the_return_does_not_allow_is_409(api, order_id):
    return_id = ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["id"]

    answer = refusal(api.post(url(order_id, return_id, "refund"), {}, format="json"), 409)
    assert answer == {
        "message": f"Return {return_id} cannot be refunded: it is requested.",
        "detail": "Allowed now: receive, reject.",
    }
    ok(api.patch(url(order_id, return_id, "rejected")))
    answer = refusal(api.patch(url(order_id, return_id, "received")), 409)
    assert answer == {
        "message": f"Return {return_id} cannot be received: it is rejected.",
        "detail": "Allowed now: nothing.",
    }
    assert not Refund.objects.exists()


def test_a_refund_of_an_order_holding_no_money_is_409_and_the_return_stays(api):
    order_id = new_order(api, paid=False)  # cash on delivery, not paid yet
    deliver(order_id, Tea=1)
    return_id = ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["id"]
    ok(api.patch(url(order_id, return_id, "received")))

    answer = refusal(api.post(url(order_id, return_id, "refund"), {}, format="json"), 409)

    assert answer["message"].startswith(f"Order {order_id} cannot be refunded: it is open")
    assert ok(api.get(url(order_id, return_id)))["state"] == "received"


def test_a_refund_body_refusal_is_400(api, order_id):
    return_id = ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["id"]
    ok(api.patch(url(order_id, return_id, "received")))
    refund_url = url(order_id, return_id, "refund")

    for body, field in [({"amount": "x"}, "amount"), ({"amount": 0}, "amount"), ({"x": 1}, "x")]:
        assert list(refusal(api.post(refund_url, body, format="json"), 400)["errors"]) == [field]
    answer = refusal(api.post(refund_url, {"amount": 40}, format="json"), 400)
    assert answer["message"] == (
        "A refund of 51.20 EUR is more than the 40.30 EUR paid and not yet refunded."
    )
    assert not Refund.objects.exists()


def test_a_return_of_another_order_or_none_is_404(api, order_id):
    other = new_order(api)
    deliver(other, Tea=1)
    foreign = ok(post_return(api, other, [(item_id(other, "Tea"), 1)]))["id"]

    answer = refusal(api.get(url(order_id, foreign)), 404)
    assert answer["message"] == f"Order {order_id} has no return {foreign}."
    refusal(api.patch(url(order_id, foreign, "received")), 404)
    refusal(api.post(url(order_id, foreign, "refund"), {}, format="json"), 404)
    refusal(api.patch(url(order_id, foreign, "rejected")), 404)
    assert Return.objects.get(pk=foreign).state == "requested"
    for response in (
        api.get(url(987654)),
        api.get(url(987654, foreign)),
        post_return(api, 987654, [(1, 1)]),
        api.get(url(order_id, "abc")),
    ):
        refusal(response, 404)


def test_the_list_is_strict_and_paged(api, order_id):
    mug = item_id(order_id, "Mug")
    for _ in range(2):
        return_id = ok(post_return(api, order_id, [(mug, 2)]))["id"]
        ok(api.patch(url(order_id, return_id, "rejected")))
    ok(post_return(api, order_id, [(mug, 1)]))

    page = ok(api.get(url(order_id), {"page": 2, "per_page": 10}))
    assert page == {"paginator": {"page": 2, "per_page": 10, "pages": 1, "total": 3}, "returns": []}
    states = [r["state"] for r in ok(api.get(url(order_id)))["returns"]]
    assert states == ["rejected", "rejected", "requested"]
    assert list(refusal(api.get(url(order_id), {"state": "requested"}), 400)["errors"]) == ["state"]
    assert list(refusal(api.get(url(order_id, return_id), {"page": 1}), 400)["errors"]) == ["page"]


def test_a_stale_if_match_is_412(api, order_id):
    version = Order.objects.get(pk=order_id).version
    body = {"reason": "x", "lines": [{"item_id": item_id(order_id, "Tea"), "count": 1}]}
    refusal(api.post(url(order_id), body, format="json", HTTP_IF_MATCH=f'"{version - 1}"'), 412)
    ok(api.post(url(order_id), body, format="json", HTTP_IF_MATCH=f'"{version}"'))


def test_other_methods_are_405(api, order_id):
    return_id = ok(post_return(api, order_id, [(item_id(order_id, "Tea"), 1)]))["id"]
    refusal(api.get(url(order_id, return_id, "received")), 405)
    refusal(api.patch(url(order_id, return_id, "refund"), {}, format="json"), 405)
    refusal(api.delete(url(order_id, return_id)), 405)


# --- keys: none 401, read-only 403 on writes and 200 on reads ------------------------------------


@pytest.fixture
def received_return_id(order_id) -> int:
    actor = Actor.for_command("tests")
    tea = item_id(order_id, "Tea")
    goods_return = services.return_request(
        order_id=order_id, actor=actor, lines=[(tea, 1)], reason="Wrong colour"
    )
    services.return_mark_received(order_id=order_id, return_id=goods_return.pk, actor=actor)
    return goods_return.pk


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "", {"reason": "x", "lines": [{"item_id": "mug", "count": 1}]}),
        ("patch", "{r}/received", None),
        ("post", "{r}/refund", {}),
        ("patch", "{r}/rejected", None),
    ],
)
def test_writes_need_a_read_write_key(
    api, anonymous, read_only_api, order_id, received_return_id, method, path, body
):
    if body and "lines" in body:
        body["lines"][0]["item_id"] = item_id(order_id, "Mug")
    target = url(order_id, path.format(r=received_return_id)).rstrip("/")
    version = Order.objects.get(pk=order_id).version
    refusal(getattr(anonymous, method)(target, body, format="json"), 401)
    refusal(getattr(read_only_api, method)(target, body, format="json"), 403)
    assert Order.objects.get(pk=order_id).version == version
    ok(getattr(api, method)(target, body, format="json"))


def test_reads_need_a_key_and_a_read_only_one_will_do(
    anonymous, read_only_api, order_id, received_return_id
):
    for target in (url(order_id), url(order_id, received_return_id)):
        refusal(anonymous.get(target), 401)
        ok(read_only_api.get(target))
