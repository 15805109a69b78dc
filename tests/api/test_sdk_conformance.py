"""Every answer of ours is readable by the public Retailys PHP client.

The client's rules (`/work/shared/sdk-models.md`: per model, each wire name's type and the
check the client applies while it reads an answer) are copied below as a table. Real
answers, fetched through the API from real rows (edge cases included: an order created
without a delivery country, blank fields, expanded and not, empty and full lists, errors),
are walked recursively and every value is checked as the client would read it. The copy is
compared with the file itself whenever the file is at hand (locally and in CI, where
`shared/` lies beside the clone).
"""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from orders import services
from orders.actors import Actor
from orders.models import Order
from tests.factories import (
    ChannelFactory,
    CompanyFactory,
    CustomerFactory,
    OrderFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShipperFactory,
    ShippingMethodFactory,
    TrackingFactory,
)

# --- The client's rules (sdk-models.md, API 1.1.02) -----------------------------------------
# Types are the client's own spelling: int, float, string, bool, \DateTime, a model name,
# `Model[]` (a list), `OneOfNonExpandedModelX` / `AnyOfNonExpandedModelX` ({id, api_link}
# or model X). Only the answer models (not the request bodies) are here.

CLIENT_TYPES = {
    "OrderModel": {
        "id": "int",
        "customer": "OneOfNonExpandedModelUserModel",
        "company": "OneOfNonExpandedModelCompanyModel",
        "channel": "OneOfNonExpandedModelChannelModel",
        "date_order": "\\DateTime",
        "date_maturity": "\\DateTime",
        "email": "string",
        "phone": "string",
        "name": "string",
        "street": "string",
        "city": "string",
        "zip": "string",
        "state_code": "string",
        "company_nr": "string",
        "company_vat": "string",
        "delivery_email": "string",
        "delivery_phone": "string",
        "delivery_name": "string",
        "delivery_street": "string",
        "delivery_city": "string",
        "delivery_zip": "string",
        "delivery_state_code": "string",
        "note": "string",
        "our_note": "string",
        "hash": "string",
        "main_currency_code": "string",
        "order_currency_code": "string",
        "currency_rate": "float",
        "money": "float",
        "paid": "float",
        "date_paid": "\\DateTime",
        "items": "OrderModelItems[]",
        "weight": "float",
        "shipping": "OneOfNonExpandedModelShippingModel",
        "payment": "OneOfNonExpandedModelPaymentModel",
        "trackings": "OrderModelTrackings[]",
        "sent": "bool",
        "delivered": "bool",
        "done": "bool",
        "canceled": "bool",
        "order_url": "string",
        "invoice_url": "string",
        "ip": "string",
        "external_order_prefix": "string",
        "external_order_id": "string",
        "external_payment_id": "string",
        "external_payment_url": "string",
    },
    "OrderModelItems": {
        "id": "int",
        "article": "ArticleModel",
        "name": "string",
        "count": "int",
        "ordered": "int",
        "waiting_count": "int",
        "note": "string",
        "price": "PriceModel",
        "price_original": "PriceModel",
    },
    "OrderModelTrackings": {
        "shipper_id": "int",
        "tracking_number": "string",
        "tracking_url": "string",
    },
    "PriceModel": {
        "base_price": "float",
        "base_price_word": "string",
        "final_price": "float",
        "final_price_word": "string",
        "vat": "float",
        "vat_value": "float",
        "vat_value_word": "string",
        "currency": "string",
    },
    "OrderStatusModel": {
        "id": "int",
        "name": "string",
        "icon": "string",
        "color": "string",
        "sort": "int",
        "complete_order": "bool",
        "cancel_order": "bool",
    },
    "OrderStatusesModel": {"paginator": "PaginatorModel", "statuses": "OrderStatusModel[]"},
    "OrdersModel": {"paginator": "PaginatorModel", "orders": "OrderModel[]"},
    "PaginatorModel": {"page": "int", "per_page": "int", "pages": "int", "total": "int"},
    "ErrorModel": {"message": "string", "detail": "string"},
    "IdModel": {"id": "int"},
    "NonExpandedModel": {"id": "int", "api_link": "string"},
    "UserModel": {
        "id": "int",
        "channel": "UserModelChannel",
        "login": "string",
        "email": "string",
        "newsletter": "bool",
        "name": "string",
        "nickname": "string",
        "first_name": "string",
        "middle_name": "string",
        "surname": "string",
        "title": "string",
        "organization_name": "string",
        "street": "string",
        "city": "string",
        "zip": "string",
        "state_code": "string",
    },
    "UserModelChannel": {"channel": "UserModelChannelChannel"},
    "UserModelChannelChannel": {"id": "int", "api_link": "string"},
    "UsersModel": {"paginator": "PaginatorModel", "users": "UserModel[]"},
    "CompanyModel": {
        "id": "int",
        "name": "string",
        "street": "string",
        "city": "string",
        "zip": "string",
        "state_code": "string",
        "company_nr": "string",
        "company_vats": "CompanyModelCompanyVats[]",
        "phone": "string",
        "email": "string",
        "registry_info": "string",
        "bank_accounts": "CompanyModelBankAccounts[]",
    },
    "CompanyModelBankAccounts": {
        "name": "string",
        "bank_name": "string",
        "bank_address": "string",
        "bank_code": "string",
        "bank_account": "string",
        "iban": "string",
        "swift": "string",
    },
    "CompanyModelCompanyVats": {"state_code": "string", "vat": "string", "vat_payer": "bool"},
    "CompaniesModel": {"paginator": "PaginatorModel", "companies": "CompanyModel[]"},
    "ChannelModel": {
        "id": "int",
        "name": "string",
        "type": "string",
        "active": "bool",
        "title": "string",
        "keywords": "string",
        "description": "string",
        "language": "string",
        "currency": "string",
        "state_code": "string",
        "domain": "AnyOfNonExpandedModelDomainModel",
        "default_company": "AnyOfNonExpandedModelCompanyModel",
        "default_store": "AnyOfNonExpandedModelStoreModel",
        "feeds": "ChannelModelFeeds[]",
    },
    "ChannelModelFeeds": {"filename": "string", "path": "string"},
    "ChannelsModel": {"paginator": "PaginatorModel", "channels": "ChannelModel[]"},
    "ShippingModel": {
        "id": "int",
        "shipper": "OneOfNonExpandedModelShipperModel",
        "channel": "OneOfNonExpandedModelChannelModel",
        "name": "string",
        "description": "string",
        "state_code": "string",
        "continent_code": "string",
        "time_from": "int",
        "time_to": "int",
        "money_from": "float",
        "money_to": "float",
        "price": "float",
        "currency": "string",
        "payments": "OneOfNonExpandedModelPaymentModel",
        "icon_url": "string",
        "sort": "int",
        "app": "int",
    },
    "ShippingsModel": {"paginator": "PaginatorModel", "shippings": "ShippingModel[]"},
    "PaymentModel": {
        "id": "int",
        "provider": "OneOfNonExpandedModelPaymentsProviderModel",
        "channel": "OneOfNonExpandedModelChannelModel",
        "name": "string",
        "description": "string",
        "note": "string",
        "price": "float",
        "currency": "string",
    },
    "PaymentsModel": {"paginator": "PaginatorModel", "payments": "PaymentModel[]"},
    "ShipperModel": {"id": "int", "name": "string"},
    "ShippersModel": {"paginator": "PaginatorModel", "shippers": "ShipperModel[]"},
}

# The client's checks: a string's length must lie in [min, max] ...
CLIENT_LENGTHS = {
    ("OrderModel", "delivery_state_code"): (2, 2),
    ("OrderModel", "main_currency_code"): (3, 3),
    ("OrderModel", "order_currency_code"): (3, 3),
}
# ... and an enum's value must be one of these (the generated setter throws otherwise).
CLIENT_ENUMS = {
    ("ChannelModel", "type"): ("eshop", "store", "marketplace", "undefined"),
}

# Models the file names but does not describe. We send null for all but one (below).
UNDESCRIBED = {"ArticleModel", "DomainModel", "StoreModel", "PaymentsProviderModel"}
# Known gap, left to the lead: an item's `article` is our article id (an int; the contract
# says nothing of its type), where the client expects an ArticleModel. The client does not
# throw on it (its ObjectSerializer reads an empty ArticleModel from a number).
ARTICLE_ID = ("OrderModelItems", "article")
# Always null or empty in our answers (we do not keep a person's channel, or feeds).
NEVER_SENT = {"UserModelChannel", "UserModelChannelChannel", "ChannelModelFeeds"}

LINK = "NonExpandedModel"
RELATED = re.compile(r"(?:OneOf|AnyOf)NonExpandedModel(\w+)")


# --- The walker ------------------------------------------------------------------------------


def is_datetime(value) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


PRIMITIVES = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "\\DateTime": lambda v: isinstance(v, str) and is_datetime(v),
}


class Reader:
    """Reads a JSON answer as the client would, collecting every refusal (with its path)
    and the models it met.

    `expanded` is how many levels of related objects must be expanded: 1 for an answer to
    `?expanded=1` (the object's own related objects stay links), else 0.
    """

    def __init__(self):
        self.refusals: list[str] = []
        self.models_seen: set[str] = set()

    def refuse(self, path: str, why: str) -> None:
        self.refusals.append(f"{path}: {why}")

    def read(self, value, client_type: str, path: str, *, expanded: int, field=None) -> None:
        if value is None:
            return  # the client accepts null for every field
        if client_type.endswith("[]"):
            if not isinstance(value, list):
                self.refuse(path, f"{client_type} must be a list, not {value!r}")
                return
            for n, element in enumerate(value):
                self.read(element, client_type[:-2], f"{path}[{n}]", expanded=expanded)
            return
        if client_type in PRIMITIVES:
            if not PRIMITIVES[client_type](value):
                self.refuse(path, f"{client_type} expected, got {value!r}")
            elif field in CLIENT_LENGTHS:
                low, high = CLIENT_LENGTHS[field]
                if not low <= len(value) <= high:
                    self.refuse(path, f"length {len(value)} refused (must be {low}..{high})")
            elif field in CLIENT_ENUMS and value not in CLIENT_ENUMS[field]:
                self.refuse(path, f"{value!r} is not one of {CLIENT_ENUMS[field]}")
            return
        if field == ARTICLE_ID:
            if not PRIMITIVES["int"](value):
                self.refuse(path, f"our article id must be an int, got {value!r}")
            return
        if related := RELATED.fullmatch(client_type):
            model = related.group(1)
            if expanded > 0:
                if isinstance(value, dict) and set(value) == {"id", "api_link"}:
                    self.refuse(path, f"expanded {model} expected, got a link")
                self.read_model(value, model, path, expanded=expanded - 1)
            else:
                self.read_model(value, LINK, path, expanded=0)
            return
        self.read_model(value, client_type, path, expanded=expanded)

    def read_model(self, value, model: str, path: str, *, expanded: int) -> None:
        if model in UNDESCRIBED:
            self.refuse(path, f"{model} is not described in sdk-models.md; we send null")
            return
        if not isinstance(value, dict):
            self.refuse(path, f"{model} must be an object, got {value!r}")
            return
        self.models_seen.add(model)
        for name, client_type in CLIENT_TYPES[model].items():
            if name not in value:
                # The client would read null; our shapes carry every field of its model.
                self.refuse(f"{path}.{name}", f"missing from {model}")
                continue
            self.read(
                value[name],
                client_type,
                f"{path}.{name}",
                expanded=expanded,
                field=(model, name),
            )


def refusals(body, model: str, *, expanded: int = 0) -> list[str]:
    reader = Reader()
    reader.read_model(body, model, "$", expanded=expanded)
    return reader.refusals


# --- The walker refuses what the client refuses ----------------------------------------------


def test_the_reader_refuses_what_the_client_refuses():
    link = {"id": 1, "api_link": "http://x/System/Channels/1"}
    cases = [
        ({"delivery_state_code": ""}, "OrderModel", 0, "delivery_state_code: length 0"),
        ({"delivery_state_code": "CZE"}, "OrderModel", 0, "delivery_state_code: length 3"),
        ({"order_currency_code": "EU"}, "OrderModel", 0, "order_currency_code: length 2"),
        ({"type": "shop"}, "ChannelModel", 0, "type: 'shop' is not one of"),
        ({"id": "7"}, "OrderModel", 0, "id: int expected"),
        ({"sent": 1}, "OrderModel", 0, "sent: bool expected"),
        ({"money": "12.10"}, "OrderModel", 0, "money: float expected"),
        ({"date_order": "yesterday"}, "OrderModel", 0, "date_order: \\DateTime expected"),
        ({"items": {}}, "OrderModel", 0, "items: OrderModelItems[] must be a list"),
        ({"channel": link}, "OrderModel", 1, "channel: expanded ChannelModel expected"),
        ({"channel": {"id": 1, "name": "Shop"}}, "OrderModel", 0, "channel.api_link: missing"),
        ({"domain": "shop.example"}, "ChannelModel", 0, "domain: NonExpandedModel must be an"),
        ({"paginator": [1]}, "OrdersModel", 0, "paginator: PaginatorModel must be an object"),
    ]
    for fields, model, expanded, expected in cases:
        body = {name: None for name in CLIENT_TYPES[model]} | fields
        found = refusals(body, model, expanded=expanded)
        assert any(expected in refusal for refusal in found), (fields, found)
    # ... and reads null, a float given as an int, and an ISO 8601 date or date-time.
    fine = {name: None for name in CLIENT_TYPES["OrderModel"]} | {
        "money": 12,
        "date_order": "2019-12-01T08:15:30+01:00",
        "date_maturity": "2019-12-15",
        "delivery_state_code": "CZ",
    }
    assert refusals(fine, "OrderModel") == []


# --- The copy of the rules is the file's ------------------------------------------------------

SDK_MODELS_FILES = [
    Path("/work/shared/sdk-models.md"),
    Path(settings.BASE_DIR).parent / "shared" / "sdk-models.md",
]


def parse_sdk_models(text: str) -> tuple[dict, dict, dict]:
    """(types, lengths, enum value sets) of every model section of sdk-models.md."""
    types, lengths, enums = {}, {}, {}
    model = None
    for line in text.splitlines():
        if heading := re.fullmatch(r"## (\w+)", line.strip()):
            model = heading.group(1)
            types[model] = {}
        elif model and (row := re.fullmatch(r"\| (\w+) \| (\S+) \| (.*)\|", line.strip())):
            name, client_type, check = row.groups()
            if name == "wire":
                continue
            types[model][name] = client_type
            if check.strip():
                high = re.search(r"len\(v\) > (\d+)", check)
                low = re.search(r"len\(v\) < (\d+)", check)
                assert high, f"unknown check in {model}.{name}: {check}"
                assert low, f"unknown check in {model}.{name}: {check}"
                lengths[(model, name)] = (int(low.group(1)), int(high.group(1)))
        elif model and line.startswith("enum values:"):
            enums[model] = tuple(v.strip() for v in line.split(":", 1)[1].split(","))
    return types, lengths, enums


def test_the_rules_here_are_the_rules_of_sdk_models_md():
    path = next((p for p in SDK_MODELS_FILES if p.is_file()), None)
    if path is None:
        pytest.skip("sdk-models.md is not at hand (expected beside the clone as ../shared)")
    types, lengths, enums = parse_sdk_models(path.read_text(encoding="utf-8"))
    answers = {m: t for m, t in types.items() if not re.search(r"Request(Record)?$", m)}
    assert answers == CLIENT_TYPES
    assert lengths == CLIENT_LENGTHS
    assert {m: v for m, v in enums.items() if m in CLIENT_TYPES} == {
        model: values for (model, _), values in CLIENT_ENUMS.items()
    }


# --- Real answers -----------------------------------------------------------------------------


@pytest.fixture
def world(api):
    """Rows for every answer: full ones and bare ones (blank fields, no relations)."""
    actor = Actor.for_command("tests")
    company = CompanyFactory(bank_account="CZ65 0800 0000 1920 0014 5399")
    channel = ChannelFactory(currency_code="CZK", company=company)
    shipper, bare_shipper = ShipperFactory(), ShipperFactory(tracking_url_template="")
    shipping = ShippingMethodFactory(channel=channel, shipper=shipper)
    payment = PaymentMethodFactory(channel=channel, price=Decimal("25"))
    status = OrderStatusFactory()
    full = services.order_create(
        actor=actor,
        channel_id=channel.pk,
        shipping_id=shipping.pk,
        payment_id=payment.pk,
        email="jana@mail.example",
        name="Jana Nováková",
        state_code="CZ",
        delivery_state_code="CZ",
        ip="192.0.2.1",
        items=[
            services.ItemData(
                name="Mug",
                count=2,
                vat=Decimal("21"),
                final_price=Decimal("249"),
                article_id=77,
                original_final_price=Decimal("299"),
            ),
            services.ItemData(name="Tea", count=1, vat=Decimal("12"), base_price=Decimal("100")),
        ],
    )
    TrackingFactory(order=full, shipper=shipper)
    TrackingFactory(order=full, shipper=bare_shipper)  # no template: tracking_url null
    services.order_status_assign(order_id=full.pk, status_id=status.pk, actor=actor)
    # Fee and discount lines (negative prices) are items the client reads too.
    services.order_discount_set(
        order_id=full.pk, actor=actor, type="percent", value=Decimal("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=full.pk, actor=actor)
    assert set(full.items.values_list("kind", flat=True)) == {
        "product",
        "shipping",
        "payment",
        "discount",
    }
    services.order_mark_sent(order_id=full.pk, actor=actor)

    # The case: an order created through the API without a delivery country.
    created = api.post("/System/Orders", {"email": "bare@mail.example"}, format="json")
    assert created.status_code == 200
    bare = Order.objects.get(pk=created.json()["id"])
    assert bare.delivery_state_code == ""

    bare_company = CompanyFactory(state_code="", company_vat="", bank_account="")
    bare_channel = ChannelFactory(company=None, domain="")
    bare_customer = CustomerFactory(name="Cher", email="", phone="", city="", state_code="")
    broken = OrderFactory(
        channel=bare_channel,
        company=bare_company,
        customer=bare_customer,
        shipping=ShippingMethodFactory(channel=None, shipper=None),
        payment=PaymentMethodFactory(channel=None),
        state_code="c",
        delivery_state_code="C",  # one letter: the input allows up to two
    )
    return {
        "full": full.pk,
        "bare": bare.pk,
        "broken": broken.pk,
        "customer": full.customer_id,
        "bare_customer": bare_customer.pk,
        "company": company.pk,
        "bare_company": bare_company.pk,
        "channel": channel.pk,
        "bare_channel": bare_channel.pk,
        "shipping": shipping.pk,
        "bare_shipping": broken.shipping_id,
        "payment": payment.pk,
        "bare_payment": broken.payment_id,
        "shipper": shipper.pk,
        "bare_shipper": bare_shipper.pk,
        "status": status.pk,
    }


# (id, client, method, path, query or body, status, answer model, expanded levels)
ANSWERS = [
    ("orders", "api", "get", "/System/Orders", {}, 200, "OrdersModel", 0),
    ("orders_expanded", "api", "get", "/System/Orders", {"expanded": 1}, 200, "OrdersModel", 1),
    ("orders_empty", "api", "get", "/System/Orders", {"done": 1}, 200, "OrdersModel", 0),
    ("orders_past_end", "api", "get", "/System/Orders", {"page": 9}, 200, "OrdersModel", 0),
    ("orders_walk", "api", "get", "/System/Orders", {"after": "start"}, 200, "OrdersModel", 0),
    *[
        (f"order_{row}{'_expanded' * e}", "api", "get", f"/System/Orders/{{{row}}}",
         {"expanded": e}, 200, "OrderModel", e)
        for row in ("full", "bare", "broken")
        for e in (0, 1)
    ],
    ("statuses", "api", "get", "/System/Orders/Statuses", {}, 200, "OrderStatusesModel", 0),
    ("people", "api", "get", "/System/People", {}, 200, "UsersModel", 0),
    ("people_of_channel", "api", "get", "/System/People", {"channel_id": "{channel}"}, 200,
     "UsersModel", 0),
    *[
        (f"person_{row}{'_expanded' * e}", "api", "get", f"/System/People/{{{row}}}",
         {"expanded": e}, 200, "UserModel", e)
        for row in ("customer", "bare_customer")
        for e in (0, 1)
    ],
    ("person_orders", "api", "get", "/System/People/{customer}/Orders", {}, 200, "OrdersModel",
     0),
    ("person_orders_expanded", "api", "get", "/System/People/{customer}/Orders",
     {"expanded": 1, "done": 0, "from": "2000-01-01"}, 200, "OrdersModel", 1),
    ("person_orders_empty", "api", "get", "/System/People/{bare_customer}/Orders",
     {"canceled": 1}, 200, "OrdersModel", 0),
    ("companies", "api", "get", "/System/Companies", {}, 200, "CompaniesModel", 0),
    *[
        (f"company_{row}", "api", "get", f"/System/Companies/{{{row}}}", {}, 200,
         "CompanyModel", 0)
        for row in ("company", "bare_company")
    ],
    *[
        (f"channels{'_expanded' * e}", "api", "get", "/System/Channels", {"expanded": e}, 200,
         "ChannelsModel", e)
        for e in (0, 1)
    ],
    *[
        (f"channel_{row}{'_expanded' * e}", "api", "get", f"/System/Channels/{{{row}}}",
         {"expanded": e}, 200, "ChannelModel", e)
        for row in ("channel", "bare_channel")
        for e in (0, 1)
    ],
    ("channels_empty", "api", "get", "/System/Channels", {"active": 0}, 200, "ChannelsModel", 0),
    *[
        (f"shippings{'_expanded' * e}", "api", "get", "/System/Channels/Shippings",
         {"expanded": e}, 200, "ShippingsModel", e)
        for e in (0, 1)
    ],
    *[
        (f"shipping_{row}{'_expanded' * e}", "api", "get",
         f"/System/Channels/Shippings/{{{row}}}", {"expanded": e}, 200, "ShippingModel", e)
        for row in ("shipping", "bare_shipping")
        for e in (0, 1)
    ],
    *[
        (f"payments{'_expanded' * e}", "api", "get", "/System/Channels/Payments",
         {"expanded": e}, 200, "PaymentsModel", e)
        for e in (0, 1)
    ],
    *[
        (f"payment_{row}{'_expanded' * e}", "api", "get",
         f"/System/Channels/Payments/{{{row}}}", {"expanded": e}, 200, "PaymentModel", e)
        for row in ("payment", "bare_payment")
        for e in (0, 1)
    ],
    ("shippers", "api", "get", "/System/Lists/Shippers", {}, 200, "ShippersModel", 0),
    *[
        (f"shipper_{row}", "api", "get", f"/System/Lists/Shippers/{{{row}}}", {}, 200,
         "ShipperModel", 0)
        for row in ("shipper", "bare_shipper")
    ],
    # Writes answer an IdModel or the Order.
    ("create", "api", "post", "/System/Orders", {"email": "c@mail.example"}, 200, "IdModel", 0),
    ("tracking", "api", "post", "/System/Orders/{bare}/tracking",
     {"shipper_id": "{shipper}", "tracking_number": "T-1"}, 200, "IdModel", 0),
    ("status", "api", "patch", "/System/Orders/{bare}/status", {"status_id": "{status}"}, 200,
     "OrderModel", 0),
    ("paid", "api", "patch", "/System/Orders/{broken}/paid", {"paid": 0}, 200, "OrderModel", 0),
    ("delivered", "api", "patch", "/System/Orders/{full}/delivered", None, 200, "OrderModel",
     0),
    # Errors.
    ("bad_page", "api", "get", "/System/Orders", {"per_page": 1}, 400, "ErrorModel", 0),
    ("unknown_channel", "api", "get", "/System/People", {"channel_id": 999999}, 400,
     "ErrorModel", 0),
    ("bad_type", "api", "get", "/System/Channels", {"type": "shop"}, 400, "ErrorModel", 0),
    ("bad_body", "api", "post", "/System/Orders", {"x": 1}, 400, "ErrorModel", 0),
    ("no_key", "anonymous", "get", "/System/People", {}, 401, "ErrorModel", 0),
    ("read_only", "read_only_api", "post", "/System/Orders", {}, 403, "ErrorModel", 0),
    ("no_order", "api", "get", "/System/Orders/999999", {}, 404, "ErrorModel", 0),
    ("no_person", "api", "get", "/System/People/999999/Orders", {}, 404, "ErrorModel", 0),
    ("no_channel", "api", "get", "/System/Channels/999999", {}, 404, "ErrorModel", 0),
    ("no_path", "api", "get", "/System/Nowhere", {}, 404, "ErrorModel", 0),
    ("no_method", "api", "delete", "/System/People", None, 405, "ErrorModel", 0),
    ("not_allowed", "api", "patch", "/System/Orders/{bare}/delivered", None, 409, "ErrorModel",
     0),
]  # fmt: skip


def fill(value, rows: dict):
    """Put the world's ids into a path, a query or a body ("{full}" -> 12)."""
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return rows[value[1:-1]]
    if isinstance(value, str):
        return value.format(**rows)
    if isinstance(value, dict):
        return {k: fill(v, rows) for k, v in value.items()}
    return value


def fetch(request, rows, client, method, path, data):
    client = request.getfixturevalue(client)
    path, data = fill(path, rows), fill(data, rows)
    if method == "get":
        return client.get(path, data)
    return getattr(client, method)(path, data, format="json")


@pytest.mark.parametrize(
    ("client", "method", "path", "data", "status", "model", "expanded"),
    [answer[1:] for answer in ANSWERS],
    ids=[answer[0] for answer in ANSWERS],
)
def test_the_client_reads_the_answer(
    request, world, client, method, path, data, status, model, expanded
):
    response = fetch(request, world, client, method, path, data)
    assert response.status_code == status, response.content
    assert refusals(response.json(), model, expanded=expanded) == []


def test_every_answer_model_is_met(request, world):
    """The answers above reach every model of the client's that we send (expanded and as
    links), with lists that are not empty."""
    reader = Reader()
    for _, client, method, path, data, _status, model, expanded in ANSWERS:
        body = fetch(request, world, client, method, path, data).json()
        reader.read_model(body, model, "$", expanded=expanded)
    assert reader.refusals == []
    assert reader.models_seen == set(CLIENT_TYPES) - NEVER_SENT


def test_codes_we_do_not_know_are_null_and_known_ones_are_sent(api, world):
    bare = api.get(f"/System/Orders/{world['bare']}").json()
    broken = api.get(f"/System/Orders/{world['broken']}").json()
    full = api.get(f"/System/Orders/{world['full']}").json()
    assert bare["delivery_state_code"] is None
    assert broken["delivery_state_code"] is None
    assert broken["state_code"] is None
    assert full["delivery_state_code"] == "CZ"
    assert (full["main_currency_code"], full["order_currency_code"]) == (
        settings.MAIN_CURRENCY,
        "CZK",
    )
    # ... and the list page holding the bare order is readable as a whole.
    page = api.get("/System/Orders", {"per_page": 250}).json()
    assert world["bare"] in [order["id"] for order in page["orders"]]
    assert refusals(page, "OrdersModel") == []
