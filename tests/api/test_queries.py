"""Query counts pinned: the list and the detail cost the same number of queries whatever
the number of orders and items (no N+1). 1 query is the API key lookup."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders import counts
from orders.models import Return, ReturnLine
from statuses.models import OrderStatus
from tests.factories import (
    ChannelFactory,
    OrderFactory,
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    TrackingFactory,
)
from tests.queries import ANSWER_READS

pytestmark = pytest.mark.django_db

# key + count (or the order counters on PostgreSQL) + the page's ids + the answer's reads,
# for a full page
LIST_QUERIES = 3 + ANSWER_READS
# A page that is not full tells the total: no count. On PostgreSQL an unfiltered listing
# reads the counters first all the same (they also spare reading a page past the end).
PARTIAL_PAGE_QUERIES = LIST_QUERIES if counts.kept() else LIST_QUERIES - 1
# key + the answer's reads
DETAIL_QUERIES = 1 + ANSWER_READS
# The walk by cursor (?after=): key + the page's ids + the answer's reads
WALK_QUERIES = 2 + ANSWER_READS


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


# key + order exists + returns (order and refund joined) + their lines (with items); no
# count: a page that is not full tells the total
RETURNS_QUERIES = 4


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


# Tables an expanded answer joins to the orders; a plain answer shows them as links.
EXPANDED_TABLES = (
    "orders_customer",
    "orders_company",
    "orders_shippingmethod",
    "orders_paymentmethod",
)


def order_query(queries) -> str:
    """The SQL of the statement that reads the orders' own columns."""
    return next(q["sql"] for q in queries if '"orders_order"."hash"' in q["sql"])


@pytest.mark.parametrize("path", ["/System/Orders", "/System/Orders/{pk}"])
@pytest.mark.parametrize("expanded", ["0", "1"])
def test_orders_are_joined_only_to_what_the_answer_shows(api, path, expanded):
    """Planning a join costs more than running it: a plain answer joins the status, the
    channel (its language writes the amounts) and the discount only, an expanded one the
    related objects too."""
    order = make_orders(1)[0]
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path.format(pk=order.pk), {"expanded": expanded})
    assert response.status_code == 200
    sql = order_query(queries.captured_queries)
    assert '"statuses_orderstatus"' in sql
    assert '"orders_orderdiscount"' in sql
    assert '"orders_channel"' in sql
    joined = [table for table in EXPANDED_TABLES if f'JOIN "{table}"' in sql]
    assert joined == (list(EXPANDED_TABLES) if expanded == "1" else [])


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("filters", "counted_by"),
    [
        ({}, "counters"),
        ({"status_id": "status", "done": "0"}, "counters"),
        ({"channel_id": "channel", "canceled": "false"}, "counters"),
        ({"customer_id": "customer"}, "the page"),
        ({"status_id": "status", "from": "2000-01-01"}, "COUNT"),
    ],
)
def test_the_total_is_read_from_the_order_counters(api, filters, counted_by):
    """A listing narrowed only by channel, company, status, done and canceled is counted
    by the order counters (orders/counts.py), not by counting the orders; another one by
    its page when the page is not full, else by COUNT."""
    orders = make_orders(12)
    values = {
        "status": orders[0].status_id,
        "channel": orders[0].channel_id,
        "customer": orders[0].customer_id,
    }
    params = {name: values.get(value, value) for name, value in filters.items()}
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/System/Orders", params)
    found = counted(queries)
    assert found == {"counters": (1, 0), "the page": (0, 0), "COUNT": (0, 1)}[counted_by]
    expected = 1 if "customer_id" in params else 12
    assert response.json()["paginator"]["total"] == expected


def counted(queries) -> tuple[int, int]:
    """(reads of the order counters, COUNTs of the orders) among the captured queries."""
    sql = [q["sql"] for q in queries.captured_queries]
    counters = [s for s in sql if 'FROM "orders_ordercount"' in s]
    counting = [s for s in sql if s.startswith('SELECT COUNT(*) AS "__count" FROM "orders_order"')]
    return len(counters), len(counting)


# A filter the counters do not keep, so every database counts the same way.
UNCOUNTED = {"from": "2000-01-01"}


@pytest.mark.parametrize(
    ("page", "per_page", "orders", "total", "counts_them"),
    [
        (1, 10, 10, 10, True),  # a full page does not say whether more follow
        (2, 10, 12, 12, False),  # the last page, 2 rows: 10 before them
        (1, 10, 3, 3, False),  # the only page
        (3, 10, 12, 12, True),  # past the end: empty, so counted
    ],
)
def test_a_page_that_is_not_full_tells_the_total(api, page, per_page, orders, total, counts_them):
    make_orders(orders, items=1)
    query = {**UNCOUNTED, "page": page, "per_page": per_page}
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/System/Orders", query)
    body = response.json()
    assert body["paginator"] == {
        "page": page,
        "per_page": per_page,
        "pages": -(-total // per_page),
        "total": total,
    }
    assert len(body["orders"]) == max(0, min(per_page, total - (page - 1) * per_page))
    assert counted(queries) == (0, 1 if counts_them else 0)


def test_a_listing_nothing_matches_is_not_counted(api):
    make_orders(2, items=1)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/System/Orders", {"tracking": "NOTHING-HAS-THIS"})
    assert response.json()["paginator"] == {"page": 1, "per_page": 10, "pages": 0, "total": 0}
    assert response.json()["orders"] == []
    assert counted(queries) == (0, 0)


def test_a_short_reference_list_is_not_counted(api):
    """The rule is the paginator's: every list, not only the orders."""
    OrderStatusFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/System/Orders/Statuses", {"per_page": 250})
    body = response.json()
    assert body["paginator"]["total"] == len(body["statuses"]) == OrderStatus.objects.count()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
