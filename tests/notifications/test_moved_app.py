"""Webhooks and deliveries live in the notifications app: old links and task names still work."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from config.celery import app as celery_app
from notifications.models import Delivery
from tests.factories import DeliveryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_moved_models_belong_to_notifications_with_its_table_names():
    models = {m.__name__: m for m in apps.get_app_config("notifications").get_models()}

    assert {"WebhookSubscription", "StatusNotification", "Delivery", "DeliveryAttempt"} <= set(
        models
    )
    assert models["Delivery"]._meta.db_table == "notifications_delivery"
    # statuses keeps the shop's statuses only.
    assert [m.__name__ for m in apps.get_app_config("statuses").get_models()] == ["OrderStatus"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/statuses/delivery/?order_id=7", "/admin/notifications/delivery/?order_id=7"),
        ("/admin/statuses/delivery/12/change/", "/admin/notifications/delivery/12/change/"),
        (
            "/admin/statuses/emittedevent/?order__id__exact=3",
            "/admin/notifications/emittedevent/?order__id__exact=3",
        ),
        (
            "/admin/statuses/webhooksubscription/add/",
            "/admin/notifications/webhooksubscription/add/",
        ),
        ("/admin/statuses/statusnotification/", "/admin/notifications/statusnotification/"),
    ],
)
def test_old_back_office_links_redirect_to_the_new_pages(admin_client, old, new):
    response = admin_client.get(old)

    assert response.status_code == 301
    assert response["Location"] == new


def test_an_old_link_lands_on_a_working_page(admin_client):
    row = DeliveryFactory()

    response = admin_client.get(f"/admin/statuses/delivery/{row.pk}/change/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/admin/notifications/delivery/{row.pk}/change/", 301)]
    assert response.context["original"] == row


def test_the_statuses_admin_pages_stay_where_they_were(admin_client):
    assert reverse("admin:statuses_orderstatus_changelist") == "/admin/statuses/orderstatus/"
    assert admin_client.get("/admin/statuses/orderstatus/").status_code == 200


def test_redeliver_needs_the_notifications_permission(client):
    row = DeliveryFactory(state="failed")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="notifications", codename="view_delivery")
    )
    client.force_login(staff)
    url = reverse("admin:notifications_delivery_changelist")

    assert "redeliver" not in client.get(url).content.decode()

    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="notifications", codename="change_delivery")
    )
    response = client.post(url, {"action": "redeliver", "_selected_action": [row.pk]})

    assert response.status_code == 302
    assert Delivery.objects.get(pk=row.pk).state == "pending"


def test_the_task_has_its_new_name_and_answers_to_the_old_one():
    assert settings.CELERY_BEAT_SCHEDULE["deliver-events"]["task"] == "notifications.deliver_events"
    celery_app.loader.import_default_modules()
    assert "notifications.deliver_events" in celery_app.tasks
    # Queued by the previous release during a deploy: still run, not dropped.
    assert "statuses.deliver_events" in celery_app.tasks
    assert celery_app.tasks["statuses.deliver_events"]() == {"events": 0, "attempts": 0}
