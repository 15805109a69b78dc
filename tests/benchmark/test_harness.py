"""The benchmark harness (bench/) is right: grown orders keep the invariants the app relies
on, and the floor app answers what our API answers. No timings here."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from django.db import connection
from rest_framework.test import APIClient

from bench import floor, grow
from bench.run import first_difference
from orders import services
from orders.api_keys import create_api_key
from orders.checks import check_orders
from orders.models import HistoryRecord, Order, OrderItem, Tracking

BASE_URL = "https://orders.bench.example"
SAMPLE, GROWN = 8, 40


def secondary_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [grow.TABLES])
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def grown(db, actor):
    """A sample made by the services (plus a JPY order with original prices, for the
    rarer paths of the Order answer), copied in SQL up to GROWN orders."""
    grow.seed_sample(SAMPLE - 1)
    services.order_create(
        actor=actor,
        name="Yui Tanaka",
        email="yui@mail.example",
        order_currency_code="JPY",
        items=[
            services.ItemData(
                name="Tea set",
                count=2,
                vat=Decimal("10"),
                final_price=Decimal("4400"),
                original_final_price=Decimal("5500"),
                article_id=7,
            )
        ],
    )
    with connection.cursor() as cursor:
        # The sample's deferred foreign key checks run now, not at a commit that a test
        # never reaches (an index cannot be built on a table with checks pending).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = secondary_indexes()
    added = grow.grow_to(GROWN, sample_size=SAMPLE, batch=15, rebuild_indexes=True)
    assert added == GROWN - SAMPLE
    assert secondary_indexes() == before  # dropped for the load, built again after
    return grow.sample_ids(SAMPLE)


@pytest.mark.postgres
def test_grown_orders_keep_the_orders_invariants(grown):
    assert Order.objects.count() == GROWN
    assert list(check_orders()) == []
    hashes = list(Order.objects.values_list("hash", flat=True))
    assert len(set(hashes)) == GROWN
    assert {len(h) for h in hashes} == {43}
    copy = Order.objects.exclude(pk__in=grown).order_by("id").first()
    template = Order.objects.get(pk=grown[copy.pk % SAMPLE])
    assert copy.money == template.money
    assert copy.version == template.version
    assert copy.status_id == template.status_id
    assert [(i.name, i.count) for i in copy.items.order_by("id")] == [
        (i.name, i.count) for i in template.items.order_by("id")
    ]
    shift = copy.date_order - template.date_order
    assert shift.total_seconds() < 0
    assert copy.created_at - template.created_at == shift
    assert HistoryRecord.objects.filter(order=copy).count() == template.history.count()
    numbers = list(Tracking.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for tracking in Tracking.objects.exclude(order_id__in=grown):
        record = HistoryRecord.objects.get(order_id=tracking.order_id, type="tracking")
        assert record.name.endswith(tracking.tracking_number)


@pytest.mark.postgres
def test_growing_again_to_the_same_size_adds_nothing(grown):
    assert grow.grow_to(GROWN, sample_size=SAMPLE) == 0
    assert grow.grow_to(GROWN + 5, sample_size=SAMPLE) == 5
    assert Order.objects.count() == GROWN + 5
    assert OrderItem.objects.filter(order_id=Order.objects.order_by("-id").first().pk).exists()


def floor_get(app: floor.Floor, path: str, key: str) -> tuple[str, bytes]:
    path, _, query = path.partition("?")
    started = {}
    body = b"".join(
        app(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_TOKEN": key},
            lambda status, headers: started.setdefault("status", status),
        )
    )
    return started["status"], body


@pytest.mark.postgres
def test_the_floor_answers_what_the_api_answers(grown, settings):
    settings.PUBLIC_BASE_URL = BASE_URL
    _, key = create_api_key(name="bench", read_only=True)
    # The floor runs its SQL on the test's connection, so it sees the test's rows.
    app = floor.Floor(
        lambda: connection.connection, base_url=BASE_URL, money_locale="en_US", time_zone="UTC"
    )
    connection.ensure_connection()
    api = APIClient()
    api.credentials(HTTP_TOKEN=key)
    jpy = Order.objects.filter(order_currency_code="JPY").exclude(pk__in=grown).first()
    tracked = Tracking.objects.exclude(order_id__in=grown).first()
    day = Order.objects.order_by("date_order")[GROWN // 2].date_order.date()
    open_status = Order.objects.exclude(closing_state="done").exclude(status=None).first().status_id
    paths = [
        f"/System/Orders/{grown[0]}",
        f"/System/Orders/{jpy.pk}",
        f"/System/Orders/{Order.objects.order_by('-id').first().pk}",
        "/System/Orders",
        "/System/Orders?per_page=10&page=3",
        f"/System/Orders?per_page=100&tracking={tracked.tracking_number}",
        f"/System/Orders?per_page=100&from={day.replace(day=1)}&to={day}",
        f"/System/Orders?per_page=100&status_id={open_status}&done=false",
        "/System/Orders?canceled=false&per_page=10&page=2",
    ]
    for path in paths:
        ours = api.get(path)
        status, body = floor_get(app, path, key)
        assert (ours.status_code, status) == (200, "200 OK"), path
        answer = ours.json()
        assert answer.get("orders", [answer]), f"{path} answers no order: compares nothing"
        assert first_difference(answer, floor.orjson.loads(body)) is None, path


@pytest.mark.postgres
def test_the_floor_refuses_a_wrong_key(grown):
    app = floor.Floor(
        lambda: connection.connection, base_url="", money_locale="en_US", time_zone="UTC"
    )
    connection.ensure_connection()
    _, key = create_api_key(name="bench", read_only=True)
    assert floor_get(app, "/System/Orders", key[:-1] + "x")[0] == "401 Unauthorized"
    assert floor_get(app, "/System/Orders?per_page=5", key)[0] == "400 Bad Request"


@pytest.mark.parametrize("locale", ["en_US", "cs_CZ", "de_CH"])
@pytest.mark.parametrize("currency", ["EUR", "CZK", "JPY", "KWD"])
def test_the_floors_money_words_are_babels(locale, currency):
    words = floor.MoneyWords(locale)
    for amount in ["0", "0.01", "3.45", "19.90", "1210", "12345.678", "9876543.21"]:
        rounded = Decimal(amount).quantize(Decimal(1).scaleb(-grow_precision(currency)))
        expected = format_currency(rounded, currency, locale=locale)
        assert words(float(rounded), currency) == expected


def grow_precision(currency: str) -> int:
    from babel.numbers import get_currency_precision

    return get_currency_precision(currency)


def test_first_difference_names_the_place():
    ours = {"orders": [{"id": 1, "items": [{"price": {"vat": 21.0}}]}], "done": False}
    assert first_difference(ours, ours) is None
    changed = {"orders": [{"id": 1, "items": [{"price": {"vat": 21.5}}]}], "done": False}
    assert first_difference(ours, changed) == (
        "$.orders[0].items[0].price.vat: ours 21.0, the floor 21.5"
    )
    assert first_difference({"done": False}, {"done": 0}).startswith("$.done")
    assert first_difference({"a": 1}, {"a": 1, "b": 2}) == "$.b: only in the floor"
