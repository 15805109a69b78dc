"""Every API answer in the error model: a crash is a logged 500 with a request id, a
database that does not answer is a 503 with Retry-After, and any path under /System or
/v1 that matches nothing is the JSON 404. Other pages keep Django's own handling."""

import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.test import Client
from rest_framework.test import APIClient

from orders.api.middleware import RequestIdMiddleware
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

REQUEST_ID = re.compile(r"[0-9a-f]{32}")


def failing(exc: Exception):
    def fail(*args, **kwargs):
        raise exc

    return fail


# --- 500 and 503 from inside the API's views ---------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/v1"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/System/Orders"), ("post", "/System/Orders"), ("get", "/System/Orders/Events")],
)
def test_a_crash_is_a_500_in_the_error_shape_with_a_logged_request_id(
    api, monkeypatch, caplog, prefix, method, path
):
    # The key lookup every request makes fails with a bug.
    monkeypatch.setattr(
        "orders.api.authentication.find_api_key", failing(RuntimeError("secret internals"))
    )

    with caplog.at_level(logging.ERROR, logger="orders.api"):
        response = getattr(api, method)(prefix + path, {}, format="json")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    rid = response["X-Request-ID"]
    assert REQUEST_ID.fullmatch(rid)
    assert response.json() == {
        "message": "Internal server error.",
        "detail": f"The error is logged under request id {rid}; quote it when you report it.",
    }
    assert "secret internals" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "orders.api"]
    assert record.levelname == "ERROR"
    assert rid in record.getMessage()
    assert f"{method.upper()} '{prefix}{path}'" in record.getMessage()
    assert record.exc_info[0] is RuntimeError


@pytest.mark.parametrize("prefix", ["", "/v1"])
@pytest.mark.parametrize(
    "exc", [OperationalError("connection refused"), InterfaceError("connection already closed")]
)
def test_an_unreachable_database_is_a_503_with_retry_after(api, monkeypatch, caplog, prefix, exc):
    monkeypatch.setattr("orders.api.authentication.find_api_key", failing(exc))

    with caplog.at_level(logging.WARNING, logger="orders.api"):
        response = api.get(f"{prefix}/System/Orders")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    rid = response["X-Request-ID"]
    assert response.json() == {
        "message": "Service unavailable.",
        "detail": f"The database is not answering; retry in 5 seconds. Request id {rid}.",
    }
    [record] = [r for r in caplog.records if r.name == "orders.api"]
    assert rid in record.getMessage()
    assert record.exc_info[0] is type(exc)


def test_a_crash_is_json_in_debug_mode_too(api, monkeypatch, settings):
    settings.DEBUG = True
    monkeypatch.setattr("orders.api.authentication.find_api_key", failing(RuntimeError()))
    response = api.get("/System/Orders", HTTP_ACCEPT="text/html,application/json")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"] == "Internal server error."


def test_a_crash_inside_a_view_body_is_a_500_too(api, monkeypatch):
    order = OrderFactory()
    monkeypatch.setattr(
        "orders.api.serializers.OrderSerializer.to_representation",
        failing(ZeroDivisionError("division by zero")),
    )

    response = api.get(f"/System/Orders/{order.pk}")

    assert response.status_code == 500
    assert response.json()["message"] == "Internal server error."
    assert response["X-Request-ID"] in response.json()["detail"]


def test_a_crash_in_a_write_changes_nothing(api, monkeypatch):
    order = OrderFactory()
    monkeypatch.setattr(
        "orders.api.serializers.OrderSerializer.to_representation",
        failing(RuntimeError("after the change")),
    )

    response = api.patch(f"/System/Orders/{order.pk}/sent")

    assert response.status_code == 500
    order.refresh_from_db()
    assert order.sent is False


# --- 500 and 503 from outside the views (a middleware) --------------------------------------


class Explodes:
    """A middleware that fails, as a broken session store or a bug in a middleware would."""

    exc: Exception = RuntimeError("middleware bug")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise self.exc


@pytest.fixture
def exploding_site(settings):
    """The site with a failing middleware right inside the request-id one; a client that
    sees the answer instead of re-raising the exception (as a real client would)."""
    settings.MIDDLEWARE = [
        "orders.api.middleware.RequestIdMiddleware",
        f"{__name__}.Explodes",
        *[m for m in settings.MIDDLEWARE if not m.endswith("RequestIdMiddleware")],
    ]
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/System/Orders", "/v1/System/Orders/1", "/system/nothing"])
def test_a_crash_in_a_middleware_is_a_json_500_on_api_paths(
    exploding_site, monkeypatch, caplog, path
):
    monkeypatch.setattr(Explodes, "exc", RuntimeError("middleware bug"))

    with caplog.at_level(logging.ERROR):
        response = exploding_site.get(path)

    assert response.status_code == 500
    rid = response["X-Request-ID"]
    assert response.json() == {
        "message": "Internal server error.",
        "detail": f"The error is logged under request id {rid}; quote it when you report it.",
    }
    # Logged once, with the request id (Django's own "Internal Server Error" line is not
    # repeated without it).
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, rid in r.getMessage()) for r in errors] == [("orders.api", True)]
    assert errors[0].exc_info[0] is RuntimeError


def test_a_database_failure_in_a_middleware_is_a_503(exploding_site, monkeypatch):
    monkeypatch.setattr(Explodes, "exc", OperationalError("the server closed the connection"))

    response = exploding_site.post("/System/Orders", {}, content_type="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["message"] == "Service unavailable."


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [(PermissionDenied(), 403, "Permission denied."), (Http404(), 404, "Not found.")],
)
def test_djangos_other_refusals_outside_the_views_are_json_too(
    exploding_site, monkeypatch, exc, code, message
):
    monkeypatch.setattr(Explodes, "exc", exc)
    response = exploding_site.get("/System/Orders")
    assert response.status_code == code
    assert response.json()["message"] == message


@pytest.mark.parametrize("path", ["/admin/", "/order/abc", "/"])
def test_other_pages_keep_djangos_plain_500(exploding_site, path):
    response = exploding_site.get(path)

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"Server Error (500)" in response.content
    assert "X-Request-ID" not in response


# --- the request id ------------------------------------------------------------------------


def test_every_api_answer_carries_a_request_id(api, anonymous):
    order = OrderFactory()
    answers = [
        api.get(f"/System/Orders/{order.pk}"),
        api.get("/System/Orders/999999"),
        anonymous.get("/System/Orders"),
        api.get("/System/Nothing"),
        anonymous.get("/System/schema"),
    ]
    assert [a.status_code for a in answers] == [200, 404, 401, 404, 200]
    ids = [a["X-Request-ID"] for a in answers]
    assert all(REQUEST_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_sane_incoming_request_id_is_kept(api):
    response = api.get("/System/Orders", HTTP_X_REQUEST_ID="3f2a-lb:7=Root/1+x")
    assert response["X-Request-ID"] == "3f2a-lb:7=Root/1+x"


@pytest.mark.parametrize("value", ["", "two words", "line\nbreak", "x" * 129, "<script>", "-a"])
def test_an_odd_incoming_request_id_is_replaced(api, value):
    response = api.get("/System/Orders", HTTP_X_REQUEST_ID=value)
    assert REQUEST_ID.fullmatch(response["X-Request-ID"])


def test_the_request_id_of_a_crash_is_the_callers(api, monkeypatch):
    monkeypatch.setattr("orders.api.authentication.find_api_key", failing(RuntimeError()))
    response = api.get("/System/Orders", HTTP_X_REQUEST_ID="shop-req-42")
    assert response["X-Request-ID"] == "shop-req-42"
    assert "request id shop-req-42;" in response.json()["detail"]


def test_pages_outside_the_api_get_no_request_id(client):
    assert "X-Request-ID" not in client.get("/health")


def test_the_request_id_middleware_is_outermost(settings):
    assert settings.MIDDLEWARE[0] == f"{RequestIdMiddleware.__module__}.RequestIdMiddleware"


# --- the JSON 404 --------------------------------------------------------------------------

UNKNOWN_PATHS = [
    "/System/Orders/{order}%0A",  # an encoded newline after a real order's id
    "/System/Orders%0A",
    "/System%0A",
    "/System/Orders/{order}%0A/sent",
    "/system/orders",
    "/system/orders/{order}",
    "/SYSTEM/Orders",
    "/V1/system/x",
    "/V1/System/Orders",
    "/v1",
    "/v1/",
    "/v1/anything",
    "/v1/v1/System/Orders",
    "/System",
    "/System/",
]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"])
def test_any_unknown_api_path_is_the_json_404_for_any_method(api, path, method):
    order = OrderFactory()
    path = path.replace("{order}", str(order.pk))

    response = api.generic(method, path, "{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["message"] == "Not found."
    assert body["detail"].startswith("No such endpoint: /")
    assert set(body) == {"message", "detail"}


@pytest.mark.parametrize("path", ["/System/Orders/1%0A", "/system/orders", "/V1/system/x"])
def test_the_json_404_holds_in_debug_mode_too(api, settings, path):
    # With DEBUG on, Django's handler404 is skipped for its HTML debug page: the route
    # itself must catch these paths.
    settings.DEBUG = True
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."


def test_the_404_names_the_path_as_received(api):
    response = api.get("/System/Orders/1%0A")
    assert response.json() == {
        "message": "Not found.",
        "detail": "No such endpoint: /System/Orders/1\n",
    }


def test_the_404_needs_no_key_and_no_csrf_token(db):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/system/orders", {"x": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["message"] == "Not found."


def test_the_real_paths_still_answer(api):
    order = OrderFactory()
    assert api.get(f"/System/Orders/{order.pk}").status_code == 200
    assert api.get(f"/v1/System/Orders/{order.pk}").status_code == 200


@pytest.mark.parametrize("path", ["/nothing", "/Systemx", "/v1x", "/admin\n"])
def test_other_unknown_paths_keep_djangos_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_bad_host_on_an_api_path_is_a_json_400(client):
    response = client.get("/System/Orders", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"message": "Bad request.", "detail": None}
    assert REQUEST_ID.fullmatch(response["X-Request-ID"])


# --- the home page -------------------------------------------------------------------------


def test_the_home_page_points_to_the_back_office_the_console_and_the_docs(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for link in ('href="/admin/"', 'href="/System/docs"', 'href="/System/schema"'):
        assert link in html
    assert "docs/api.md" in html


def test_the_admins_view_site_link_leads_home(client, django_user_model):
    staff = django_user_model.objects.create_user("eva", password="x", is_staff=True)
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert '<a href="/">View site</a>' in html
