"""Languages on the API: the *_word amounts follow the order's language (its own, else its
channel's), the expanded channel shows its `language` (ours), and POST /System/Orders takes
an optional `language` (ours). Error messages stay English."""

import pytest

from orders.models import Order
from tests.api.test_queries import PARTIAL_PAGE_QUERIES
from tests.factories import ChannelFactory

NBSP = "\N{NO-BREAK SPACE}"
# 213.44 + 21 % VAT = 258.26 with VAT, 44.82 of VAT.
KETTLE = {"name": "Konvice", "count": 1, "price": {"final_price": 258.26, "vat": 21}}


@pytest.fixture
def czech_channel(db):
    return ChannelFactory(name="Czech shop", currency_code="CZK", language="cs")


@pytest.fixture
def english_channel(db):
    return ChannelFactory(name="Web shop", currency_code="EUR", language="en")


def create(api, channel, **extra) -> dict:
    body = {"channel": channel.pk, "email": "jana@mail.example", "items": [KETTLE], **extra}
    response = api.post("/System/Orders", body, format="json")
    assert response.status_code == 200, response.json()
    return api.get(f"/System/Orders/{response.json()['id']}").json()


def test_a_czech_channels_order_writes_its_amounts_in_czech(api, czech_channel):
    price = create(api, czech_channel)["items"][0]["price"]

    assert price["final_price"] == 258.26
    assert price["final_price_word"] == f"258,26{NBSP}Kč"
    assert price["base_price_word"] == f"213,44{NBSP}Kč"
    assert price["vat_value_word"] == f"44,82{NBSP}Kč"


def test_an_english_channels_order_writes_them_in_english(api, english_channel):
    price = create(api, english_channel)["items"][0]["price"]

    assert price["final_price_word"] == "€258.26"
    assert price["base_price_word"] == "€213.44"


def test_the_orders_own_language_wins_over_its_channels(api, czech_channel, english_channel):
    in_english = create(api, czech_channel, language="en")
    in_czech = create(api, english_channel, language="cs")

    assert in_english["items"][0]["price"]["final_price_word"] == "CZK258.26"
    assert in_czech["items"][0]["price"]["final_price_word"] == f"258,26{NBSP}€"
    assert Order.objects.get(pk=in_czech["id"]).language == "cs"


@pytest.mark.parametrize("given", [None, ""])
def test_no_language_given_means_the_channels(api, czech_channel, given):
    order = create(api, czech_channel, language=given)

    assert Order.objects.get(pk=order["id"]).language == ""
    assert order["items"][0]["price"]["final_price_word"] == f"258,26{NBSP}Kč"


@pytest.mark.parametrize("language", ["de", "CS", 1])
def test_an_unknown_language_is_refused_in_english(api, czech_channel, language):
    body = {"channel": czech_channel.pk, "email": "jana@mail.example", "language": language}

    response = api.post("/System/Orders", body, format="json", HTTP_ACCEPT_LANGUAGE="cs")

    assert response.status_code == 400
    assert response.json()["errors"]["language"] == [f'"{language}" is not a valid choice.']
    assert not Order.objects.exists()


def test_the_language_needs_a_read_write_key(anonymous, read_only_api, czech_channel):
    body = {"channel": czech_channel.pk, "email": "jana@mail.example", "language": "cs"}

    assert anonymous.post("/System/Orders", body, format="json").status_code == 401
    assert read_only_api.post("/System/Orders", body, format="json").status_code == 403
    assert not Order.objects.exists()


def test_the_expanded_channel_shows_its_language(api, czech_channel):
    order = create(api, czech_channel, language="en")

    expanded = api.get(f"/System/Orders/{order['id']}", {"expanded": 1}).json()
    assert expanded["channel"]["language"] == "cs"  # the channel's, not the order's override
    assert expanded["channel"]["currency"] == "CZK"
    listed = api.get("/System/Orders", {"expanded": 1}).json()["orders"][0]
    assert listed["channel"]["language"] == "cs"
    link = api.get(f"/System/Orders/{order['id']}").json()["channel"]
    assert set(link) == {"id", "api_link"}


def test_a_page_of_orders_in_two_languages_costs_no_more_queries(
    api, czech_channel, english_channel, django_assert_num_queries
):
    for channel in (czech_channel, english_channel, czech_channel):
        create(api, channel)

    with django_assert_num_queries(PARTIAL_PAGE_QUERIES):
        orders = api.get("/System/Orders").json()["orders"]

    words = [order["items"][0]["price"]["final_price_word"] for order in orders]
    assert words == [f"258,26{NBSP}Kč", "€258.26", f"258,26{NBSP}Kč"]
