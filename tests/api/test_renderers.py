"""The API's renderer (orjson) writes the bytes DRF's JSONRenderer writes."""

import datetime as dt
import ipaddress
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from orders.api.renderers import JSONRenderer
from tests.factories import OrderFactory, OrderItemFactory, TrackingFactory

PRAGUE = dt.timezone(dt.timedelta(hours=2))


def drf(data, media_type=None, context=None) -> bytes:
    return renderers.JSONRenderer().render(data, media_type, context)


def ours(data, media_type=None, context=None) -> bytes:
    return JSONRenderer().render(data, media_type, context)


DECIMALS = [
    "0",
    "-0",
    "0.0000",
    "12.1000",
    "-12.10",
    "0.0001",
    "0.00004",  # a currency rate: json writes 4e-05
    "0.000037",
    "-0.000001",
    "1E-7",
    "9999999999.9999",
    "12345678901234567",
    "1E+16",
    "0.1",
    "1.005",
]
TEXTS = [
    "".join(chr(code) for code in range(128)),
    "Line\u2028and\u2029paragraph",
    "Žluťoučký kůň \U0001f600 \ufeff \ue000",
    "",
]


@pytest.mark.parametrize(
    "data",
    [
        {"decimals": [Decimal(text) for text in DECIMALS]},
        {"texts": TEXTS},
        {
            "aware": dt.datetime(2026, 11, 28, 3, 4, 5, 123456, tzinfo=dt.UTC),
            "prague": dt.datetime(2026, 11, 28, 3, 4, 5, tzinfo=PRAGUE),
            "naive": dt.datetime(2026, 11, 28, 3, 4, 5),  # noqa: DTZ001 - DRF writes it too
            "date": dt.date(2026, 2, 28),
            "time": dt.time(12, 30, 1, 5),
            "duration": dt.timedelta(days=1, seconds=3),
        },
        {
            "lazy": gettext_lazy("Not found."),
            "uuid": uuid.UUID(int=12345),
            "ip": ipaddress.ip_address("2001:db8::1"),
            "bytes": b"raw",
            "tuple": (1, 2.5, None, True, False),
            "nested": ReturnList([ReturnDict({"a": [[], {}]}, serializer=None)], serializer=None),
            "floats": [0.1, -0.0, 1e16, 1e-04, 123456.789],
            "ints": [0, -1, 2**63 - 1, -(2**63)],
        },
        [],
        "plain",
        12,
    ],
    ids=["decimals", "texts", "dates", "others", "empty list", "string", "number"],
)
def test_the_same_bytes_as_drf(data):
    assert ours(data) == drf(data)


def test_a_tiny_float_is_the_same_number_in_other_digits():
    """A Python float (no answer holds one: amounts are Decimal) under 1e-4 is written
    positionally by orjson, where json writes an exponent."""
    assert ours([1e-05]) == b"[0.00001]"
    assert drf([1e-05]) == b"[1e-05]"
    assert ours([Decimal("0.00001")]) == drf([Decimal("0.00001")]) == b"[1e-05]"


def test_none_is_no_body():
    assert ours(None) == drf(None) == b""


@pytest.mark.parametrize(
    "data",
    [{"big": 2**70}, {1: "an int key"}, {"set": {1, 2}}],
    ids=["int over 64 bits", "non-text key", "set"],
)
def test_what_orjson_refuses_drf_writes(data):
    assert ours(data) == drf(data)


def test_an_indent_is_drfs():
    data = {"a": [Decimal("1.5"), "x"]}
    assert ours(data, "application/json; indent=4") == drf(data, "application/json; indent=4")
    assert ours(data, None, {"indent": 2}) == drf(data, None, {"indent": 2})
    assert b"\n" in ours(data, None, {"indent": 2})


def test_what_json_cannot_hold_is_refused_as_drf_refuses_it():
    for bad in (Decimal("NaN"), Decimal("-Infinity")):
        with pytest.raises(ValueError, match="not JSON compliant"):
            drf({"x": bad})
        with pytest.raises(ValueError, match="not JSON compliant"):
            ours({"x": bad})


@pytest.mark.django_db
def test_the_api_answers_through_it(api):
    order = OrderFactory(name="Jana\u2028Nováková")
    OrderItemFactory(order=order, unit_price_final=Decimal("12.1000"))
    TrackingFactory(order=order)
    response = api.get("/System/Orders", {"per_page": 10})
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == drf(response.data)
    assert b"Jana\\u2028Nov\xc3\xa1kov\xc3\xa1" in response.content
    detail = api.get(f"/System/Orders/{order.pk}")
    assert detail.content == drf(detail.data)
    assert detail.json()["items"][0]["price"]["final_price"] == 12.1


@pytest.mark.django_db
def test_the_browsable_api_still_answers(api):
    order = OrderFactory()
    response = api.get(f"/System/Orders/{order.pk}", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert order.hash in response.content.decode()
