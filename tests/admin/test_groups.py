"""The staff groups made by orders/migrations/0003_staff_groups."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db


def codes(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_order_managers_may_do_everything_with_orders_and_view_statuses():
    perms = codes("Order managers")

    for action in ("add", "change", "delete", "view"):
        for model in ("order", "orderitem", "tracking", "customer", "apikey"):
            assert f"orders.{action}_{model}" in perms
    assert "statuses.view_orderstatus" in perms
    assert "statuses.change_orderstatus" not in perms


def test_support_views_orders_and_adds_history_notes_only():
    perms = codes("Support")

    assert {"orders.view_order", "orders.view_orderitem", "orders.view_tracking"} <= perms
    assert "orders.add_historyrecord" in perms
    assert "orders.change_order" not in perms
    assert "orders.view_apikey" not in perms
    assert {p for p in perms if not p.split(".")[1].startswith("view_")} == {
        "orders.add_historyrecord"
    }


def test_a_manager_can_run_transitions(manager_client, order):
    response = manager_client.post(
        reverse("admin:orders_order_transition", args=[order.pk, "sent"])
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.shipping_state == "sent"


def test_support_can_read_orders_but_not_api_keys(support_client, order):
    assert support_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert support_client.get(reverse("admin:orders_apikey_changelist")).status_code == 403
