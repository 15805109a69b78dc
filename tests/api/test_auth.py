"""Who may call: keys in `token` or `Authorization: Bearer`, read-only keys, staff sessions."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from orders.api_keys import find_api_key
from orders.models import ApiKey, HistoryRecord
from tests.factories import OrderFactory, UserFactory

# Every endpoint (method, path with {order}) and a valid body where one is needed.
READS = [
    ("get", "/System/Orders"),
    ("get", "/System/Orders/{order}"),
    ("get", "/System/Orders/Statuses"),
    ("get", "/System/Orders/{order}/history"),
    ("get", "/System/People"),
    ("get", "/System/Lists/Shippers"),
]
WRITES = [
    ("post", "/System/Orders", {"email": "a@mail.example"}),
    ("put", "/System/Orders", {"id": "{order}", "delivery_city": "Brno"}),
    (
        "post",
        "/System/Orders/{order}/item",
        {"name": "X", "count": 1, "price": {"final_price": 1, "vat": 0}},
    ),
    (
        "put",
        "/System/Orders/{order}/item",
        {"id": 1, "name": "X", "count": 1, "price": {"final_price": 1, "vat": 0}},
    ),
    ("delete", "/System/Orders/{order}/item/1", None),
    ("patch", "/System/Orders/{order}/status", {"status_id": 1}),
    ("post", "/System/Orders/{order}/tracking", {"shipper_id": 1, "tracking_number": "T1"}),
    ("post", "/System/Orders/{order}/history", {"type": "note", "record": {"name": "Hi"}}),
    ("patch", "/System/Orders/{order}/paid", {}),
    ("patch", "/System/Orders/{order}/done", None),
    ("patch", "/System/Orders/{order}/cancel", None),
    ("patch", "/System/Orders/{order}/sent", None),
    ("patch", "/System/Orders/{order}/delivered", None),
]


def _call(client, method, path, order, body=None):
    path = path.replace("{order}", str(order.pk))
    if isinstance(body, dict) and body.get("id") == "{order}":
        body = {**body, "id": order.pk}
    return getattr(client, method)(path, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), [(*r, None) for r in READS] + WRITES)
def test_no_key_is_401_in_the_error_shape(anonymous, method, path, body):
    order = OrderFactory()
    response = _call(anonymous, method, path, order, body)
    assert response.status_code == 401
    assert response.json() == {
        "message": "Authentication required.",
        "detail": "Send your API key in the 'token' header.",
    }
    assert response["WWW-Authenticate"] == "token"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_read_only_key_cannot_write(read_only_api, method, path, body):
    order = OrderFactory()
    response = _call(read_only_api, method, path, order, body)
    assert response.status_code == 403
    assert response.json()["message"] == "Permission denied."
    assert "read-only" in response.json()["detail"]
    assert not HistoryRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), READS)
def test_read_only_key_can_read(read_only_api, method, path):
    order = OrderFactory()
    assert _call(read_only_api, method, path, order).status_code == 200


@pytest.mark.django_db
def test_unknown_key_is_401(anonymous):
    anonymous.credentials(HTTP_TOKEN="deadbeef.not-a-key")
    response = anonymous.get("/System/Orders")
    assert response.status_code == 401
    assert response.json() == {
        "message": "Invalid API key.",
        "detail": "The API key is unknown or revoked.",
    }


@pytest.mark.django_db
def test_revoked_key_is_401(api, api_key):
    ApiKey.objects.filter(pk=api_key[0].pk).update(active=False)
    assert api.get("/System/Orders").status_code == 401


@pytest.mark.django_db
def test_bearer_header_works(api_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    assert client.get("/System/Orders").status_code == 200


@pytest.mark.django_db
def test_write_is_recorded_under_the_keys_name(api):
    order = OrderFactory()
    response = api.post(
        f"/System/Orders/{order.pk}/history",
        {"type": "note", "record": {"name": "Hi"}},
        format="json",
    )
    record = HistoryRecord.objects.get(pk=response.json()["id"])
    assert (record.actor, record.source) == ("Web shop", "api")


@pytest.mark.django_db
def test_staff_session_may_use_the_api_and_is_the_actor():
    client = APIClient()
    client.force_login(UserFactory(username="eva", is_staff=True))
    order = OrderFactory()
    assert client.get("/System/Orders", HTTP_ACCEPT="text/html").status_code == 200
    response = client.patch(f"/System/Orders/{order.pk}/sent", format="json")
    assert response.status_code == 200
    records = HistoryRecord.objects.filter(order=order)
    # the transition and the status following it (Shipped): both by the staff user
    assert {(r.type, r.actor) for r in records} == {("state", "eva"), ("status", "eva")}


@pytest.mark.django_db
def test_customer_session_is_no_credential():
    client = APIClient()
    client.force_login(UserFactory(username="buyer", is_staff=False))
    assert client.get("/System/Orders").status_code == 401


@pytest.mark.django_db
def test_create_api_key_prints_only_the_key_on_stdout(capsys):
    call_command("create_api_key", "GoPay", "--read-only")
    out, err = capsys.readouterr()
    plain = out.strip()
    assert "\n" not in plain
    key = find_api_key(plain)
    assert key.name == "GoPay"
    assert key.read_only
    assert "read-only" in err
    assert plain not in err
