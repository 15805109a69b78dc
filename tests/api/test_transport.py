"""Transport rules: paths, prefixes, methods, media types, body size, malformed JSON,
Idempotency-Key and ETag/If-Match."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from orders.models import HistoryRecord, IdempotencyRecord, Order
from tests.factories import OrderFactory, order_with_items

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"message", "detail"}


# --- paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/System/Orders/",
        "/System/Orders/{order}/",
        "/System/Orders/abc",
        "/System/Orders/-1",
        "/System/Orders/1.5",
        "/System/Orders/" + "9" * 40,
        "/System/Orders/{order}/item/x",
        "/System/Orders/{order}/nonsense",
        "/System/Nothing",
        "/v1/System/Orders/",
    ],
)
def test_unknown_paths_are_404_in_the_error_shape_never_a_redirect(api, path):
    order = OrderFactory()
    for method in ("get", "post", "patch"):
        response = getattr(api, method)(path.replace("{order}", str(order.pk)), {}, format="json")
        assert response.status_code == 404
        assert set(response.json()) == ERROR_KEYS


def test_v1_prefix_answers_the_same(api):
    order = OrderFactory()
    assert (
        api.get(f"/v1/System/Orders/{order.pk}").json()
        == api.get(f"/System/Orders/{order.pk}").json()
    )
    response = api.patch(f"/v1/System/Orders/{order.pk}/sent")
    assert response.status_code == 200
    assert response.json()["sent"] is True


def test_wrong_method_is_405(api):
    order = OrderFactory()
    response = api.delete(f"/System/Orders/{order.pk}")
    assert response.status_code == 405
    assert response.json() == {
        "message": "Method not allowed.",
        "detail": 'Method "DELETE" not allowed.',
    }
    assert api.post("/System/Orders/Statuses", {}, format="json").status_code == 405


# --- bodies ------------------------------------------------------------------------------------


def test_non_json_body_is_415(api):
    response = api.post(
        "/System/Orders", "email=a@b.example", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["message"] == "Unsupported media type."
    assert not Order.objects.exists()


@pytest.mark.parametrize("body", ['{"email": ', "{'email': 1}", '{"paid": NaN}', "[" * 100000])
def test_malformed_json_is_400(api, body):
    order = OrderFactory()
    response = api.patch(f"/System/Orders/{order.pk}/paid", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == "The request body is not valid JSON."
    assert Order.objects.get(pk=order.pk).version == order.version


def test_body_over_the_limit_is_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/System/Orders", {"note": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert response.json()["message"] == "The request body is too large."
    assert not Order.objects.exists()


def test_number_too_large_for_the_database_is_400_not_500(api):
    items = [{"name": "Gold", "count": 1_000_000, "price": {"final_price": 999_999_999, "vat": 0}}]
    body = {"email": "a@mail.example", "items": items * 20}
    response = api.post("/System/Orders", body, format="json")
    # Refused before the database, so SQLite (which would store it, and then fail to read
    # the order back) answers as PostgreSQL does.
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [f"items[{n}].count" for n in range(20)]
    assert not Order.objects.exists()


# --- Idempotency-Key ---------------------------------------------------------------------------


def test_same_key_and_body_replays_without_doing_the_work_again(api):
    body = {
        "email": "a@mail.example",
        "items": [{"name": "X", "count": 1, "price": {"final_price": 1, "vat": 0}}],
    }
    first = api.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second["ETag"] == first["ETag"]
    assert second["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_replay_answers_the_stored_order_even_after_later_changes(api):
    order = order_with_items(items=1)
    first = api.patch(
        f"/System/Orders/{order.pk}/paid", {"paid": 1}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    api.patch(f"/System/Orders/{order.pk}/paid", {"paid": 2}, format="json")
    replay = api.patch(
        f"/System/Orders/{order.pk}/paid", {"paid": 1}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1"
    )
    assert replay.json()["paid"] == first.json()["paid"] == 1.0
    assert Order.objects.get(pk=order.pk).paid == 2


def test_same_key_with_another_body_is_422(api):
    api.post(
        "/System/Orders", {"email": "a@mail.example"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    response = api.post(
        "/System/Orders", {"email": "b@mail.example"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert set(response.json()) == ERROR_KEYS
    assert Order.objects.count() == 1


def test_a_refused_request_is_not_stored_and_can_be_retried(api):
    order = OrderFactory()
    path = f"/System/Orders/{order.pk}/delivered"
    assert api.patch(path, HTTP_IDEMPOTENCY_KEY="k-3").status_code == 409
    assert not IdempotencyRecord.objects.exists()
    api.patch(f"/System/Orders/{order.pk}/sent")
    assert api.patch(path, HTTP_IDEMPOTENCY_KEY="k-3").status_code == 200


def test_keys_expire_after_24_hours(api):
    body = {"email": "a@mail.example"}
    api.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = api.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert "Idempotent-Replayed" not in response
    assert Order.objects.count() == 2


def test_keys_belong_to_one_api_key(api, read_only_api):
    from orders.api_keys import create_api_key

    _, plain = create_api_key(name="Other shop")
    other = APIClient()
    other.credentials(HTTP_TOKEN=plain)
    body = {"email": "a@mail.example"}
    api.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert (
        other.post("/System/Orders", body, format="json", HTTP_IDEMPOTENCY_KEY="shared").status_code
        == 200
    )
    assert Order.objects.count() == 2


def test_too_long_idempotency_key_is_400(api):
    response = api.post(
        "/System/Orders", {"email": "a@mail.example"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert list(response.json()["errors"]) == ["Idempotency-Key"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_apply_once(api_key):
    order = order_with_items(items=1)
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        client = APIClient()
        client.credentials(HTTP_TOKEN=api_key[1])
        barrier.wait()
        response = client.post(
            f"/System/Orders/{order.pk}/history",
            {"type": "note", "record": {"name": "once"}},
            format="json",
            HTTP_IDEMPOTENCY_KEY="race",
        )
        statuses.append((response.status_code, response.json()["id"]))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 4
    assert {code for code, _ in statuses} == {200}
    assert len({record_id for _, record_id in statuses}) == 1
    assert HistoryRecord.objects.filter(order=order, name="once").count() == 1


# --- ETag / If-Match --------------------------------------------------------------------------


def test_if_match_with_the_current_version_writes(api):
    order = OrderFactory()
    etag = api.get(f"/System/Orders/{order.pk}")["ETag"]
    response = api.patch(f"/System/Orders/{order.pk}/sent", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response["ETag"] == f'"{Order.objects.get(pk=order.pk).version}"'


@pytest.mark.parametrize("header", ['W/"{v}"', '"0", "{v}"', "*"])
def test_if_match_forms(api, header):
    order = OrderFactory()
    header = header.replace("{v}", str(order.version))
    assert api.patch(f"/System/Orders/{order.pk}/sent", HTTP_IF_MATCH=header).status_code == 200


def test_stale_if_match_is_412_and_changes_nothing(api):
    order = order_with_items(items=1)
    stale = api.get(f"/System/Orders/{order.pk}")["ETag"]
    api.post(
        f"/System/Orders/{order.pk}/item",
        {"name": "X", "count": 1, "price": {"final_price": 1, "vat": 0}},
        format="json",
    )
    history = HistoryRecord.objects.count()
    for method, path, body in [
        ("patch", "sent", None),
        ("post", "item", {"name": "Y", "count": 1, "price": {"final_price": 1, "vat": 0}}),
        ("patch", "paid", {}),
    ]:
        response = getattr(api, method)(
            f"/System/Orders/{order.pk}/{path}", body, format="json", HTTP_IF_MATCH=stale
        )
        assert response.status_code == 412
        assert response.json()["message"] == "Precondition failed."
    assert HistoryRecord.objects.count() == history
    response = api.put(
        "/System/Orders", {"id": order.pk, "delivery_city": "X"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412


def test_if_match_on_unknown_order_is_404(api):
    assert api.patch("/System/Orders/98765/sent", HTTP_IF_MATCH='"1"').status_code == 404


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"\xff\xfe{", "application/json"),
        (b"null", "application/json"),
        (b'"just a string"', "application/json"),
        (b'{"email": "a\\u0000b@mail.example"}', "application/json"),
        (b"{}", "application/json; charset=bz2_codec"),
    ],
)
def test_odd_bodies_are_400_not_500(api, body, content_type):
    response = api.generic("POST", "/System/Orders", body, content_type=content_type)
    assert response.status_code == 400
    assert set(response.json()) >= ERROR_KEYS
    assert not Order.objects.exists()


def test_nul_character_in_a_query_parameter_is_400(api):
    response = api.get("/System/Orders", {"tracking": "a\x00b"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["tracking"]
