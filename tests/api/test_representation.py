"""The Order answer written by plain functions (orders/api/representation.py) is DRF's own
walk of OrderSerializer's fields, to the key order and the type of every value, for
orders of every kind, expanded or not, with a request or in an export, in any time zone."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from orders import demo, selectors, services
from orders.api.serializers import OrderSerializer
from orders.models import Order, OrderItem
from tests.factories import (
    OrderDiscountFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    ShipperFactory,
    TrackingFactory,
)

pytestmark = pytest.mark.django_db


def assert_same(ours, theirs, path="$"):
    """Equal values of the same types, dict keys in the same order."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        assert list(ours) == list(theirs), path
        for key, value in theirs.items():
            assert_same(ours[key], value, f"{path}.{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        assert len(ours) == len(theirs), path
        for index, (mine, value) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(mine, value, f"{path}[{index}]")
    else:
        assert type(ours) is type(theirs), (path, ours, theirs)
        if isinstance(theirs, Decimal):
            assert ours.as_tuple() == theirs.as_tuple(), (path, ours, theirs)
        else:
            assert ours == theirs, (path, ours, theirs)


def drf_representation(order, context: dict) -> dict:
    """What DRF's field walk gives (the serializer's own to_representation is ours)."""
    return serializers.ModelSerializer.to_representation(OrderSerializer(context=context), order)


@pytest.fixture
def orders(actor):
    """Orders as the services make them (discounts, refunds, CZK, trackings, statuses),
    a JPY order with original prices, and rows with the rarer values."""
    demo.seed(24, seed=5)
    jpy = services.order_create(
        actor=actor,
        name="Yui Tanaka",
        email="yui@mail.example",
        order_currency_code="JPY",
        items=[
            services.ItemData(
                name="Tea set",
                count=2,
                vat=Decimal("10"),
                final_price=Decimal("4400"),
                original_final_price=Decimal("5500"),
                article_id=7,
            )
        ],
    )
    services.order_discount_set(
        order_id=jpy.pk, actor=actor, type="amount", value=Decimal("500"), reason="Voucher"
    )
    bare = OrderFactory(
        customer=None,
        company=None,
        channel=None,
        email="",
        name='Line\u2028break \u2029 "quoted" \\ tab\t',
        state_code="",
        delivery_state_code="1A",
        order_currency_code="KWD",
        main_currency_code="",
        ip=None,
        note="Ž" * 3,
    )
    OrderItemFactory(
        order=bare,
        article_id=None,
        unit_price_base=Decimal("1.2345"),
        unit_price_final=Decimal("1.5000"),
        vat=Decimal("21.5"),
    )
    OrderDiscountFactory(order=bare, type="amount", value=Decimal("0.0005"))
    linked = OrderFactory(status=OrderStatusFactory(), ip="2001:db8::1", state_code="c1")
    TrackingFactory(order=linked, shipper=ShipperFactory(tracking_url_template=""))
    TrackingFactory(
        order=linked,
        shipper=ShipperFactory(tracking_url_template="https://track.example/?n={number}"),
        tracking_number="AB 12/3",
    )
    OrderItem.objects.filter(order=linked).update(note="x")
    return list(Order.objects.values_list("pk", flat=True))


def contexts() -> list[dict]:
    request = Request(RequestFactory().get("/System/Orders", secure=True))
    return [
        {"request": request, "expanded": False},
        {"request": request, "expanded": True},
        {"request": None, "expanded": False},  # the export's
    ]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Prague"])
def test_every_order_is_written_as_drf_writes_it(orders, settings, zone):
    settings.TIME_ZONE = zone
    settings.ALLOWED_HOSTS = ["testserver"]
    listed = list(selectors.orders_for_listing())
    details = [selectors.order_with_details(pk) for pk in orders]
    assert len(listed) == len(details) >= 27
    for context in contexts():
        for order in listed + details:
            ours = OrderSerializer(order, context=context).data
            theirs = drf_representation(order, context)
            assert_same(ours, theirs, f"order {order.pk}")
            assert JSONRenderer().render(ours) == JSONRenderer().render(theirs)


def test_the_rare_values_are_there(orders):
    """The fixture reaches what the comparison is for (it cannot pass on empty cases)."""
    answers = [
        OrderSerializer(selectors.order_with_details(pk), context={"request": None}).data
        for pk in orders
    ]
    assert any(a["discount"] is not None for a in answers)
    assert any(a["discount"] is None for a in answers)
    assert any(a["status"] is not None for a in answers)
    assert any(a["customer"] is None for a in answers)
    assert any(a["date_paid"] is not None for a in answers)
    assert any(a["ip"] is None for a in answers)
    assert any(a["ip"] for a in answers)
    assert any(t["tracking_url"] for a in answers for t in a["trackings"])
    assert any(t["tracking_url"] is None for a in answers for t in a["trackings"])
    items = [item for a in answers for item in a["items"]]
    assert any(item["price_original"] is not None for item in items)
    assert any(item["article"] is None for item in items)
    assert {"product", "discount", "shipping"} <= {item["kind"] for item in items}
    assert {"JPY", "CZK", "EUR", "KWD"} <= {a["order_currency_code"] for a in answers}
    assert None in {a["main_currency_code"] for a in answers}


def test_a_list_answer_is_the_same_json(api, orders):
    """Through the API: the list's bytes are what DRF's walk renders."""
    response = api.get("/System/Orders", {"per_page": 250, "expanded": "1"})
    assert response.status_code == 200
    request = response.wsgi_request
    rows = list(selectors.orders_for_listing())
    context = {"request": Request(request), "expanded": True}
    theirs = [drf_representation(order, context) for order in rows]
    assert response.json()["orders"] == json.loads(JSONRenderer().render(theirs))


def test_the_answers_reads_leave_out_only_columns_no_answer_reads(orders, settings):
    """selectors.ANSWER_UNREAD: the compiled reads skip some timestamps; writing any
    answer from them must not need one (a deferred column would be read by a query)."""
    settings.ALLOWED_HOSTS = ["testserver"]
    listing = selectors.orders_for_listing()
    for context in contexts():
        expanded = context["expanded"]
        loaded = [selectors.order_with_details(pk, expanded=expanded) for pk in orders]
        ids = selectors.page_ids(listing, 0, len(orders))
        loaded += selectors.orders_by_ids(ids, expanded=expanded)
        assert "date_sent" in loaded[0].get_deferred_fields()
        with CaptureQueriesContext(connection) as queries:
            for order in loaded:
                OrderSerializer(order, context=context).data  # noqa: B018
        assert len(queries) == 0, [query["sql"][:120] for query in queries]
