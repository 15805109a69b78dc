"""The order change list: columns, search, filters, and a query count that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from statuses.models import OrderStatus
from tests.factories import TrackingFactory, order_with_items

pytestmark = pytest.mark.django_db

LIST = reverse("admin:orders_order_changelist")


def listed(response) -> list[int]:
    return [order.pk for order in response.context["cl"].result_list]


def test_columns_show_customer_money_status_badge_and_state(admin_client, order, actor):
    status = OrderStatus.objects.get(name="Shipped")
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)

    response = admin_client.get(LIST)

    html = response.content.decode()
    assert "Jana Nováková" in html
    assert "buyer@mail.example" in html
    assert "€36.30" in html
    assert "background:#0dcaf0" in html
    assert "Shipped" in html
    # the lifecycle in one compact column (closing · shipping)
    assert '<span class="order-state order-state--open">Open · Sent</span>' in html


def test_newest_first(admin_client):
    older, newer = order_with_items(items=1), order_with_items(items=1)

    assert listed(admin_client.get(LIST)) == [newer.pk, older.pk]


def test_search_by_tracking_number_lists_the_order_once(admin_client, order):
    other = order_with_items(items=1)
    TrackingFactory(order=order, tracking_number="PARCEL-1")
    TrackingFactory(order=order, tracking_number="PARCEL-1")  # same number, second carrier

    response = admin_client.get(LIST, {"q": "PARCEL-1"})

    assert listed(response) == [order.pk]
    assert other.pk not in listed(response)


@pytest.mark.parametrize(
    ("field", "term"),
    [
        ("email", "needle@mail.example"),
        ("name", "Needle"),
        ("phone", "777 123"),
        ("external_order_id", "EXT-42"),
    ],
)
def test_search_finds_orders_by(admin_client, field, term):
    wanted = order_with_items(
        items=1,
        email="needle@mail.example",
        name="Karel Needle",
        phone="+420 777 123 456",
        external_order_id="EXT-42",
    )
    order_with_items(items=1)

    assert listed(admin_client.get(LIST, {"q": term})) == [wanted.pk]


def test_search_by_order_id(admin_client, order):
    order_with_items(items=1)

    assert listed(admin_client.get(LIST, {"q": str(order.pk)})) == [order.pk]


def test_filters_by_state_and_status(admin_client, order, actor):
    sent = order_with_items(items=1)
    services.order_mark_sent(order_id=sent.pk, actor=actor)
    canceled = order_with_items(items=1)
    services.order_cancel(order_id=canceled.pk, actor=actor)

    assert listed(admin_client.get(LIST, {"shipping_state__exact": "sent"})) == [sent.pk]
    assert listed(admin_client.get(LIST, {"closing_state__exact": "canceled"})) == [canceled.pk]
    services.order_mark_paid(order_id=order.pk, actor=actor)
    assert listed(admin_client.get(LIST, {"payment_state__exact": "paid"})) == [order.pk]
    status = OrderStatus.objects.get(name="Processing")
    services.order_status_assign(order_id=sent.pk, status_id=status.pk, actor=actor)
    assert listed(admin_client.get(LIST, {"status__id__exact": status.pk})) == [sent.pk]


def test_date_drilldown_offers_years_then_months(admin_client, order):
    year = order.date_order.year

    top = admin_client.get(LIST)
    assert f"date_order__year={year}" in top.content.decode()

    months = admin_client.get(LIST, {"date_order__year": year})
    assert listed(months) == [order.pk]
    assert "date_order__month=12" in months.content.decode()


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_page(admin_client, actor):
    status = OrderStatus.objects.first()
    first = order_with_items(items=1)
    services.order_status_assign(order_id=first.pk, status_id=status.pk, actor=actor)
    one = _list_queries(admin_client)

    for _ in range(20):
        made = order_with_items(items=2)
        services.order_status_assign(order_id=made.pk, status_id=status.pk, actor=actor)
        TrackingFactory(order=made)
    many = _list_queries(admin_client)

    assert many == one
    assert one <= 10


def test_csv_export_and_bulk_actions_are_offered(admin_client, order):
    html = admin_client.get(LIST).content.decode()

    for action in ("assign_status", "mark_sent", "mark_done", "export_csv"):
        assert f'value="{action}"' in html
    assert 'value="delete_selected"' not in html
