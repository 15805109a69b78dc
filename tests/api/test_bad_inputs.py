"""Inputs that used to reach the database (or Python's calendar) and crash: each is now a 400
naming what is wrong, the same on SQLite and PostgreSQL, and changes nothing (issue 8,
parts 4 and 5)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Customer, HistoryRecord, IdempotencyRecord, Order, OrderItem
from tests.factories import ChannelFactory, OrderFactory, ShipperFactory, order_with_items

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "Out of range: the moment must fall between 0001-01-01 and 9999-12-31 in UTC."
EMAIL = "jana@mail.example"


def errors(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"message", "detail", "errors"}
    return body["errors"]


def item(count=1, final_price=None, **price):
    if final_price is not None:
        price["final_price"] = final_price
    return {"name": "Gold", "count": count, "price": {"vat": 0, **price}}


# --- dates in the listing's query ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("to", "9999-12-31"),  # "up to the end of that day": the next day is year 10000
        ("from", "0001-01-01T00:00:00+14:00"),
        ("from", "9999-12-31T23:59:59-23:59"),
        ("updated_since", "0001-01-01T00:00:00+14:00"),
        ("updated_since", "9999-12-31T23:59:59-23:59"),
        ("to", "0001-01-01T00:00:00+14:00"),
        ("to", "9999-12-31T23:59:59-23:59"),
    ],
)
def test_a_moment_outside_the_calendar_in_utc_is_400_naming_the_parameter(api, name, value):
    OrderFactory()
    assert errors(api.get("/System/Orders", {name: value})) == {name: [OUT_OF_RANGE]}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("to", "9999-12-30"),
        ("to", "9999-12-31T23:59:59Z"),
        ("to", "9999-12-31T23:59:59+23:59"),
        ("from", "0001-01-01"),
        ("from", "0001-01-01T00:00:00Z"),
        ("from", "0001-01-01T00:00:00-23:59"),
        ("updated_since", "0001-01-02T00:00:00+14:00"),
    ],
)
def test_the_edges_of_the_calendar_are_accepted(api, name, value):
    order = OrderFactory()
    response = api.get("/System/Orders", {name: value})
    assert response.status_code == 200, response.json()
    assert [o["id"] for o in response.json()["orders"]] == [order.pk]


def test_an_offset_beyond_what_postgresql_takes_is_compared_in_utc(api):
    # -23:59 is a valid ISO 8601 offset; PostgreSQL's own limit is 15:59, so the moment is
    # sent in UTC. 2020-01-01T00:00-23:59 is 2020-01-01T23:59Z.
    at = dt.datetime(2020, 1, 1, 23, 59, tzinfo=dt.UTC)
    before, after = (
        OrderFactory(date_order=at - dt.timedelta(minutes=1)),
        OrderFactory(date_order=at),
    )
    response = api.get("/System/Orders", {"from": "2020-01-01T00:00:00-23:59"})
    assert [o["id"] for o in response.json()["orders"]] == [after.pk]
    response = api.get("/System/Orders", {"to": "2020-01-01T00:00:00-23:58"})
    assert [o["id"] for o in response.json()["orders"]] == [before.pk]


def test_a_date_starts_at_midnight_in_the_instances_time_zone(api, settings):
    # The first moment of 0001-01-01 in Tokyo (local mean time then, +09:18:59) is in
    # year 0 in UTC; the last day of the calendar in Los Angeles ends in year 10000.
    settings.TIME_ZONE = "Asia/Tokyo"
    assert errors(api.get("/System/Orders", {"from": "0001-01-01"})) == {"from": [OUT_OF_RANGE]}
    assert api.get("/System/Orders", {"from": "0001-01-02"}).status_code == 200
    settings.TIME_ZONE = "America/Los_Angeles"
    assert errors(api.get("/System/Orders", {"to": "9999-12-31"})) == {"to": [OUT_OF_RANGE]}
    assert api.get("/System/Orders", {"to": "9999-12-30"}).status_code == 200


# --- date_order on create ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",  # its due date (+ ORDER_MATURITY_DAYS) is past the calendar
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00Z",  # a "zero date" of a client that forgot to set it
        "1969-12-31T23:59:59Z",
        "{two years ahead}",
    ],
)
def test_date_order_outside_its_range_is_400(api, value):
    ahead = timezone.now() + dt.timedelta(days=2 * 365)
    value = value.replace("{two years ahead}", ahead.isoformat())
    response = api.post("/System/Orders", {"email": EMAIL, "date_order": value}, format="json")
    assert list(errors(response)) == ["date_order"]
    assert not Order.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("days_ahead", [None, 300])
def test_date_order_inside_its_range_is_kept_and_the_due_date_follows(api, settings, days_ahead):
    settings.ORDER_MATURITY_DAYS = 14
    moment = (
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        if days_ahead is None
        else timezone.now().replace(microsecond=0) + dt.timedelta(days=days_ahead)
    )
    body = {"email": EMAIL, "date_order": moment.isoformat()}
    response = api.post("/System/Orders", body, format="json")
    assert response.status_code == 200, response.json()
    order = Order.objects.get(pk=response.json()["id"])
    assert order.date_order == moment
    assert order.date_maturity == moment.date() + dt.timedelta(days=14)


# --- NUL bytes and odd digits in query strings ---------------------------------------------


@pytest.mark.parametrize(
    "name", ["tracking", "from", "to", "updated_since", "status_id", "done", "page", "expanded"]
)
def test_a_nul_byte_in_a_query_parameter_is_400_naming_it(api, name):
    assert list(errors(api.get("/System/Orders", {name: "1\x00"}))) == [name]


@pytest.mark.parametrize("limit", ["²", "٣", "1٣", "\x00", "0", "501", "5.0", "-1", "1e2"])
def test_the_feed_limit_takes_ascii_digits_only(api, limit):
    response = api.get("/System/Orders/Events", {"limit": limit})
    assert errors(response) == {"limit": ["A whole number from 1 to 500."]}


def test_the_feed_limit_and_cursor_accept_what_they_promise(api):
    order_with_items(items=1)
    response = api.get("/System/Orders/Events", {"limit": "500"})
    assert response.status_code == 200
    cursor = response.json()["next_cursor"]
    response = api.get("/System/Orders/Events", {"limit": "1", "after": cursor})
    assert response.json()["events"] == []


@pytest.mark.parametrize("after", ["٣-٣", "1-2\x00", "\x00"])
def test_the_feed_cursor_takes_ascii_digits_only(api, after):
    assert list(errors(api.get("/System/Orders/Events", {"after": after}))) == ["after"]


@pytest.mark.parametrize("value", ["٣", "²", "3.0"])
def test_ids_in_the_query_take_ascii_digits_only(api, value):
    ChannelFactory(pk=3)  # int("٣") is 3, and Django's IntegerField reads "3.0" as 3
    assert list(errors(api.get("/System/Orders", {"channel_id": value}))) == ["channel_id"]


# --- NUL bytes in bodies and headers -------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a\u0000b@mail.example"}, "email"),
        ({"name": "Jana\u0000"}, "name"),
        ({"delivery_city": "\u0000"}, "delivery_city"),
        ({"note": "ring\u0000twice"}, "note"),
        ({"external_order_id": "A\u00001"}, "external_order_id"),
        ({"items": [{**item(final_price=1), "name": "Mug\u0000"}]}, "items[0].name"),
    ],
)
def test_a_nul_character_in_a_json_string_is_400_naming_the_field(api, body, field):
    response = api.post("/System/Orders", {"email": EMAIL, **body}, format="json")
    assert list(errors(response)) == [field]
    assert not Order.objects.exists()


def test_a_nul_byte_in_the_idempotency_key_is_400_naming_it(api):
    response = api.post(
        "/System/Orders", {"email": EMAIL}, format="json", HTTP_IDEMPOTENCY_KEY="k\x00"
    )
    assert list(errors(response)) == ["Idempotency-Key"]
    assert not Order.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("token", ["abcdef0\x00.key", "abcdefgh.key", "ábcdef01.key"])
def test_a_key_that_cannot_be_one_is_401_without_a_lookup(anonymous, token):
    response = anonymous.get("/System/Orders", HTTP_TOKEN=token)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid API key."


# --- money that would not fit its column ---------------------------------------------------


def test_a_line_whose_total_does_not_fit_is_400_naming_its_count(api):
    body = {"email": EMAIL, "items": [item(final_price=1), item(1_000_000, final_price=20_000)]}
    response = api.post("/System/Orders", body, format="json")
    assert list(errors(response)) == ["items[1].count"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("line", "refused"),
    [
        (item(10, final_price=999_999_999), None),  # 9999999990
        (item(1_000_000, final_price=Decimal("9999.99")), None),
        (item(5, base_price=999_999_999, vat=100), None),  # 5 x 1999999998
        # Too large in any currency: refused by the serializer, naming the line.
        (item(1_000_000, final_price=Decimal("10000.51")), "items[0].count"),
        (item(6, base_price=999_999_999, vat=100), "items[0].count"),
        # Too large once rounded to cents: refused by the order's total rule.
        (item(1_000_000, final_price=Decimal("10000.01")), "items"),
    ],
)
def test_a_line_is_refused_when_its_total_cannot_fit(api, line, refused):
    response = api.post("/System/Orders", {"email": EMAIL, "items": [line]}, format="json")
    if refused:
        assert list(errors(response)) == [refused]
        assert not Order.objects.exists()
        return
    assert response.status_code == 200, response.json()
    # The order reads back on every database, alone and in the list.
    order_id = response.json()["id"]
    read = api.get(f"/System/Orders/{order_id}")
    assert read.status_code == 200
    assert Decimal(str(read.json()["money"])) == Order.objects.get(pk=order_id).money
    assert api.get("/System/Orders").status_code == 200


@pytest.mark.parametrize(("currency", "fits"), [("EUR", True), ("JPY", False)])
def test_the_total_rule_rounds_in_the_orders_currency(api, currency, fits):
    # 9999.5 a unit: EUR keeps the cents (9999500000 in all), JPY rounds to 10000 a unit.
    channel = ChannelFactory(currency_code=currency)
    body = {"channel": channel.pk, "email": EMAIL, "items": [item(1_000_000, final_price=9999.5)]}
    response = api.post("/System/Orders", body, format="json")
    if fits:
        assert response.status_code == 200, response.json()
    else:
        assert list(errors(response)) == ["items"]


def test_lines_that_fit_but_sum_past_the_column_are_400_naming_items(api):
    body = {"email": EMAIL, "items": [item(final_price=999_999_999)] * 11}
    response = api.post("/System/Orders", body, format="json")
    assert errors(response) == {
        "items": [
            "The order's total would be 10999999989.00 EUR; an order holds at most 9999999999.9999."
        ]
    }
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()


def test_an_item_that_pushes_the_order_past_the_column_is_400_and_changes_nothing(api):
    body = {"email": EMAIL, "items": [item(9, final_price=999_999_999)]}
    order = Order.objects.get(pk=api.post("/System/Orders", body, format="json").json()["id"])
    first = order.items.get()
    path = f"/System/Orders/{order.pk}/item"

    # Each line fits on its own; the order's total would not.
    added = api.post(path, item(2, final_price=999_999_999), format="json")
    small = api.post(path, item(1, final_price=10), format="json")
    history = HistoryRecord.objects.count()
    grown = api.put(path, {"id": first.pk, **item(10, final_price=999_999_999)}, format="json")

    assert errors(added) == {
        "count": [
            "The order's total would be 10999999989.00 EUR; an order holds at most 9999999999.9999."
        ]
    }
    assert small.status_code == 200
    assert list(errors(grown)) == ["count"]
    order.refresh_from_db()
    assert order.money == Decimal("9000000001.00")
    assert sorted(order.items.values_list("count", flat=True)) == [1, 9]
    assert HistoryRecord.objects.count() == history
    assert api.get(f"/System/Orders/{order.pk}").status_code == 200


# --- text that would not fit its column ----------------------------------------------------

LONG_EMAIL = "j" * 60 + "@" + ("m" * 63 + ".") * 2 + "x" * 57 + ".example"  # 254, valid


@pytest.mark.parametrize(
    ("field", "length"),
    [
        ("name", 200),
        ("street", 200),
        ("city", 100),
        ("zip", 20),
        ("state_code", 2),
        ("phone", 50),
        ("company_nr", 50),
        ("company_vat", 50),
        ("delivery_name", 200),
        ("delivery_street", 200),
        ("delivery_city", 100),
        ("delivery_zip", 20),
        ("delivery_state_code", 2),
        ("delivery_phone", 50),
        ("domain", 255),
        ("external_order_prefix", 50),
        ("external_order_id", 100),
    ],
)
def test_order_text_fits_its_column_or_is_400(api, field, length):
    too_long = api.post(
        "/System/Orders", {"email": EMAIL, field: "x" * (length + 1)}, format="json"
    )
    assert list(errors(too_long)) == [field]
    fits = api.post("/System/Orders", {"email": EMAIL, field: "x" * length}, format="json")
    assert fits.status_code == 200, fits.json()
    assert getattr(Order.objects.get(pk=fits.json()["id"]), field) == "x" * length


@pytest.mark.parametrize("field", ["email", "delivery_email"])
def test_the_longest_valid_email_is_accepted(api, field):
    assert len(LONG_EMAIL) == 254
    response = api.post("/System/Orders", {"name": "Jana", field: LONG_EMAIL}, format="json")
    assert response.status_code == 200, response.json()
    too_long = api.post("/System/Orders", {"name": "Jana", field: "j" + LONG_EMAIL}, format="json")
    assert list(errors(too_long)) == [field]


def test_a_206_character_email_without_a_name_is_accepted_on_every_database(api):
    email = "a" * 64 + "@" + ("b" * 63 + ".") * 2 + "c" * 5 + ".example"
    assert len(email) == 206
    response = api.post("/System/Orders", {"email": email}, format="json")
    assert response.status_code == 200, response.json()
    order = Order.objects.get(pk=response.json()["id"])
    assert (order.email, order.name) == (email, "")
    # The customer goes by the e-mail, cut to the name column.
    assert (order.customer.email, order.customer.name) == (email, email[:200])
    person = api.get(f"/System/People/{order.customer_id}")
    assert person.status_code == 200


def test_item_text_fits_its_column_and_long_names_fit_the_history(api):
    order = order_with_items(items=0)
    body = {**item(3, final_price=1), "name": "n" * 301}
    assert list(errors(api.post(f"/System/Orders/{order.pk}/item", body, format="json"))) == [
        "name"
    ]
    body = {**item(3, final_price=1), "name": "n" * 300, "code": "c" * 101}
    assert list(errors(api.post(f"/System/Orders/{order.pk}/item", body, format="json"))) == [
        "code"
    ]
    body = {**item(3, final_price=1), "name": "n" * 300, "code": "c" * 100}
    response = api.post(f"/System/Orders/{order.pk}/item", body, format="json")
    assert response.status_code == 200, response.json()
    # "Item added: 3 x nnn…" is cut to the history's column, not refused by PostgreSQL only.
    entry = HistoryRecord.objects.filter(order=order).latest("id")
    assert len(entry.name) == 300
    assert entry.name.startswith("Item added: 3 x nnn")
    assert entry.name.endswith("…")


def test_tracking_and_history_text_fit_their_columns(api):
    order, shipper = OrderFactory(), ShipperFactory(name="s" * 200)
    path = f"/System/Orders/{order.pk}"
    body = {"shipper_id": shipper.pk, "tracking_number": "t" * 101}
    assert list(errors(api.post(f"{path}/tracking", body, format="json"))) == ["tracking_number"]
    body["tracking_number"] = "t" * 100
    assert api.post(f"{path}/tracking", body, format="json").status_code == 200
    for body, field in [
        ({"type": "t" * 51, "record": {"name": "x"}}, "type"),
        ({"type": "note", "record": {"name": "x" * 301}}, "record.name"),
        ({"type": "note", "record": {"name": "x", "status": "s" * 201}}, "record.status"),
    ]:
        assert list(errors(api.post(f"{path}/history", body, format="json"))) == [field]
    body = {"type": "t" * 50, "record": {"name": "x" * 300, "status": "s" * 200}}
    assert api.post(f"{path}/history", body, format="json").status_code == 200


def test_payment_text_fits_its_columns(api):
    order = order_with_items(items=1)
    path = f"/System/Orders/{order.pk}/paid"
    for body, field in [
        ({"payment_id": "p" * 201}, "payment_id"),
        ({"status": "s" * 101}, "status"),
        ({"url": "https://pay.example/" + "u" * 1000}, "url"),
    ]:
        assert list(errors(api.patch(path, body, format="json"))) == [field]
    body = {"payment_id": "p" * 200, "status": "s" * 100}
    assert api.patch(path, body, format="json").status_code == 200


# --- the customer is required on create ----------------------------------------------------

WHY = "Give the customer's e-mail or name (or both)."


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "", "name": "  "},
        {"email": None, "name": None},
        {"delivery_name": "Jana", "items": [item(final_price=1)]},
    ],
)
def test_an_order_without_customer_information_is_400_naming_email_and_name(api, body):
    response = api.post("/System/Orders", body, format="json")
    assert errors(response) == {"email": [WHY], "name": [WHY]}
    assert not Order.objects.exists()


@pytest.mark.parametrize("customer", [{"email": EMAIL}, {"name": "Jana Nováková"}])
def test_an_email_or_a_name_is_enough_and_the_currency_is_the_channels(api, customer):
    channel = ChannelFactory(currency_code="CZK")
    response = api.post("/System/Orders", {"channel": channel.pk, **customer}, format="json")
    assert response.status_code == 200, response.json()
    assert Order.objects.get(pk=response.json()["id"]).order_currency_code == "CZK"
