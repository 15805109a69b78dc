"""The OpenAPI description tells the truth: real answers validate against the schema
drf-spectacular generates for their operation and status (extra keys fail too)."""

import copy
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.factories import (
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    TrackingFactory,
    delivered_parcel,
)


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def to_json_schema(node):
    """OpenAPI 3.0 -> JSON Schema: `nullable` becomes a null alternative, boolean exclusive
    bounds become numbers, and objects with listed properties refuse unlisted keys."""
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: to_json_schema(v) for k, v in node.items()}
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(bound) is True:
            node[bound] = node.pop(limit)
        elif node.get(bound) is False:
            del node[bound]
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


# jsonschema checks "uri" and "email" only with optional packages; these stand in, so a
# blank "" under a declared format fails as a client's validator would fail it.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def is_absolute_uri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or bool(parts.scheme and parts.netloc)


@FORMATS.checks("email")
def is_email(value) -> bool:
    return not isinstance(value, str) or "@" in value


def validate(openapi, response, path: str, method: str):
    operation = openapi["paths"][path][method]
    schema = operation["responses"][str(response.status_code)]["content"]["application/json"]
    document = to_json_schema(copy.deepcopy({"components": openapi["components"]}))
    jsonschema.validate(response.json(), {**schema["schema"], **document}, format_checker=FORMATS)


@pytest.fixture
def order(db):
    item = OrderItemFactory(original_price_base=1, original_price_final=1.21)
    order = item.order
    order.status = OrderStatusFactory()
    order.shipping, order.payment = ShippingMethodFactory(), PaymentMethodFactory()
    order.save()
    TrackingFactory(order=order)
    return order


def test_schema_has_the_token_security_scheme_and_the_routes_once(openapi):
    assert openapi["components"]["securitySchemes"]["token"] == {
        "type": "apiKey",
        "in": "header",
        "name": "token",
        "description": openapi["components"]["securitySchemes"]["token"]["description"],
    }
    assert "/System/Orders/{order_id}/paid" in openapi["paths"]
    assert not [path for path in openapi["paths"] if path.startswith("/v1")]


def test_the_console_offers_the_token_first_then_the_staff_session(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert list(schemes) == ["token", "staffSession"]
    assert "need no key in this console" in schemes["staffSession"]["description"]


def test_orders_are_the_first_group(openapi):
    assert openapi["tags"][0]["name"] == "Orders"
    used = {tag for operations in openapi["paths"].values() for o in operations.values()
            for tag in o["tags"]}  # fmt: skip
    assert used <= {tag["name"] for tag in openapi["tags"]}  # every group listed, in order


def test_summaries_read_as_english(openapi):
    summaries = {
        (method.upper(), path): operation["summary"]
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
    }
    assert summaries[("GET", "/System/Channels/{id}")] == "Read one channel"
    assert summaries[("GET", "/System/Channels/Shippings")] == "List ways of shipping"
    assert summaries[("GET", "/System/People/{id}")] == "Read one person"
    assert summaries[("PATCH", "/System/Orders/{order_id}/cancel")] == "Cancel the order"
    for summary in summaries.values():
        assert not summary.startswith(("Read one of", "List one of")), summary
        assert summary[-1] not in ".,;:", summary  # a title, not a cut-off sentence


@pytest.mark.parametrize("expanded", ["0", "1"])
def test_detail_and_list_match_the_schema(api, openapi, order, expanded):
    validate(
        openapi,
        api.get(f"/System/Orders/{order.pk}", {"expanded": expanded}),
        "/System/Orders/{order_id}",
        "get",
    )
    validate(openapi, api.get("/System/Orders", {"expanded": expanded}), "/System/Orders", "get")
    walked = api.get("/System/Orders", {"after": "start", "expanded": expanded})
    assert walked.json()["next_cursor"]
    validate(openapi, walked, "/System/Orders", "get")


def test_other_answers_match_the_schema(api, openapi, order):
    validate(openapi, api.get("/System/Orders/Statuses"), "/System/Orders/Statuses", "get")
    validate(
        openapi,
        api.get(f"/System/Orders/{order.pk}/history"),
        "/System/Orders/{order_id}/history",
        "get",
    )
    created = api.post("/System/Orders", {"email": "a@mail.example"}, format="json")
    validate(openapi, created, "/System/Orders", "post")
    paid = api.patch(f"/System/Orders/{order.pk}/paid", {}, format="json")
    validate(openapi, paid, "/System/Orders/{order_id}/paid", "patch")
    validate(
        openapi,
        api.get(f"/System/Channels/Shippings/{order.shipping_id}"),
        "/System/Channels/Shippings/{id}",
        "get",
    )


def test_errors_match_the_schema(api, anonymous, openapi, order):
    cases = [
        (api.get("/System/Orders", {"per_page": 1}), "/System/Orders", "get", 400),
        (anonymous.get("/System/Orders"), "/System/Orders", "get", 401),
        (api.get("/System/Orders/987654"), "/System/Orders/{order_id}", "get", 404),
        (
            api.patch(f"/System/Orders/{order.pk}/delivered"),
            "/System/Orders/{order_id}/delivered",
            "patch",
            409,
        ),
        (api.post("/System/Orders", {"x": 1}, format="json"), "/System/Orders", "post", 400),
    ]
    for response, path, method, status in cases:
        assert response.status_code == status
        validate(openapi, response, path, method)


def test_docs_page_and_schema_are_served(anonymous, db):
    page = anonymous.get("/System/docs")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    schema = anonymous.get("/System/schema", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["components"]["securitySchemes"]["token"]["name"] == "token"


def test_money_answers_match_the_schema(api, openapi, order):
    """Fees, the discount, the ledger and refunds (ours): answers and refusals."""
    base = f"/System/Orders/{order.pk}"
    path = "/System/Orders/{order_id}"
    discount = {"type": "percent", "value": 10, "reason": "Loyal"}
    answers = [
        (api.patch(f"{base}/shipping", {"shipping_id": order.shipping_id}, format="json"),
         "/shipping", "patch", 200),
        (api.patch(f"{base}/payment", {"payment_id": None}, format="json"),
         "/payment", "patch", 200),
        (api.put(f"{base}/discount", discount, format="json"), "/discount", "put", 200),
        (api.post(f"{base}/refunds", {"reason": "x", "amount": 1}, format="json"),
         "/refunds", "post", 409),  # nothing paid yet
        (api.patch(f"{base}/paid", {"paid": 15}, format="json"), "/paid", "patch", 200),
        (api.post(f"{base}/refunds", {"reason": "x", "amount": 99}, format="json"),
         "/refunds", "post", 400),
        (api.post(f"{base}/refunds", {"reason": "x", "lines": [
            {"item_id": order.items.filter(kind="product").first().pk, "count": 1}
        ], "amount": 0.5}, format="json"), "/refunds", "post", 200),
        (api.get(f"{base}/payments"), "/payments", "get", 200),
        (api.get(f"{base}/refunds"), "/refunds", "get", 200),
        (api.get(f"{base}/refunds", {"page": 0}), "/refunds", "get", 400),
        (api.delete(f"{base}/discount"), "/discount", "delete", 200),
        (api.get(base), "", "get", 200),
    ]  # fmt: skip
    for response, suffix, method, status in answers:
        assert response.status_code == status, (suffix, method, response.json())
        validate(openapi, response, path + suffix, method)
    refunds = api.get(f"{base}/refunds").json()["refunds"]
    assert refunds[0]["lines"], "a refund with a line was validated"


def test_the_schema_generates_without_warnings(db):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


def test_shipment_answers_match_the_schema(api, anonymous, openapi, order):
    """Parcels (ours): answers and refusals of every operation."""
    base = f"/System/Orders/{order.pk}/shipments"
    path = "/System/Orders/{order_id}/shipments"
    one = path + "/{shipment_id}"
    product = order.items.filter(kind="product").first()
    tracking = {"shipper_id": order.trackings.first().shipper_id, "tracking_number": "S-1"}
    packed = api.post(base, {"lines": [{"item_id": product.pk, "count": 1}], **tracking},
                      format="json")  # fmt: skip
    parcel = packed.json()["id"]
    answers = [
        (packed, path, "post", 200),
        (api.post(base, {}, format="json"), path, "post", 409),  # nothing waits
        (api.post(base, {"lines": []}, format="json"), path, "post", 400),
        (api.get(base), path, "get", 200),
        (api.get(base, {"page": 0}), path, "get", 400),
        (anonymous.get(base), path, "get", 401),
        (api.get(f"{base}/{parcel}"), one, "get", 200),
        (api.get(f"{base}/987654"), one, "get", 404),
        (api.patch(f"{base}/{parcel}/delivered"), one + "/delivered", "patch", 409),
        (api.patch(f"{base}/{parcel}/sent"), one + "/sent", "patch", 200),
        (api.delete(f"{base}/{parcel}"), one, "delete", 409),
        (api.patch(f"{base}/{parcel}/returned"), one + "/returned", "patch", 200),
    ]
    for response, operation, method, status in answers:
        assert response.status_code == status, (operation, method, response.json())
        validate(openapi, response, operation, method)
    assert api.get(base).json()["shipments"][0]["tracking_url"], "a tracked parcel was read"
    again = api.post(base, {}, format="json")  # the returned units wait again
    validate(openapi, again, path, "post")
    validate(openapi, api.delete(f"{base}/{again.json()['id']}"), one, "delete")


def test_returns_answers_match_the_schema(api, openapi, order):
    """Returns (ours): each answer and refusal, and a refund that names its return."""
    item = order.items.get()
    delivered_parcel(order, [(item, 1)])
    base = f"/System/Orders/{order.pk}/returns"
    path = "/System/Orders/{order_id}/returns"
    body = {"reason": "Too small", "lines": [{"item_id": item.pk, "count": 1}]}
    created = api.post(base, body, format="json")
    one = f"{base}/{created.json()['id']}"
    answers = [
        (created, "", "post", 200),
        (api.post(base, body, format="json"), "", "post", 400),  # nothing left to return
        (api.post(base, {"reason": "x"}, format="json"), "", "post", 400),
        (api.post(f"{one}/refund", {}, format="json"), "/{return_id}/refund", "post", 409),
        (api.patch(f"{one}/received"), "/{return_id}/received", "patch", 200),
        # nothing paid yet, then paid
        (api.post(f"{one}/refund", {}, format="json"), "/{return_id}/refund", "post", 409),
        (api.patch(f"/System/Orders/{order.pk}/paid", {"paid": 20}, format="json"),
         None, None, 200),
        (api.post(f"{one}/refund", {}, format="json"), "/{return_id}/refund", "post", 200),
        (api.patch(f"{one}/rejected"), "/{return_id}/rejected", "patch", 409),
        (api.get(one), "/{return_id}", "get", 200),
        (api.get(f"{base}/987654"), "/{return_id}", "get", 404),
        (api.get(base), "", "get", 200),
        (api.get(base, {"page": 0}), "", "get", 400),
        (api.get(f"/System/Orders/{order.pk}/refunds"), None, None, 200),
    ]  # fmt: skip
    for response, suffix, method, status in answers:
        assert response.status_code == status, (suffix, method, response.json())
        if suffix is not None:
            validate(openapi, response, path + suffix, method)
    validate(openapi, answers[-1][0], "/System/Orders/{order_id}/refunds", "get")
    assert answers[-1][0].json()["refunds"][0]["return_id"] == created.json()["id"]
    assert api.get(one).json()["refund_amount"] is not None, "a refunded return was validated"
