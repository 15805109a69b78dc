"""Query counts pinned: the list and the detail cost the same number of queries whatever
the number of orders and items (no N+1). 1 query is the API key lookup."""

import pytest

from orders.models import Return, ReturnLine
from tests.factories import (
    ChannelFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    TrackingFactory,
)

pytestmark = pytest.mark.django_db

# key + count + orders (with related rows joined) + items + trackings (with shippers)
LIST_QUERIES = 5
# key + order (joined) + items + trackings
DETAIL_QUERIES = 4
# The walk by cursor (?after=): key + the page's ids + orders (joined) + items + trackings
WALK_QUERIES = 5


def make_orders(count: int, items: int = 2):
    channel, status = ChannelFactory(), OrderStatusFactory()
    shipping, payment = (
        ShippingMethodFactory(channel=channel),
        PaymentMethodFactory(channel=channel),
    )
    orders = OrderFactory.create_batch(
        count, channel=channel, status=status, shipping=shipping, payment=payment
    )
    for order in orders:
        OrderItemFactory.create_batch(items, order=order)
        TrackingFactory(order=order)
    return orders


@pytest.mark.parametrize("per_page", [10, 250])
@pytest.mark.parametrize("expanded", ["0", "1"])
def test_list_query_count_does_not_grow(api, django_assert_num_queries, per_page, expanded):
    make_orders(per_page)
    with django_assert_num_queries(LIST_QUERIES):
        response = api.get("/System/Orders", {"per_page": per_page, "expanded": expanded})
    assert len(response.json()["orders"]) == per_page
    assert all(len(order["items"]) == 2 for order in response.json()["orders"])


@pytest.mark.parametrize("per_page", [10, 250])
@pytest.mark.parametrize("expanded", ["0", "1"])
def test_walk_query_count_does_not_grow(api, django_assert_num_queries, per_page, expanded):
    make_orders(per_page + 1)
    query = {"after": "start", "per_page": per_page, "expanded": expanded}
    with django_assert_num_queries(WALK_QUERIES):
        response = api.get("/System/Orders", query)
    assert len(response.json()["orders"]) == per_page
    assert response.json()["has_more"] is True
    assert all(len(order["items"]) == 2 for order in response.json()["orders"])


@pytest.mark.parametrize("items", [1, 50])
def test_detail_query_count_does_not_grow(api, django_assert_num_queries, items):
    order = make_orders(1, items=items)[0]
    with django_assert_num_queries(DETAIL_QUERIES):
        response = api.get(f"/System/Orders/{order.pk}", {"expanded": 1})
    assert len(response.json()["items"]) == items


# key + order exists + count + returns (order and refund joined) + their lines (with items)
RETURNS_QUERIES = 5


@pytest.mark.parametrize("returns", [1, 12])
def test_returns_list_query_count_does_not_grow(api, django_assert_num_queries, returns):
    order = make_orders(1, items=2)[0]
    for _ in range(returns):
        goods_return = Return.objects.create(
            order=order, reason="Too small", actor="x", source="api"
        )
        for item in order.items.all():
            ReturnLine.objects.create(goods_return=goods_return, item=item, count=1)
    with django_assert_num_queries(RETURNS_QUERIES):
        response = api.get(f"/System/Orders/{order.pk}/returns", {"per_page": 250})
    assert len(response.json()["returns"]) == returns
    assert all(len(r["lines"]) == 2 for r in response.json()["returns"])
