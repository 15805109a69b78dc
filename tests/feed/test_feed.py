"""GET /System/Orders/Events: the change feed an integrator catches up with."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from orders import services
from orders.api_keys import create_api_key
from orders.models import OrderEvent
from tests.factories import OrderStatusFactory, order_with_items

# The feed tests count one event per transition.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_status_follows")]

URL = "/System/Orders/Events"


@pytest.fixture
def five_events(actor):
    """order.created, status_changed and paid of one order, then created and paid of another."""
    first = order_with_items()
    services.order_status_assign(order_id=first.pk, status_id=OrderStatusFactory().pk, actor=actor)
    services.order_mark_paid(order_id=first.pk, actor=actor)
    second = order_with_items()
    services.order_mark_paid(order_id=second.pk, actor=actor)
    return list(OrderEvent.objects.order_by("id"))


def test_the_feed_lists_every_event_in_commit_order(api, five_events):
    answer = api.get(URL)

    assert answer.status_code == 200
    body = answer.json()
    assert [e["id"] for e in body["events"]] == [e.pk for e in five_events]
    first = body["events"][0]
    assert set(first) == {"cursor", "id", "type", "order_id", "created_at", "payload"}
    assert (first["type"], first["order_id"]) == ("order.created", five_events[0].order_id)
    assert first["payload"]["order_id"] == five_events[0].order_id
    assert body["next_cursor"] == body["events"][-1]["cursor"]
    assert body["has_more"] is False


def test_paging_with_the_cursor_visits_each_event_once(api, five_events):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"after": cursor} if cursor else {})
        body = api.get(URL, params).json()
        pages += 1
        seen += [e["id"] for e in body["events"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break

    assert seen == [e.pk for e in five_events]
    assert pages == 3
    # Caught up: the same cursor comes back with no events, until something happens.
    assert api.get(URL, {"after": cursor}).json() == {
        "events": [],
        "next_cursor": cursor,
        "has_more": False,
    }


def test_new_events_appear_after_the_last_cursor(api, five_events, actor):
    cursor = api.get(URL).json()["next_cursor"]
    services.order_mark_sent(order_id=five_events[0].order_id, actor=actor)

    body = api.get(URL, {"after": cursor}).json()

    assert [e["type"] for e in body["events"]] == [
        "order.shipment_created",
        "order.shipment_sent",
        "order.sent",
    ]


def test_an_empty_feed_has_no_cursor_yet(api):
    assert api.get(URL).json() == {"events": [], "next_cursor": None, "has_more": False}


def test_the_feed_answers_under_v1_too(api, five_events):
    assert reverse("api-v1:order-events-list") == "/v1" + URL
    assert len(api.get("/v1" + URL).json()["events"]) == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "1-"}, "after"),
        ({"after": "-1-5"}, "after"),
        ({"after": "99999999999999999999-1"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-5"}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_400_with_the_error_shape(api, params, field):
    answer = api.get(URL, params)

    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"message", "detail", "errors"}
    assert list(body["errors"]) == [field]


def test_limit_500_is_allowed(api, five_events):
    assert api.get(URL, {"limit": 500}).status_code == 200


def test_without_a_key_the_feed_is_401():
    answer = APIClient().get(URL)
    assert answer.status_code == 401
    assert set(answer.json()) == {"message", "detail"}


def test_a_read_only_key_may_read_the_feed(five_events):
    _, plain = create_api_key(name="Reporting", read_only=True)
    answer = APIClient().get(URL, HTTP_TOKEN=plain)
    assert answer.status_code == 200


def test_the_feed_is_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"]["/System/Orders/Events"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"after", "limit"}
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    component = response["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][component]["properties"]) == {
        "events",
        "next_cursor",
        "has_more",
    }


@pytest.mark.postgres
def test_on_postgresql_each_event_carries_its_transaction_id(actor):
    from django.db import connection

    order = order_with_items()
    services.order_mark_paid(order_id=order.pk, actor=actor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        [(current,)] = cursor.fetchall()

    # The whole test is one transaction: every event it wrote has that id.
    assert set(OrderEvent.objects.filter(order=order).values_list("txid", flat=True)) == {current}
