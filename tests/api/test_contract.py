"""The exact wire keys of the contract's models: an integration generated from the
Retailys OpenAPI finds every field it knows, under the same name."""

from decimal import Decimal

import pytest

from tests.factories import (
    OrderItemFactory,
    OrderStatusFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    TrackingFactory,
)

pytestmark = pytest.mark.django_db

ORDER_KEYS = {
    "id", "customer", "company", "channel", "date_order", "date_maturity", "email", "phone",
    "name", "street", "city", "zip", "state_code", "company_nr", "company_vat",
    "delivery_email", "delivery_phone", "delivery_name", "delivery_street", "delivery_city",
    "delivery_zip", "delivery_state_code", "note", "our_note", "hash", "main_currency_code",
    "order_currency_code", "currency_rate", "money", "paid", "date_paid", "items", "weight",
    "shipping", "payment", "trackings", "sent", "delivered", "done", "canceled", "order_url",
    "invoice_url", "ip", "external_order_prefix", "external_order_id", "external_payment_id",
    "external_payment_url",
    "status", "refunded", "payment_state", "discount",  # ours
}  # fmt: skip
ITEM_KEYS = {
    "id", "article", "code", "name", "count", "ordered", "waiting_count", "note", "price",
    "price_original",
    "kind",  # ours
}  # fmt: skip
PRICE_KEYS = {
    "base_price", "base_price_word", "final_price", "final_price_word", "vat", "vat_value",
    "vat_value_word", "currency",
}  # fmt: skip
TRACKING_KEYS = {"shipper_id", "tracking_number", "tracking_url"}
PAGINATOR_KEYS = {"page", "per_page", "pages", "total"}
STATUS_KEYS = {"id", "name", "icon", "color", "sort", "complete_order", "cancel_order"}
RELATED_KEYS = {"id", "api_link"}


@pytest.fixture
def full_order():
    item = OrderItemFactory(original_price_base=Decimal("1"), original_price_final=Decimal("1.21"))
    order = item.order
    order.status = OrderStatusFactory()
    order.shipping, order.payment = ShippingMethodFactory(), PaymentMethodFactory()
    order.save()
    TrackingFactory(order=order)
    return order


def test_order_item_price_tracking_status_keys(api, full_order):
    body = api.get(f"/System/Orders/{full_order.pk}").json()
    assert set(body) == ORDER_KEYS
    assert set(body["items"][0]) == ITEM_KEYS
    assert set(body["items"][0]["price"]) == PRICE_KEYS
    assert set(body["items"][0]["price_original"]) == PRICE_KEYS
    assert set(body["trackings"][0]) == TRACKING_KEYS
    assert set(body["status"]) == STATUS_KEYS
    for relation in ("customer", "company", "channel", "shipping", "payment"):
        assert set(body[relation]) == RELATED_KEYS


def test_json_types_of_money_and_flags(api, full_order):
    body = api.get(f"/System/Orders/{full_order.pk}").json()
    for field in ("money", "paid", "weight", "currency_rate"):
        assert isinstance(body[field], int | float), field
    for field in ("sent", "delivered", "done", "canceled"):
        assert isinstance(body[field], bool)
    assert isinstance(body["items"][0]["price"]["final_price"], float)


def test_orders_statuses_paginator_keys(api, full_order):
    orders = api.get("/System/Orders").json()
    assert set(orders) == {"paginator", "orders"}
    assert set(orders["paginator"]) == PAGINATOR_KEYS
    assert set(orders["orders"][0]) == ORDER_KEYS
    statuses = api.get("/System/Orders/Statuses").json()
    assert set(statuses) == {"paginator", "statuses"}
    assert set(statuses["statuses"][0]) == STATUS_KEYS


def test_id_model_keys(api, full_order):
    body = {"type": "note", "record": {"name": "x"}}
    assert set(api.post(f"/System/Orders/{full_order.pk}/history", body, format="json").json()) == {
        "id"
    }


def test_error_model_keys(api, anonymous, full_order):
    assert set(anonymous.get("/System/Orders").json()) == {"message", "detail"}
    assert set(api.get("/System/Orders/999999").json()) == {"message", "detail"}
    assert set(api.get("/System/Orders", {"page": 0}).json()) == {"message", "detail", "errors"}
    conflict = api.patch(f"/System/Orders/{full_order.pk}/delivered")
    assert conflict.status_code == 409
    assert set(conflict.json()) == {"message", "detail"}
