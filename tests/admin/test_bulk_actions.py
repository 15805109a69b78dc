"""Bulk actions: each order through its service, a message of what worked and what not."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import Order
from statuses.models import OrderStatus
from tests.factories import TrackingFactory, order_with_items

pytestmark = pytest.mark.django_db

LIST = reverse("admin:orders_order_changelist")


def run_action(client, action, orders, **extra):
    return client.post(
        LIST,
        {"action": action, "_selected_action": [o.pk for o in orders], "index": 0, **extra},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_mark_sent_reports_successes_and_refusals(admin_client, superuser, actor):
    first, second, canceled = (order_with_items(items=1) for _ in range(3))
    services.order_cancel(order_id=canceled.pk, actor=actor)

    response = run_action(admin_client, "mark_sent", [first, second, canceled])

    assert response.status_code == 302
    assert messages_of(response) == [
        "2 orders marked sent.",
        f"1 not marked sent: Order {canceled.pk}: Order {canceled.pk} cannot be marked sent: "
        "it is canceled, not sent, unpaid. Allowed now: nothing.",
    ]
    states = dict(Order.objects.values_list("pk", "shipping_state"))
    assert (states[first.pk], states[second.pk], states[canceled.pk]) == (
        "sent",
        "sent",
        "pending",
    )
    assert first.history.filter(name="Order sent", user=superuser).exists()


def test_mark_done(admin_client):
    orders = [order_with_items(items=1) for _ in range(2)]

    response = run_action(admin_client, "mark_done", orders)

    assert messages_of(response) == ["2 orders marked done."]
    assert set(Order.objects.values_list("closing_state", flat=True)) == {"done"}


def test_assign_status(admin_client):
    orders = [order_with_items(items=1) for _ in range(2)]
    status = OrderStatus.objects.get(name="Paid")

    response = run_action(admin_client, "assign_status", orders, status=status.pk)

    assert messages_of(response) == ["2 orders given the status."]
    assert set(Order.objects.values_list("status", flat=True)) == {status.pk}


def test_assign_status_without_a_status_changes_nothing(admin_client, order):
    response = run_action(admin_client, "assign_status", [order])

    assert messages_of(response) == ["Choose a status in the action bar first."]
    assert Order.objects.get(pk=order.pk).status_id is None


def test_csv_export_streams_the_selection(admin_client, actor):
    wanted = order_with_items(items=2, name="=HYPERLINK(evil)", external_order_id="W-1")
    TrackingFactory(order=wanted, tracking_number="TRK-9")
    order_with_items(items=1)

    response = run_action(admin_client, "export_csv", [wanted])

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(wanted.pk)
    assert row["money"] == "36.30"
    assert row["currency"] == "EUR"
    assert row["tracking_numbers"] == "TRK-9"
    assert row["external_order_id"] == "W-1"
    assert row["name"] == "'=HYPERLINK(evil)"  # a formula stays text in spreadsheets


def test_staff_who_may_only_view_can_export_but_not_change(support_client, order):
    html = support_client.get(LIST).content.decode()
    assert 'value="export_csv"' in html
    assert 'value="mark_sent"' not in html

    response = run_action(support_client, "mark_sent", [order])

    assert Order.objects.get(pk=order.pk).shipping_state == "pending"
    assert response.status_code in (200, 302)
