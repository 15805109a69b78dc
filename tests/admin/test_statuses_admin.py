"""Order statuses: sorted, previewed, and protected from deletion while orders use them."""

import pytest
from django.urls import reverse

from orders import services
from statuses.models import OrderStatus

pytestmark = pytest.mark.django_db


def test_list_is_sorted_and_sort_is_editable(admin_client):
    response = admin_client.get(reverse("admin:statuses_orderstatus_changelist"))

    names = [s.name for s in response.context["cl"].result_list]
    assert names[:3] == ["New", "Awaiting payment", "Paid"]
    assert 'name="form-0-sort"' in response.content.decode()
    assert "background:#0d6efd" in response.content.decode()  # the badge preview


def test_a_status_in_use_cannot_be_deleted_and_the_page_says_why(admin_client, order, actor):
    status = OrderStatus.objects.get(name="Processing")
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    url = reverse("admin:statuses_orderstatus_delete", args=[status.pk])

    page = admin_client.get(url)
    posted = admin_client.post(url, {"post": "yes"})

    html = page.content.decode()
    assert "Processing: 1 order has this status" in html
    assert "a status in use cannot be deleted" in html
    assert posted.status_code == 200
    assert OrderStatus.objects.filter(pk=status.pk).exists()


def test_bulk_delete_of_a_status_in_use_is_refused(admin_client, order, actor):
    status = OrderStatus.objects.get(name="Processing")
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)

    response = admin_client.post(
        reverse("admin:statuses_orderstatus_changelist"),
        {"action": "delete_selected", "_selected_action": [status.pk], "post": "yes"},
    )

    assert "Processing: 1 order has this status" in response.content.decode()
    assert OrderStatus.objects.filter(pk=status.pk).exists()


def test_an_unused_status_can_be_deleted(admin_client):
    status = OrderStatus.objects.get(name="Processing")

    admin_client.post(
        reverse("admin:statuses_orderstatus_delete", args=[status.pk]), {"post": "yes"}
    )

    assert not OrderStatus.objects.filter(pk=status.pk).exists()


def _form_data(status: OrderStatus, **changes) -> dict:
    data = {
        "name": status.name,
        "icon": status.icon,
        "color": status.color,
        "sort": status.sort,
        "follows": status.follows,
    }
    data.update(
        {flag: "on" for flag in ("complete_order", "cancel_order") if getattr(status, flag)}
    )
    data.update(changes)
    return data


def test_the_status_page_edits_what_the_status_follows(admin_client):
    processing = OrderStatus.objects.get(name="Processing")
    OrderStatus.objects.filter(follows="paid").update(follows="")
    url = reverse("admin:statuses_orderstatus_change", args=[processing.pk])

    assert 'name="follows"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, _form_data(processing, follows="paid"))

    assert response.status_code == 302
    processing.refresh_from_db()
    assert processing.follows == "paid"


def test_a_second_status_following_an_event_is_refused_on_the_page(admin_client):
    processing = OrderStatus.objects.get(name="Processing")
    url = reverse("admin:statuses_orderstatus_change", args=[processing.pk])

    response = admin_client.post(url, _form_data(processing, follows="sent"))

    assert response.status_code == 200
    assert "Another status already follows this event." in response.content.decode()
    processing.refresh_from_db()
    assert processing.follows == ""
