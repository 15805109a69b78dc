"""GET /System/Orders (filters, paging), /System/Orders/{id}, /Statuses, /history, and the
read-only endpoints every api_link points to."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.actors import Actor
from orders.models import ClosingState, ShippingState
from statuses.models import OrderStatus
from tests.factories import (
    ChannelFactory,
    CustomerFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    TrackingFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [order["id"] for order in response.json()["orders"]]


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2019, 12, day, hour, tzinfo=dt.UTC)


# --- listing ------------------------------------------------------------------------


def test_list_is_newest_first_with_ties_by_id(api):
    older = OrderFactory(date_order=at(1))
    tie_a, tie_b = OrderFactory(date_order=at(2)), OrderFactory(date_order=at(2))
    assert ids(api.get("/System/Orders")) == [tie_b.pk, tie_a.pk, older.pk]


def test_list_pages(api):
    orders = [OrderFactory(date_order=at(1, hour)) for hour in range(12)]
    response = api.get("/System/Orders", {"page": 2, "per_page": 10})
    assert response.json()["paginator"] == {"page": 2, "per_page": 10, "pages": 2, "total": 12}
    assert ids(response) == [orders[1].pk, orders[0].pk]


def test_every_page_of_a_filtered_listing_is_its_slice(api):
    """Pages are read ids first (selectors.page_ids, then orders_by_ids): with ties on
    date_order across page boundaries and a filter, the pages still follow each other
    without gap or repeat, in the listing's order."""
    paid, other = OrderStatusFactory(), OrderStatusFactory()
    orders = [
        OrderFactory(date_order=at(1 + n % 3), status=paid if n % 4 else other) for n in range(34)
    ]
    expected = [
        order.pk
        for order in sorted(orders, key=lambda o: (o.date_order, o.pk), reverse=True)
        if order.status == paid
    ]
    pages = [
        api.get("/System/Orders", {"status_id": paid.pk, "per_page": 10, "page": page})
        for page in (1, 2, 3)
    ]
    assert [ids(page) for page in pages] == [expected[:10], expected[10:20], expected[20:]]
    assert pages[2].json()["paginator"] == {"page": 3, "per_page": 10, "pages": 3, "total": 25}


def test_page_past_the_end_is_empty_not_an_error(api):
    OrderFactory()
    response = api.get("/System/Orders", {"page": 5})
    assert response.json() == {
        "paginator": {"page": 5, "per_page": 10, "pages": 1, "total": 1},
        "orders": [],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": 9}, "per_page"),
        ({"per_page": 251}, "per_page"),
        ({"expanded": "yes"}, "expanded"),
        ({"done": "yes"}, "done"),
        ({"canceled": "2"}, "canceled"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2019-13-01"}, "to"),
        ({"updated_since": "soon"}, "updated_since"),
        ({"channel_id": "abc"}, "channel_id"),
        ({"channel_id": 999}, "channel_id"),
        ({"status_id": 999}, "status_id"),
        ({"customer_id": "1.5"}, "customer_id"),
        ({"company_id": "99999999999999999999999"}, "company_id"),
    ],
)
def test_bad_query_parameter_is_400_naming_it(api, params, field):
    response = api.get("/System/Orders", params)
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [field]
    assert field in body["message"]


def test_every_bad_parameter_is_named_at_once(api):
    response = api.get("/System/Orders", {"per_page": 5, "done": "maybe"})
    assert set(response.json()["errors"]) == {"per_page", "done"}


@pytest.mark.parametrize(
    ("value", "expect_done"), [("1", True), ("true", True), ("0", False), ("false", False)]
)
def test_done_filter_accepts_1_0_true_false(api, value, expect_done):
    done = OrderFactory(closing_state=ClosingState.DONE)
    open_ = OrderFactory()
    assert ids(api.get("/System/Orders", {"done": value})) == [done.pk if expect_done else open_.pk]


def test_canceled_filter(api):
    canceled = OrderFactory(closing_state=ClosingState.CANCELED)
    OrderFactory()
    assert ids(api.get("/System/Orders", {"canceled": 1})) == [canceled.pk]


def test_relation_filters(api):
    channel, customer = ChannelFactory(), CustomerFactory()
    status = OrderStatusFactory()
    in_channel = OrderFactory(channel=channel)
    of_customer = OrderFactory(customer=customer)
    with_status = OrderFactory(status=status)
    assert ids(api.get("/System/Orders", {"channel_id": channel.pk})) == [in_channel.pk]
    assert ids(api.get("/System/Orders", {"customer_id": customer.pk})) == [of_customer.pk]
    assert ids(api.get("/System/Orders", {"company_id": channel.company_id})) == [in_channel.pk]
    assert ids(api.get("/System/Orders", {"status_id": status.pk})) == [with_status.pk]
    assert ids(api.get("/System/Orders", {"company_id": 123456})) == []


def test_from_and_to_with_offsets_and_dates(api):
    first, second, third = (OrderFactory(date_order=at(day)) for day in (1, 2, 3))
    # 2019-12-02T13:00+01:00 is 12:00 UTC: the second order is included.
    params = {"from": "2019-12-02T13:00:00+01:00", "to": "2019-12-03"}
    assert ids(api.get("/System/Orders", params)) == [third.pk, second.pk]
    # A '+' sent without percent-encoding arrives as a space and still works.
    response = api.get("/System/Orders?to=2019-12-01T13:00:00 01:00")
    assert ids(response) == [first.pk]


def test_tracking_filter_is_exact(api):
    tracking = TrackingFactory(tracking_number="DR1234567890")
    TrackingFactory(tracking_number="DR12345678901")
    assert ids(api.get("/System/Orders", {"tracking": "DR1234567890"})) == [tracking.order_id]


def test_an_order_with_one_number_from_two_shippers_is_listed_and_counted_once(api):
    first = TrackingFactory(tracking_number="DR1234567890")
    TrackingFactory(order=first.order, tracking_number="DR1234567890")  # another shipper
    other = TrackingFactory(tracking_number="DR1234567890")

    response = api.get("/System/Orders", {"tracking": "DR1234567890"})

    assert sorted(ids(response)) == sorted([first.order_id, other.order_id])
    assert response.json()["paginator"]["total"] == 2


def test_updated_since(api):
    old = OrderFactory()
    new = OrderFactory()
    cutoff = timezone.now()
    from orders.models import Order

    Order.objects.filter(pk=old.pk).update(updated_at=cutoff - dt.timedelta(hours=1))
    Order.objects.filter(pk=new.pk).update(updated_at=cutoff + dt.timedelta(seconds=1))
    response = api.get("/System/Orders", {"updated_since": cutoff.isoformat()})
    assert ids(response) == [new.pk]


# --- one order ------------------------------------------------------------------------


def test_detail_shows_items_prices_trackings_status_and_etag(api):
    order = order_with_items(items=1)
    order = services.order_status_assign(
        order_id=order.pk, status_id=OrderStatusFactory(name="Packing").pk, actor=Actor.system()
    )
    tracking = TrackingFactory(order=order, tracking_number="ZZ 1/2")
    response = api.get(f"/System/Orders/{order.pk}")
    assert response.status_code == 200
    assert response["ETag"] == f'"{order.version}"'
    body = response.json()
    assert body["money"] == 12.1
    assert body["items"][0]["price"] == {
        "base_price": 10.0,
        "base_price_word": "€10.00",
        "final_price": 12.1,
        "final_price_word": "€12.10",
        "vat": 21.0,
        "vat_value": 2.1,
        "vat_value_word": "€2.10",
        "currency": "EUR",
    }
    assert body["trackings"] == [
        {
            "shipper_id": tracking.shipper_id,
            "tracking_number": "ZZ 1/2",
            "tracking_url": "https://carrier.example/track/ZZ%201%2F2",
        }
    ]
    assert body["status"]["name"] == "Packing"
    assert body["channel"] == {
        "id": order.channel_id,
        "api_link": f"http://testserver/System/Channels/{order.channel_id}",
    }
    assert body["order_url"] == f"http://testserver/order/{order.hash}"
    assert body["invoice_url"] == f"http://testserver/order/{order.hash}/invoice"


def test_price_original_and_article(api):
    item = OrderItemFactory(
        article_id=77,
        original_price_base=Decimal("20.00"),
        original_price_final=Decimal("24.20"),
    )
    body = api.get(f"/System/Orders/{item.order_id}").json()
    assert body["items"][0]["article"] == 77
    assert body["items"][0]["price_original"]["final_price"] == 24.2


def test_links_use_public_base_url(api, settings):
    settings.PUBLIC_BASE_URL = "https://orders.shop.example"
    order = OrderFactory()
    body = api.get(f"/System/Orders/{order.pk}").json()
    assert (
        body["customer"]["api_link"]
        == f"https://orders.shop.example/System/People/{order.customer_id}"
    )
    assert body["order_url"].startswith("https://orders.shop.example/order/")


def test_expanded_detail_has_the_related_objects_fields(api):
    shipping, payment = ShippingMethodFactory(), PaymentMethodFactory()
    order = OrderFactory(shipping=shipping, payment=payment)
    body = api.get(f"/System/Orders/{order.pk}", {"expanded": "true"}).json()
    assert body["customer"]["email"] == order.customer.email
    assert body["company"]["company_vat"] == order.company.company_vat
    assert body["channel"]["currency_code"] == "EUR"
    assert body["shipping"]["name"] == shipping.name
    assert body["shipping"]["shipper"]["id"] == shipping.shipper_id
    assert body["payment"]["name"] == payment.name


def test_unknown_order_is_404(api):
    response = api.get("/System/Orders/987654")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "detail": "Order 987654 does not exist."}


def test_every_api_link_answers_200(api):
    order = OrderFactory(shipping=ShippingMethodFactory(), payment=PaymentMethodFactory())
    body = api.get(f"/System/Orders/{order.pk}").json()
    links = [
        body[name]["api_link"] for name in ("customer", "company", "channel", "shipping", "payment")
    ]
    expanded = api.get(f"/System/Orders/{order.pk}", {"expanded": 1}).json()
    links.append(expanded["shipping"]["shipper"]["api_link"])
    for link in links:
        response = api.get(link.removeprefix("http://testserver"))
        assert response.status_code == 200, link
        assert response.json()["id"] in {
            order.customer_id,
            order.company_id,
            order.channel_id,
            order.shipping_id,
            order.payment_id,
            order.shipping.shipper_id,
        }


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/System/People", "users"),  # the public client reads People under `users`
        ("/System/Companies", "companies"),
        ("/System/Channels", "channels"),
        ("/System/Channels/Shippings", "shippings"),
        ("/System/Channels/Payments", "payments"),
        ("/System/Lists/Shippers", "shippers"),
    ],
)
def test_reference_lists_are_paginated(api, path, key):
    OrderFactory(shipping=ShippingMethodFactory(), payment=PaymentMethodFactory())
    body = api.get(path).json()
    assert set(body) == {"paginator", key}
    assert body["paginator"]["total"] == len(body[key]) >= 1
    assert api.get(path + "/99999").status_code == 404
    assert api.get(path, {"per_page": 1}).status_code == 400


# --- statuses and history ----------------------------------------------------------------


def test_statuses_are_listed_in_sort_order(api):
    OrderStatus.objects.all().delete()
    late, early = OrderStatusFactory(sort=5, name="Late"), OrderStatusFactory(sort=1, name="Early")
    body = api.get("/System/Orders/Statuses").json()
    assert [s["name"] for s in body["statuses"]] == ["Early", "Late"]
    assert body["paginator"] == {"page": 1, "per_page": 10, "pages": 1, "total": 2}
    assert body["statuses"][1] == {
        "id": late.pk,
        "name": "Late",
        "icon": "",
        "color": "#123456",
        "sort": 5,
        "complete_order": False,
        "cancel_order": False,
    }
    assert early.pk


def test_statuses_bad_page_is_400(api):
    assert api.get("/System/Orders/Statuses", {"per_page": 1000}).status_code == 400


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_history_is_newest_first(api):
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=Actor.for_command("ship"))
    body = api.get(f"/System/Orders/{order.pk}/history").json()
    assert body["paginator"]["total"] == 2
    first = body["history"][0]
    assert (first["type"], first["name"], first["actor"], first["source"]) == (
        "state",
        "Order sent",
        "ship",
        "command",
    )
    assert first["changes"]["shipping_state"] == [ShippingState.PENDING, ShippingState.SENT]
    assert body["history"][1]["type"] == "created"


def test_history_of_unknown_order_is_404(api):
    assert api.get("/System/Orders/424242/history").status_code == 404
