"""The back office: subscriptions, status notifications, the delivery log and redeliver."""

import pytest
from django.urls import reverse

from notifications import delivery
from notifications.models import Delivery, StatusNotification, WebhookSubscription
from orders import services
from tests.factories import OrderStatusFactory, WebhookSubscriptionFactory, order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orders_delivered(receiver, actor):
    receiver.script = [400]  # the first delivery fails for good
    WebhookSubscriptionFactory(url=receiver.url, events=["order.paid"])
    orders = [order_with_items(), order_with_items()]
    for order in orders:
        services.order_mark_paid(order_id=order.pk, actor=actor)
    delivery.run_once()
    return orders


def test_the_delivery_log_filters_by_order(admin_client, two_orders_delivered):
    first, second = two_orders_delivered
    url = reverse("admin:notifications_delivery_changelist")

    page = admin_client.get(url, {"order_id": first.pk})

    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [(d.order_id, d.state) for d in rows] == [(first.pk, "failed")]
    assert "HTTP 400" not in page.content.decode()  # the error is on the detail page
    detail = admin_client.get(reverse("admin:notifications_delivery_change", args=[rows[0].pk]))
    assert detail.status_code == 200
    assert "HTTP 400 Bad Request" in detail.content.decode()
    assert all_on_page(admin_client.get(url), {first.pk, second.pk})


def all_on_page(page, order_ids) -> bool:
    return {d.order_id for d in page.context["cl"].result_list} == order_ids


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_an_orders_events_show_their_delivery_state(admin_client, two_orders_delivered):
    first, _ = two_orders_delivered

    page = admin_client.get(
        reverse("admin:notifications_emittedevent_changelist"), {"order__id__exact": first.pk}
    )

    assert page.status_code == 200
    events = {e.type: e for e in page.context["cl"].result_list}
    assert set(events) == {"order.created", "order.paid"}
    html = page.content.decode()
    assert "1 failed" in html
    assert f"?event__id__exact={events['order.paid'].pk}" in html


def test_redeliver_action_sends_again(admin_client, two_orders_delivered, receiver):
    first, _ = two_orders_delivered
    failed = Delivery.objects.get(order_id=first.pk)

    page = admin_client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "redeliver", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert "1 delivery will be sent again" in page.content.decode()
    delivery.run_once()

    failed.refresh_from_db()
    assert failed.state == "succeeded"
    assert len(receiver.requests) == 3


def test_staff_create_a_subscription_with_chosen_events(admin_client):
    page = admin_client.post(
        reverse("admin:notifications_webhooksubscription_add"),
        {
            "name": "Warehouse",
            "url": "https://warehouse.example/hooks",
            "secret": "shared-secret",
            "events": ["order.paid", "order.sent"],
            "active": "on",
        },
    )
    assert page.status_code == 302, page.context["adminform"].form.errors
    sub = WebhookSubscription.objects.get(name="Warehouse")
    assert sub.events == ["order.paid", "order.sent"]


def test_staff_create_a_status_notification(admin_client):
    status = OrderStatusFactory(name="Shipped")
    page = admin_client.post(
        reverse("admin:notifications_statusnotification_add"),
        {
            "status": status.pk,
            "active": "on",
            "send_email": "on",
            "email_subject": "Order {{ order.id }} shipped",
            "email_body": "On its way.",
            "webhook_url": "",
            "webhook_secret": "x",
        },
    )
    assert page.status_code == 302, page.context["adminform"].form.errors
    assert StatusNotification.objects.get(status=status).email_subject.startswith("Order")


def test_a_broken_template_is_shown_as_a_form_error(admin_client):
    page = admin_client.post(
        reverse("admin:notifications_statusnotification_add"),
        {
            "status": OrderStatusFactory().pk,
            "send_email": "on",
            "email_subject": "{% if %}",
            "email_body": "",
            "webhook_secret": "x",
        },
    )
    assert page.status_code == 200
    assert "Template error" in page.content.decode()
