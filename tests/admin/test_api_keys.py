"""API keys in the back office: the plain key is shown once and never stored."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from orders.api_keys import find_api_key
from orders.models import ApiKey
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def test_creating_a_key_shows_the_plain_key_once(admin_client):
    response = admin_client.post(
        reverse("admin:orders_apikey_add"), {"name": "Web shop", "read_only": "on"}
    )

    assert response.status_code == 200
    plain = response.context["plain_key"]
    html = response.content.decode()
    assert plain in html
    assert "will not be shown again" in html
    key = ApiKey.objects.get(name="Web shop")
    assert key.read_only
    assert find_api_key(plain) == key  # the shown key works
    assert plain not in key.hashed_key
    # never kept: not in the session, a message or the key's own page
    assert all(plain not in s.session_data for s in Session.objects.all())
    assert plain not in response.cookies.output()
    key_page = admin_client.get(reverse("admin:orders_apikey_change", args=[key.pk]))
    assert plain not in key_page.content.decode()


def test_revoke_action_deactivates_keys(admin_client):
    key = ApiKeyFactory()

    admin_client.post(
        reverse("admin:orders_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk], "index": 0},
    )

    key.refresh_from_db()
    assert not key.active


def test_key_list_shows_when_it_was_last_used(admin_client):
    ApiKeyFactory(name="GoPay")

    html = admin_client.get(reverse("admin:orders_apikey_changelist")).content.decode()

    assert "GoPay" in html
    assert "Last used at" in html
