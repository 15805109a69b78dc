"""The HISTORY button: the order's own timeline, in words, not Django's empty admin log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from tests.admin.conftest import change_url
from tests.factories import OrderStatusFactory, ShipperFactory, order_with_items

pytestmark = pytest.mark.django_db

NONE = "\N{EN DASH}"  # what the timeline shows for no value


def history_url(order) -> str:
    return reverse("admin:orders_order_history", args=[order.pk])


def test_history_button_opens_the_timeline_with_names_not_ids(
    admin_client, actor, order, no_status_follows
):
    new, paid = OrderStatusFactory(name="New"), OrderStatusFactory(name="Paid")
    services.order_status_assign(order_id=order.pk, status_id=new.pk, actor=actor)
    services.order_status_assign(order_id=order.pk, status_id=paid.pk, actor=actor)
    services.order_mark_paid(order_id=order.pk, actor=actor)

    page = admin_client.get(change_url(order)).content.decode()
    assert f'href="{history_url(order)}"' in page  # Django's HISTORY button
    response = admin_client.get(history_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    assert "have a change history" not in html
    assert "Status: <del>New</del> → <ins>Paid</ins>" in html
    assert "Payment: <del>Unpaid</del> → <ins>Paid</ins>" in html
    assert "Paid: <del>€0.00</del> → <ins>€36.30</ins>" in html
    assert "status_id" not in html
    assert "payment_state" not in html
    # newest first: the payment above the status change above the creation
    assert html.index("Payment recorded") < html.index("Status changed to Paid")
    assert html.index("Status changed to Paid") < html.index("Order created")
    # who and from where
    assert "<td>tests</td>" in html
    assert "<td>Command</td>" in html


def test_order_page_history_panel_uses_the_same_words(admin_client, actor, order):
    paid = OrderStatusFactory(name="Paid")
    services.order_status_assign(order_id=order.pk, status_id=paid.pk, actor=actor)
    tracking_shipper = ShipperFactory(name="PPL")
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=tracking_shipper.pk, tracking_number="PPL123"
    )

    html = admin_client.get(change_url(order)).content.decode()

    assert f"Status: <del>{NONE}</del> → <ins>Paid</ins>" in html
    assert f"Tracking: <del>{NONE}</del> → <ins>Shipper: PPL, Number: PPL123</ins>" in html
    assert "status_id" not in html


def test_a_staff_change_reads_with_verbose_names(admin_client, actor, order):
    services.order_update(order_id=order.pk, actor=actor, changes={"company_vat": "CZ123"})

    html = admin_client.get(history_url(order)).content.decode()

    assert f"VAT number: <del>{NONE}</del> → <ins>CZ123</ins>" in html


def test_history_page_needs_view_permission(client, order):
    response = client.get(history_url(order))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def _history_queries(client, order) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(history_url(order)).status_code == 200
    return len(queries)


def test_history_page_query_count_does_not_grow_with_the_records(admin_client, actor):
    statuses = [OrderStatusFactory(name=f"Step {n}") for n in range(6)]
    small = order_with_items(items=1)
    services.order_status_assign(order_id=small.pk, status_id=statuses[0].pk, actor=actor)
    big = order_with_items(items=3)
    for status in statuses * 3:
        services.order_status_assign(order_id=big.pk, status_id=status.pk, actor=actor)
        services.order_history_add(order_id=big.pk, actor=actor, type="note", name="Called")
    assert big.history.count() > 30

    assert _history_queries(admin_client, big) == _history_queries(admin_client, small)
