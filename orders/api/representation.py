"""The Order answer (OrderSerializer's output) by plain functions.

DRF builds a serializer's fields for every request (about 4 ms for an Order with its
nested serializers) and walks them for every row: per value a source lookup, a None
check and a field call, so a page of 100 orders took some 60,000 attribute lookups.
Here the fields are built once (`fields()`), and an order is written key by key in
the order of OrderSerializer.Meta.fields, each value converted by the very field DRF
would use (decimals, dates) or by what that field does (str, int, a choice's key).

tests/api/test_representation.py checks the answer equals DRF's own walk of the fields
(`Serializer.to_representation`), key order and types included, for every kind of order.
A field added to OrderSerializer must be added here too: that test names it.
"""

from decimal import Decimal, getcontext
from functools import cache

from rest_framework import ISO_8601
from rest_framework.settings import api_settings

from orders.language import order_language
from orders.models import OrderDiscount

from .links import context_links
from .serializers import (
    ItemSerializer,
    OrderDiscountSerializer,
    OrderSerializer,
    iso_code,
    price,
    related,
)

RELATIONS = ("customer", "company", "channel", "shipping", "payment")


@cache
def fields() -> dict[str, dict]:
    """The fields of the Order answer's serializers, built once: serializer -> name ->
    field. Only fields that keep no per-request state are called."""
    serializers = {
        "order": OrderSerializer,
        "item": ItemSerializer,
        "discount": OrderDiscountSerializer,
    }
    return {key: dict(serializer().fields) for key, serializer in serializers.items()}


@cache
def decimal_writer(serializer: str, name: str):
    """DecimalField.to_representation of one field, its quantum and decimal context made
    once instead of per value (DRF copies the thread's context and raises 0.1 to the
    places for each amount: a fifth of a page's serializing). The context is the one in
    force when first used; nothing in this app changes the decimal context. A field DRF
    would write otherwise (as a string, normalized, without places) is left to DRF."""
    field = fields()[serializer][name]
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if coerce or field.decimal_places is None or field.normalize_output:
        return field.to_representation
    quantum = Decimal(".1") ** field.decimal_places
    context = getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    rounding = field.rounding

    def write(value):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            return field.to_representation(value)
        return value.quantize(quantum, rounding=rounding, context=context)

    return write


@cache
def choice_keys(serializer: str, name: str) -> dict:
    """ChoiceField.to_representation's table: str(value) -> the choice's key."""
    return fields()[serializer][name].choice_strings_to_values


def choice(keys: dict, value):
    """ChoiceField.to_representation (value is not None)."""
    if value == "":
        return value
    return keys.get(str(value), value)


def moment_writer(serializer: OrderSerializer):
    """The answer's DateTimeField.to_representation, with the time zone looked up once per
    list of orders (DRF asks the context-local active time zone for each value: a fifth of
    a page's serializing). An aware datetime is written as DRF writes it in ISO 8601;
    anything else, and any other format, is left to DRF."""
    writer = serializer.__dict__.get("_moment_writer")
    if writer is not None:
        return writer
    field = fields()["order"]["date_order"]
    zone = field.default_timezone()
    iso = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if zone is None or iso is None or iso.lower() != ISO_8601 or hasattr(field, "timezone"):
        writer = field.to_representation
    else:

        def writer(value):
            if not value or value.tzinfo is None:
                return field.to_representation(value)
            try:
                text = value.astimezone(zone).isoformat()
            except OverflowError:
                return field.to_representation(value)  # DRF's error
            return text[:-6] + "Z" if text.endswith("+00:00") else text

    serializer.__dict__["_moment_writer"] = writer
    return writer


def order_representation(serializer: OrderSerializer, order) -> dict:
    """OrderSerializer(...).to_representation(order); expects an order from
    `selectors.orders_with_details()` (no further queries)."""
    context = serializer.context
    field = fields()["order"]
    money, date_time = decimal_writer("order", "money"), moment_writer(serializer)
    links = context_links(context)
    if context.get("expanded"):
        linked = {name: related(serializer, name, order, name) for name in RELATIONS}
    else:
        linked = {}
        for name in RELATIONS:
            pk = getattr(order, f"{name}_id")
            linked[name] = None if pk is None else {"id": pk, "api_link": links.api(name, pk)}
    currency = order.order_currency_code
    language = order_language(order)  # the *_word amounts are written in it
    date_paid, ip = order.date_paid, order.ip
    order_hash = order.hash
    return {
        "id": int(order.id),
        "customer": linked["customer"],
        "company": linked["company"],
        "channel": linked["channel"],
        "date_order": date_time(order.date_order),
        "date_maturity": field["date_maturity"].to_representation(order.date_maturity),
        "email": str(order.email),
        "phone": str(order.phone),
        "name": str(order.name),
        "street": str(order.street),
        "city": str(order.city),
        "zip": str(order.zip),
        "state_code": iso_code(order.state_code, 2),
        "company_nr": str(order.company_nr),
        "company_vat": str(order.company_vat),
        "delivery_email": str(order.delivery_email),
        "delivery_phone": str(order.delivery_phone),
        "delivery_name": str(order.delivery_name),
        "delivery_street": str(order.delivery_street),
        "delivery_city": str(order.delivery_city),
        "delivery_zip": str(order.delivery_zip),
        "delivery_state_code": iso_code(order.delivery_state_code, 2),
        "note": str(order.note),
        "our_note": str(order.our_note),
        "hash": str(order_hash),
        "main_currency_code": iso_code(order.main_currency_code, 3),
        "order_currency_code": iso_code(currency, 3),
        "currency_rate": decimal_writer("order", "currency_rate")(order.currency_rate),
        "money": money(order.money),
        "paid": money(order.paid),
        "date_paid": None if date_paid is None else date_time(date_paid),
        "items": [item_representation(item, currency, language) for item in order.items.all()],
        "weight": decimal_writer("order", "weight")(order.weight),
        "shipping": linked["shipping"],
        "payment": linked["payment"],
        "trackings": [tracking_representation(tracking) for tracking in order.trackings.all()],
        "sent": bool(order.sent),
        "delivered": bool(order.delivered),
        "done": bool(order.done),
        "canceled": bool(order.canceled),
        "order_url": links.order_page(order_hash),
        "invoice_url": links.order_invoice(order_hash),
        "ip": None if ip is None else str(ip),
        "external_order_prefix": str(order.external_order_prefix),
        "external_order_id": str(order.external_order_id),
        "external_payment_id": str(order.external_payment_id),
        "external_payment_url": str(order.external_payment_url),
        "status": None if order.status_id is None else status_representation(order.status),
        "refunded": money(order.refunded),
        "payment_state": choice(choice_keys("order", "payment_state"), order.payment_state),
        "discount": discount_representation(order),
    }


def item_representation(item, currency: str, language: str) -> dict:
    """ItemSerializer; `currency` and `language` are the order's (the serializer reads them
    from item.order)."""
    article = item.article_id
    original = item.original_price_final
    return {
        "id": int(item.id),
        "article": None if article is None else int(article),
        "code": str(item.code),
        "name": str(item.name),
        "count": int(item.count),
        "ordered": int(item.ordered),
        "waiting_count": int(item.waiting_count),
        "note": str(item.note),
        "price": price(item.unit_price_base, item.unit_price_final, item.vat, currency, language),
        "price_original": None
        if original is None
        else price(item.original_price_base, original, item.vat, currency, language),
        "kind": choice(choice_keys("item", "kind"), item.kind),
    }


def tracking_representation(tracking) -> dict:
    """TrackingSerializer."""
    url = tracking.tracking_url
    return {
        "shipper_id": int(tracking.shipper_id),
        "tracking_number": str(tracking.tracking_number),
        "tracking_url": None if url is None else str(url),
    }


def status_representation(status) -> dict:
    """OrderStatusSerializer."""
    return {
        "id": int(status.id),
        "name": str(status.name),
        "icon": str(status.icon),
        "color": str(status.color),
        "sort": int(status.sort),
        "complete_order": bool(status.complete_order),
        "cancel_order": bool(status.cancel_order),
    }


def discount_representation(order) -> dict | None:
    """OrderSerializer.get_discount."""
    try:
        discount = order.discount  # joined by the selector: no query
    except OrderDiscount.DoesNotExist:
        return None
    return {
        "type": choice(choice_keys("discount", "type"), discount.type),
        "value": decimal_writer("discount", "value")(discount.value),
        "reason": str(discount.reason),
    }
