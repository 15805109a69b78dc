"""The objects an Order links to: /System/People (and People/{id}/Orders), Companies,
Channels, Channels/Shippings, Channels/Payments, Lists/Shippers. Shapes, the public
client's parameters, errors, keys, query counts and the schema."""

import datetime as dt
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from orders.api.serializers import bank_account, split_name
from orders.models import ClosingState, Order
from tests.api.test_schema import validate
from tests.factories import (
    ChannelFactory,
    CompanyFactory,
    CustomerFactory,
    OrderFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
)
from tests.queries import ANSWER_READS

pytestmark = pytest.mark.django_db

UNKNOWN = "Unknown parameter. Accepted here:"
LISTS = [
    ("/System/People", "users"),
    ("/System/Companies", "companies"),
    ("/System/Channels", "channels"),
    ("/System/Channels/Shippings", "shippings"),
    ("/System/Channels/Payments", "payments"),
    ("/System/Lists/Shippers", "shippers"),
]


def errors_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["errors"]


# --- People --------------------------------------------------------------------------------


def test_a_person_is_the_clients_user_model(api):
    customer = CustomerFactory(
        name="Jana Marie Nováková", email="jana@mail.example", street="Long 5", zip="60200"
    )
    body = api.get(f"/System/People/{customer.pk}").json()
    assert body == {
        "id": customer.pk,
        "channel": None,
        "login": "jana@mail.example",
        "email": "jana@mail.example",
        "newsletter": None,
        "name": "Jana Marie Nováková",
        "nickname": None,
        "first_name": "Jana",
        "middle_name": None,
        "surname": "Marie Nováková",
        "title": None,
        "organization_name": None,
        "street": "Long 5",
        "city": "Brno",
        "zip": "60200",
        "state_code": "CZ",
        "phone": "+420 600 000 000",
        "company_nr": "",
        "company_vat": "",
        "created_at": body["created_at"],
    }


def test_a_person_without_email_or_country_has_no_login_and_a_null_state_code(api):
    customer = CustomerFactory(name="Cher", email="", state_code="")
    body = api.get(f"/System/People/{customer.pk}", {"expanded": 1}).json()
    assert (body["login"], body["email"], body["state_code"]) == (None, "", None)
    assert (body["first_name"], body["surname"]) == (None, "Cher")


@pytest.mark.parametrize(
    ("name", "split"),
    [
        ("Jana Nováková", ("Jana", "Nováková")),
        ("Jan van der Berg", ("Jan", "van der Berg")),
        ("  Eva   Malá ", ("Eva", "Malá")),
        ("Cher", (None, "Cher")),
        ("", (None, None)),
    ],
)
def test_names_split_at_the_first_space(name, split):
    assert split_name(name) == split


def test_people_list_under_users_and_filter_by_channel(api):
    shop, market = ChannelFactory(), ChannelFactory()
    buyer_in_shop, buyer_in_both, nobody = CustomerFactory(), CustomerFactory(), CustomerFactory()
    OrderFactory(channel=shop, customer=buyer_in_shop)
    OrderFactory.create_batch(2, channel=shop, customer=buyer_in_both)
    OrderFactory(channel=market, customer=buyer_in_both)

    everyone = api.get("/System/People").json()
    assert [u["id"] for u in everyone["users"]] == sorted(
        [buyer_in_shop.pk, buyer_in_both.pk, nobody.pk]
    )
    assert everyone["paginator"] == {"page": 1, "per_page": 10, "pages": 1, "total": 3}

    in_shop = api.get("/System/People", {"channel_id": shop.pk}).json()
    assert [u["id"] for u in in_shop["users"]] == [buyer_in_shop.pk, buyer_in_both.pk]
    assert in_shop["paginator"]["total"] == 2  # one row per person, however many orders
    in_market = api.get("/System/People", {"channel_id": market.pk}).json()
    assert [u["id"] for u in in_market["users"]] == [buyer_in_both.pk]


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ({"channel_id": 987654}, {"channel_id": ["Unknown channel 987654."]}),
        ({"channel_id": "shop"}, {"channel_id": ["Enter a whole number."]}),
        ({"expanded": 1}, {"expanded": [f"{UNKNOWN} channel_id, page, per_page."]}),
        ({"channel": 1}, {"channel": [f"{UNKNOWN} channel_id, page, per_page."]}),
    ],
)
def test_people_list_refuses_what_the_client_does_not_send(api, query, bad):
    ChannelFactory()
    assert errors_of(api.get("/System/People", query)) == bad


def test_unknown_person_is_404_in_the_error_shape(api):
    for path in ("/System/People/987654", "/System/People/987654/Orders"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {
            "message": "Not found.",
            "detail": "Customer 987654 does not exist.",
        }


# --- People/{id}/Orders ----------------------------------------------------------------------


def at(day: int) -> dt.datetime:
    return dt.datetime(2024, 3, day, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def buyer_orders():
    """A buyer's orders on three days (one done, one canceled) and another buyer's order."""
    buyer = CustomerFactory()
    early = OrderFactory(customer=buyer, date_order=at(1))
    done = OrderFactory(customer=buyer, date_order=at(2))
    canceled = OrderFactory(customer=buyer, date_order=at(3))
    Order.objects.filter(pk=done.pk).update(closing_state=ClosingState.DONE)
    Order.objects.filter(pk=canceled.pk).update(closing_state=ClosingState.CANCELED)
    OrderFactory(date_order=at(2))  # someone else's
    return buyer, early, done, canceled


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [order["id"] for order in response.json()["orders"]]


def test_person_orders_are_the_orders_page_of_that_person(api, buyer_orders):
    buyer, early, done, canceled = buyer_orders
    response = api.get(f"/System/People/{buyer.pk}/Orders")
    assert ids(response) == [canceled.pk, done.pk, early.pk]  # newest first
    body = response.json()
    assert body["paginator"] == {"page": 1, "per_page": 10, "pages": 1, "total": 3}
    assert body["orders"][0] == api.get(f"/System/Orders/{canceled.pk}").json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"done": 1}, ["done"]),
        ({"done": "false"}, ["canceled", "early"]),
        ({"canceled": "true"}, ["canceled"]),
        ({"canceled": 0, "done": 0}, ["early"]),
        ({"from": "2024-03-02"}, ["canceled", "done"]),
        ({"to": "2024-03-02"}, ["done", "early"]),
        ({"from": "2024-03-02T00:00:00+00:00", "to": "2024-03-02T23:00:00+00:00"}, ["done"]),
    ],
)
def test_person_orders_filters(api, buyer_orders, query, expected):
    buyer, early, done, canceled = buyer_orders
    names = {early.pk: "early", done.pk: "done", canceled.pk: "canceled"}
    response = api.get(f"/System/People/{buyer.pk}/Orders", query)
    assert [names[pk] for pk in ids(response)] == expected


def test_person_orders_expanded_and_paged(api):
    buyer = CustomerFactory()
    OrderFactory.create_batch(11, customer=buyer)
    response = api.get(
        f"/System/People/{buyer.pk}/Orders", {"expanded": "1", "page": 2, "per_page": 10}
    )
    body = response.json()
    assert body["paginator"] == {"page": 2, "per_page": 10, "pages": 2, "total": 11}
    assert body["orders"][0]["customer"]["login"] == buyer.email


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ({"done": "yes"}, "done"),
        ({"from": "last week"}, "from"),
        ({"status_id": 1}, "status_id"),  # a filter of GET /System/Orders, not of this call
        ({"channel_id": 1}, "channel_id"),
        ({"per_page": 5}, "per_page"),
        ({"expanded": "maybe"}, "expanded"),
    ],
)
def test_person_orders_refuse_bad_and_unknown_parameters(api, query, bad):
    buyer = CustomerFactory()
    assert list(errors_of(api.get(f"/System/People/{buyer.pk}/Orders", query))) == [bad]


# --- Companies ------------------------------------------------------------------------------


def test_a_company_is_the_clients_company_model(api):
    company = CompanyFactory(company_vat="CZ10000001", bank_account="CZ65 0800 0000 1920 0014 5399")
    body = api.get(f"/System/Companies/{company.pk}").json()
    assert body["company_vats"] == [{"state_code": "CZ", "vat": "CZ10000001", "vat_payer": None}]
    assert body["bank_accounts"] == [
        {
            "name": None,
            "bank_name": None,
            "bank_address": None,
            "bank_code": None,
            "bank_account": "CZ65 0800 0000 1920 0014 5399",
            "iban": "CZ6508000000192000145399",
            "swift": None,
        }
    ]
    assert body["registry_info"] is None
    # Ours, as kept.
    assert (body["company_vat"], body["bank_account"]) == (
        "CZ10000001",
        "CZ65 0800 0000 1920 0014 5399",
    )


def test_a_company_without_vat_account_or_country(api):
    company = CompanyFactory(company_vat="", bank_account="", state_code="")
    body = api.get(f"/System/Companies/{company.pk}").json()
    assert (body["company_vats"], body["bank_accounts"], body["state_code"]) == ([], [], None)


IBAN = "CZ6508000000192000145399"


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("CZ65 0800 0000 1920 0014 5399", {"iban": IBAN, "bank_code": None}),
        ("cz6508000000192000145399", {"iban": IBAN}),
        ("CZ66 0800 0000 1920 0014 5399", {"iban": None}),  # wrong check digits
        ("19-2000145399/0800", {"bank_account": "19-2000145399", "bank_code": "0800"}),
        ("2000145399/0800", {"bank_account": "2000145399", "bank_code": "0800", "iban": None}),
        ("Bank of Nowhere 123", {"bank_account": "Bank of Nowhere 123", "bank_code": None}),
    ],
)
def test_bank_account_line(text, fields):
    account = bank_account(text)
    assert {name: account[name] for name in fields} == fields


# --- Channels -------------------------------------------------------------------------------


def test_a_channel_is_the_clients_channel_model(api):
    channel = ChannelFactory(currency_code="CZK", domain="obchod.example", language="cs")
    body = api.get(f"/System/Channels/{channel.pk}").json()
    company_link = {
        "id": channel.company_id,
        "api_link": f"http://testserver/System/Companies/{channel.company_id}",
    }
    assert body == {
        "id": channel.pk,
        "name": channel.name,
        "type": "undefined",
        "active": True,
        "title": None,
        "keywords": None,
        "description": None,
        "language": "cs",  # ours: the language of the channel's customers
        "currency": "CZK",
        "state_code": None,
        "domain": None,
        "default_company": company_link,
        "default_store": None,
        "feeds": [],
        "domain_name": "obchod.example",
        "currency_code": "CZK",
        "company": company_link,
    }
    expanded = api.get(f"/System/Channels/{channel.pk}", {"expanded": "true"}).json()
    assert expanded["default_company"]["company_nr"] == channel.company.company_nr
    assert expanded["company"] == company_link


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({}, True),
        ({"active": 1}, True),
        ({"active": "false"}, False),
        ({"type": "undefined"}, True),
        ({"type": "eshop"}, False),
        ({"active": 1, "type": "marketplace"}, False),
    ],
)
def test_channel_filters_select_all_or_none_as_the_answers_say(api, query, found):
    channel = ChannelFactory()
    body = api.get("/System/Channels", query).json()
    assert [c["id"] for c in body["channels"]] == ([channel.pk] if found else [])


@pytest.mark.parametrize(
    ("query", "bad"),
    [({"active": "yes"}, "active"), ({"type": "shop"}, "type"), ({"channel_id": 1}, "channel_id")],
)
def test_channel_list_refuses_bad_parameters(api, query, bad):
    assert list(errors_of(api.get("/System/Channels", query))) == [bad]


# --- Shippings and payments ------------------------------------------------------------------


def test_a_shipping_is_the_clients_shipping_model(api):
    shipping = ShippingMethodFactory(channel=ChannelFactory(currency_code="CZK"))
    body = api.get(f"/System/Channels/Shippings/{shipping.pk}").json()
    assert body["shipper"] == {
        "id": shipping.shipper_id,
        "api_link": f"http://testserver/System/Lists/Shippers/{shipping.shipper_id}",
    }
    assert (body["price"], body["currency"], body["vat"]) == (4.9, "CZK", 21.0)
    not_kept = (
        "description state_code continent_code time_from time_to money_from money_to "
        "payments icon_url sort app"
    )
    assert {name: body[name] for name in not_kept.split()} == dict.fromkeys(not_kept.split())
    expanded = api.get(f"/System/Channels/Shippings/{shipping.pk}", {"expanded": 1}).json()
    assert expanded["shipper"]["name"] == shipping.shipper.name
    assert expanded["channel"]["currency"] == "CZK"
    assert set(expanded["channel"]["default_company"]) == {"id", "api_link"}  # one level only


def test_a_method_without_channel_has_no_currency(api):
    shipping = ShippingMethodFactory(channel=None, shipper=None)
    payment = PaymentMethodFactory(channel=None)
    body = api.get(f"/System/Channels/Shippings/{shipping.pk}", {"expanded": 1}).json()
    assert (body["channel"], body["shipper"], body["currency"]) == (None, None, None)
    body = api.get(f"/System/Channels/Payments/{payment.pk}").json()
    assert (body["channel"], body["provider"], body["currency"]) == (None, None, None)


def test_shippings_filter_by_channel_and_shipper(api):
    shop, market = ChannelFactory(), ChannelFactory()
    carrier = ShipperFactory()
    a = ShippingMethodFactory(channel=shop, shipper=carrier)
    b = ShippingMethodFactory(channel=shop)
    c = ShippingMethodFactory(channel=market, shipper=carrier)

    def listed(query):
        return [s["id"] for s in api.get("/System/Channels/Shippings", query).json()["shippings"]]

    assert listed({}) == [a.pk, b.pk, c.pk]
    assert listed({"channel": shop.pk}) == [a.pk, b.pk]
    assert listed({"shipper": carrier.pk}) == [a.pk, c.pk]
    assert listed({"channel": market.pk, "shipper": carrier.pk}) == [c.pk]
    assert listed({"channel": market.pk, "shipper": b.shipper_id}) == []


def test_payments_filter_by_channel(api):
    shop, market = ChannelFactory(), ChannelFactory()
    card = PaymentMethodFactory(channel=shop, price=Decimal("1.50"))
    PaymentMethodFactory(channel=market)
    body = api.get("/System/Channels/Payments", {"channel": shop.pk, "expanded": 1}).json()
    assert [p["id"] for p in body["payments"]] == [card.pk]
    assert body["payments"][0]["price"] == 1.5
    assert body["payments"][0]["channel"]["name"] == shop.name


SHIPPINGS, PAYMENTS = "/System/Channels/Shippings", "/System/Channels/Payments"


@pytest.mark.parametrize(
    ("path", "query", "bad"),
    [
        (SHIPPINGS, {"channel": 987654}, {"channel": ["Unknown channel 987654."]}),
        (SHIPPINGS, {"shipper": 987654}, {"shipper": ["Unknown shipper 987654."]}),
        (PAYMENTS, {"channel": 987654}, {"channel": ["Unknown channel 987654."]}),
        (PAYMENTS, {"shipper": 1}, {"shipper": [f"{UNKNOWN} channel, expanded, page, per_page."]}),
    ],
)
def test_unknown_ids_in_filters_are_400_naming_them(api, path, query, bad):
    assert errors_of(api.get(path, query)) == bad


# --- Every endpoint: keys, 404, strictness, queries, schema ----------------------------------


@pytest.mark.parametrize(("path", "key"), LISTS)
def test_lists_and_details_need_a_key_and_a_read_only_key_reads(
    anonymous, read_only_api, path, key
):
    ShippingMethodFactory()
    PaymentMethodFactory()
    CustomerFactory()
    assert anonymous.get(path).status_code == 401
    assert anonymous.get(f"{path}/1").status_code == 401
    listed = read_only_api.get(path)
    assert listed.status_code == 200
    first = listed.json()[key][0]["id"]
    assert read_only_api.get(f"{path}/{first}").json()["id"] == first
    assert read_only_api.post(path, {}, format="json").status_code == 403


@pytest.mark.parametrize(("path", "key"), LISTS)
def test_unknown_id_is_404_and_non_integer_too(api, path, key):
    response = api.get(f"{path}/987654")
    assert response.status_code == 404
    assert response.json()["detail"].endswith("987654 does not exist.")
    assert api.get(f"{path}/abc").status_code == 404


@pytest.mark.parametrize(
    ("path", "expandable"),
    [
        ("/System/People/{id}", True),
        ("/System/Companies/{id}", False),
        ("/System/Channels/{id}", True),
        ("/System/Channels/Shippings/{id}", True),
        ("/System/Channels/Payments/{id}", True),
        ("/System/Lists/Shippers/{id}", False),
    ],
)
def test_details_take_expanded_only_where_the_client_sends_it(api, path, expandable):
    order = OrderFactory(shipping=ShippingMethodFactory(), payment=PaymentMethodFactory())
    ids = {
        "People": order.customer_id,
        "Companies": order.company_id,
        "Channels": order.channel_id,
        "Shippings": order.shipping_id,
        "Payments": order.payment_id,
        "Shippers": order.shipping.shipper_id,
    }
    path = path.format(id=ids[path.split("/")[-2]])
    assert api.get(path, {"expanded": 0}).status_code == (200 if expandable else 400)
    assert api.get(path, {"page": 1}).status_code == 400  # no paging on a detail


LIST_QUERIES = {
    # key + rows (related rows joined); no count: a page that is not full tells the total
    "/System/People": 2,
    "/System/Companies": 2,
    "/System/Channels": 2,
    "/System/Channels/Shippings": 2,
    "/System/Channels/Payments": 2,
    "/System/Lists/Shippers": 2,
}


@pytest.mark.parametrize("expanded", [0, 1])
@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize(("path", "key"), LISTS)
def test_list_query_count_does_not_grow(api, django_assert_num_queries, path, key, rows, expanded):
    for _ in range(rows):
        ShippingMethodFactory(channel=ChannelFactory(), shipper=ShipperFactory())
        PaymentMethodFactory(channel=ChannelFactory())
        CustomerFactory()
    query = {"per_page": 250}
    if key in ("channels", "shippings", "payments"):
        query["expanded"] = expanded
    with django_assert_num_queries(LIST_QUERIES[path]):
        response = api.get(path, query)
    assert len(response.json()[key]) >= rows


@pytest.mark.parametrize("expanded", [0, 1])
def test_person_orders_query_count_does_not_grow(api, django_assert_num_queries, expanded):
    buyer = CustomerFactory()
    OrderFactory(customer=buyer, shipping=ShippingMethodFactory(), payment=PaymentMethodFactory())
    # key + person exists + the page's ids + the answer's reads (a page that is not full
    # tells the total: no count)
    with django_assert_num_queries(3 + ANSWER_READS):
        api.get(f"/System/People/{buyer.pk}/Orders", {"expanded": expanded})
    OrderFactory.create_batch(
        20, customer=buyer, shipping=ShippingMethodFactory(), payment=PaymentMethodFactory()
    )
    with django_assert_num_queries(3 + ANSWER_READS):
        response = api.get(
            f"/System/People/{buyer.pk}/Orders", {"expanded": expanded, "per_page": 50}
        )
    assert len(response.json()["orders"]) == 21


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_answers_match_the_schema(api, anonymous, openapi):
    order = OrderFactory(
        shipping=ShippingMethodFactory(),
        payment=PaymentMethodFactory(),
        delivery_state_code="",
        customer=CustomerFactory(state_code="", email=""),
    )
    ShippingMethodFactory(channel=None, shipper=None)
    PaymentMethodFactory(channel=None)
    ChannelFactory(company=None)
    CompanyFactory(bank_account="19-2000145399/0800", state_code="")
    routes = {
        "/System/People": "/System/People/{id}",
        "/System/Companies": "/System/Companies/{id}",
        "/System/Channels": "/System/Channels/{id}",
        "/System/Channels/Shippings": "/System/Channels/Shippings/{id}",
        "/System/Channels/Payments": "/System/Channels/Payments/{id}",
        "/System/Lists/Shippers": "/System/Lists/Shippers/{id}",
    }
    expandable = {"/System/Channels", "/System/Channels/Shippings", "/System/Channels/Payments"}
    for path, detail in routes.items():
        query = {"expanded": 1} if path in expandable else {}
        listed = api.get(path, query)
        validate(openapi, listed, path, "get")
        (rows,) = (value for key, value in listed.json().items() if key != "paginator")
        assert rows
        for row in rows:
            one = api.get(
                f"{path}/{row['id']}", query if path != "/System/People" else {"expanded": 1}
            )
            validate(openapi, one, detail, "get")
        validate(openapi, api.get(f"{path}/987654"), detail, "get")
        validate(openapi, anonymous.get(path), path, "get")
        validate(openapi, api.get(path, {"nope": 1}), path, "get")
    person_orders = "/System/People/{id}/Orders"
    for query in ({}, {"expanded": 1}, {"done": "maybe"}):
        response = api.get(f"/System/People/{order.customer_id}/Orders", query)
        validate(openapi, response, person_orders, "get")
    validate(openapi, api.get("/System/People/987654/Orders"), person_orders, "get")
    assert api.get(f"/System/Orders/{order.pk}").json()["delivery_state_code"] is None
    validate(openapi, api.get(f"/System/Orders/{order.pk}"), "/System/Orders/{order_id}", "get")
