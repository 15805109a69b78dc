"""The links of an answer are the routes reversed once per request, with each id or hash put
in (orders/api/links.py): the same strings reverse() gives, also under a script prefix."""

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from orders.api.links import (
    DETAIL_ROUTES,
    Links,
    absolute,
    context_links,
    links_for,
    route,
)
from orders.models import new_order_hash
from tests.factories import OrderFactory, ShippingMethodFactory

PKS = [1, 7, 10, 4711, 123456789, 10**18 - 1]


@pytest.fixture
def request_(settings):
    settings.PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["shop.example"]
    return RequestFactory().get("/System/Orders", secure=True, HTTP_HOST="shop.example")


def reversed_link(request, name: str, value) -> str:
    return absolute(request, reverse(name, args=[value]))


@pytest.mark.parametrize("relation", sorted(DETAIL_ROUTES))
def test_api_links_are_what_reverse_gives(request_, relation):
    links = Links(request_)
    for pk in PKS:
        expected = reversed_link(request_, f"api:{DETAIL_ROUTES[relation]}", pk)
        assert links.api(relation, pk) == expected


def test_an_api_link_is_absolute(request_):
    assert Links(request_).api("customer", 4711) == "https://shop.example/System/People/4711"


def test_order_links_are_what_reverse_gives(request_):
    links = Links(request_)
    for order_hash in [new_order_hash() for _ in range(20)] + ["a", "-_", "x" * 64]:
        assert links.order_page(order_hash) == reversed_link(request_, "order-page", order_hash)
        assert links.order_invoice(order_hash) == reversed_link(
            request_, "order-invoice", order_hash
        )
    assert links.order_page("abc") == "https://shop.example/order/abc"
    assert links.order_invoice("abc") == "https://shop.example/order/abc/invoice"


def test_a_value_the_route_refuses_fails_as_reverse_does(request_):
    links = Links(request_)
    links.order_page("abc")  # the route's template is made
    for bad in ["a/b", "", "x" * 65, "é"]:
        with pytest.raises(NoReverseMatch):
            links.order_page(bad)
    with pytest.raises(NoReverseMatch):
        links.api("customer", 10**18)


def test_links_follow_the_script_prefix(request_):
    set_script_prefix("/shop/")
    try:
        links = Links(request_)
        assert links.api("customer", 5) == "https://shop.example/shop/System/People/5"
        assert links.order_page("abc") == reversed_link(request_, "order-page", "abc")
    finally:
        clear_script_prefix()


def test_a_route_is_reversed_once_per_script_prefix():
    assert route("order-page") is route("order-page")
    set_script_prefix("/shop/")
    try:
        assert route("order-page")("abc") == "/shop/order/abc"
    finally:
        clear_script_prefix()
    assert route("order-page")("abc") == "/order/abc"


def test_one_links_per_request_and_per_export_context(request_):
    assert links_for(request_) is links_for(request_)
    assert links_for(None) is not links_for(None)
    context = {"request": None}
    assert context_links(context) is context_links(context)
    assert context_links({"request": request_}) is links_for(request_)


@pytest.mark.django_db
def test_the_list_links_every_order_as_reverse_would(api, settings):
    settings.PUBLIC_BASE_URL = "https://orders.shop.example"
    orders = OrderFactory.create_batch(3, shipping=ShippingMethodFactory())
    body = api.get("/System/Orders").json()
    assert len(body["orders"]) == 3
    for answer, order in zip(body["orders"], sorted(orders, key=lambda o: -o.pk), strict=True):
        assert answer["id"] == order.pk
        base = settings.PUBLIC_BASE_URL
        assert answer["customer"]["api_link"] == base + reverse(
            "api:person-detail", args=[order.customer_id]
        )
        assert answer["shipping"]["api_link"] == base + reverse(
            "api:shipping-detail", args=[order.shipping_id]
        )
        assert answer["order_url"] == base + reverse("order-page", args=[order.hash])
        assert answer["invoice_url"] == base + reverse("order-invoice", args=[order.hash])
