"""Input serializers: the bodies the API accepts. They check shape and types (and reject
unknown fields); the services check the rules.

Every value is checked against the column it is stored in (text lengths come from the
model fields, amounts from the money columns' digits), so a value a database could refuse
never reaches one: SQLite and PostgreSQL give the same answer to the same body.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from invoices.api import check_buyer_numbers
from orders.models import (
    DiscountType,
    HistoryRecord,
    Order,
    OrderDiscount,
    OrderItem,
    Payment,
    Refund,
    Tracking,
)
from orders.services import DELIVERY_FIELDS, MAX_MONEY, ItemData

# Bounds that keep numbers inside the money columns (14 digits, 4 decimals; MAX_MONEY).
MAX_AMOUNT = Decimal("999999999")  # a unit price; with 100 % VAT its double still fits
MAX_COUNT = 1_000_000
MAX_ID = 2**63 - 1  # the largest id a database column holds

# The order date: from the Unix epoch (a "zero date" such as 0001-01-01 is a client's
# bug, not an order) to a year ahead (clock skew and time zones, with room to spare).
# The due date (date_order + ORDER_MATURITY_DAYS) must also stay inside the calendar.
DATE_ORDER_MIN = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DATE_ORDER_MAX_AHEAD = dt.timedelta(days=366)


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField would turn 12 or 1.5 into "12" / "1.5"."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (or a string of digits); not true, not 1.5."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, Decimal) and data != data.to_integral()):
            self.fail("invalid")
        return super().to_internal_value(data)


class AmountField(serializers.DecimalField):
    """A decimal amount; parsed from the JSON number exactly (no float on the way)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_AMOUNT)
        super().__init__(max_digits=None, decimal_places=None, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


def text(max_length: int | None = None, **kwargs) -> StrictCharField:
    """An optional text field; null means "not given"."""
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("allow_null", True)
    return StrictCharField(max_length=max_length, **kwargs)


def column(model, name: str, **kwargs) -> StrictCharField:
    """Optional text stored in `model.name`: at most as long as that column."""
    return text(model._meta.get_field(name).max_length, **kwargs)


def required_column(model, name: str) -> StrictCharField:
    """Required text stored in `model.name`: at most as long as that column."""
    return StrictCharField(max_length=model._meta.get_field(name).max_length)


def order_column(name: str, **kwargs) -> StrictCharField:
    return column(Order, name, **kwargs)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them (a typo must not pass silently)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)

    def given(self) -> dict:
        """The validated values the client actually sent (null = not sent)."""
        return {k: v for k, v in self.validated_data.items() if v is not None}


class EmptySerializer(StrictSerializer):
    """No body needed; an empty body or {} is fine."""


class PriceInputSerializer(StrictSerializer):
    """A unit price: `vat` and one of `final_price` (with VAT) or `base_price` (without).
    With both, final_price wins."""

    final_price = AmountField(required=False, allow_null=True, min_value=Decimal("0"))
    base_price = AmountField(required=False, allow_null=True, min_value=Decimal("0"))
    vat = AmountField(min_value=Decimal("0"), max_value=Decimal("100"), help_text="Percent.")

    def validate(self, attrs):
        if attrs.get("final_price") is None and attrs.get("base_price") is None:
            raise serializers.ValidationError(
                {"final_price": ["Give final_price (with VAT) or base_price (without)."]}
            )
        return attrs


class ItemInputSerializer(StrictSerializer):
    """An item to add. Prices are per unit; the server computes the rest."""

    article = StrictIntegerField(required=False, allow_null=True, min_value=0)
    code = column(OrderItem, "code")
    name = required_column(OrderItem, "name")
    count = StrictIntegerField(min_value=1, max_value=MAX_COUNT)
    price = PriceInputSerializer()
    price_original = PriceInputSerializer(required=False, allow_null=True)
    note = text()
    waiting_count = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Accepted and ignored: what waits follows from the order's parcels.",
    )

    def validate(self, attrs):
        # A line that cannot fit an order's money column in any currency is refused here,
        # naming it; the exact rule (the order's total, rounded in its currency, with its
        # other lines) is the services' (InvalidInput naming `items` or `count`).
        if line_total_floor(attrs["price"], attrs["count"]) > MAX_MONEY:
            raise serializers.ValidationError(
                {
                    "count": [
                        f"count x price comes to more than {MAX_MONEY}, the largest amount "
                        "an order can hold."
                    ]
                }
            )
        return attrs

    def item_data(self) -> ItemData:
        return item_data(self.validated_data)


class ItemUpdateSerializer(ItemInputSerializer):
    """An item's new values, with the `id` of the item to change."""

    id = StrictIntegerField(min_value=1)


def line_total_floor(price: dict, count: int) -> Decimal:
    """The least `count` units at `price` can come to with VAT, in any currency: rounding
    to a minor unit (never more than 1) takes at most 0.5 off a unit price."""
    half = Decimal("0.5")
    final = price.get("final_price")
    if final is None:
        final = (price["base_price"] - half) * (1 + price["vat"] / 100)
    return (final - half) * count


def item_data(values: dict) -> ItemData:
    """Map an item body to the services' ItemData."""
    price, original = values["price"], values.get("price_original") or {}
    return ItemData(
        name=values["name"],
        count=values["count"],
        vat=price["vat"],
        final_price=price.get("final_price"),
        base_price=price.get("base_price"),
        article_id=values.get("article"),
        code=values.get("code") or "",
        note=values.get("note") or "",
        original_final_price=original.get("final_price"),
        original_base_price=original.get("base_price"),
    )


class OrderCreateSerializer(StrictSerializer):
    """OrderPost, plus our extensions: items (created with the order, atomically),
    company_nr, company_vat, note, external_order_prefix, external_order_id, currency_rate.

    The customer must be named: an e-mail, a name, or both (the contract: "you need to fill
    in customer information"). The currency defaults to the channel's."""

    channel = StrictIntegerField(required=False, allow_null=True, help_text="Channel id.")
    email = order_column("email", help_text="The customer's e-mail. Give it, a name, or both.")
    name = order_column("name", help_text="The customer's name. Give it, an e-mail, or both.")
    street = order_column("street")
    city = order_column("city")
    zip = order_column("zip")
    state_code = order_column("state_code")
    phone = order_column("phone")
    delivery_name = order_column("delivery_name")
    delivery_street = order_column("delivery_street")
    delivery_city = order_column("delivery_city")
    delivery_zip = order_column("delivery_zip")
    delivery_state_code = order_column("delivery_state_code")
    delivery_phone = order_column("delivery_phone")
    delivery_email = order_column("delivery_email")
    ip = text(45)  # the longest written form of an IPv6 address; checked as an address
    domain = order_column("domain")
    date_order = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="From 1970-01-01 to one year from now; default now.",
    )
    order_currency_code = order_column("order_currency_code")
    # Our extensions.
    items = ItemInputSerializer(many=True, required=False)
    company_nr = order_column("company_nr")
    company_vat = order_column("company_vat")
    note = text()
    external_order_prefix = order_column("external_order_prefix")
    external_order_id = order_column("external_order_id")
    currency_rate = AmountField(
        required=False, allow_null=True, min_value=Decimal("0.000001"), max_value=Decimal("1e9")
    )
    shipping_id = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="(ours) The shipping method (/System/Channels/Shippings): its fee is charged.",
    )
    payment_id = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="(ours) The payment method (/System/Channels/Payments): its fee is charged.",
    )
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="(ours) The language of the customer's pages, e-mails and invoice; not "
        "given or empty: the channel's.",
    )

    def validate_date_order(self, value):
        if value is None:
            return value
        latest = timezone.now() + DATE_ORDER_MAX_AHEAD
        if not DATE_ORDER_MIN <= value <= latest:
            raise serializers.ValidationError(
                f"Out of range: give a moment from {DATE_ORDER_MIN:%Y-%m-%d} to one year from now."
            )
        return value

    def validate(self, attrs):
        if not (attrs.get("email") or "").strip() and not (attrs.get("name") or "").strip():
            why = "Give the customer's e-mail or name (or both)."
            raise serializers.ValidationError({"email": [why], "name": [why]})
        # The buyer's VAT and company numbers, where their country is known (python-stdnum).
        return check_buyer_numbers(attrs)

    def service_kwargs(self) -> dict:
        """Keyword arguments of services.order_create."""
        values = self.given()
        items = [item_data(item) for item in values.pop("items", [])]
        channel_id = values.pop("channel", None)
        if values.get("ip") == "":
            values.pop("ip")
        return {"channel_id": channel_id, "items": items, **values}


class OrderDeliverySerializer(StrictSerializer):
    """OrderPut: the order's `id` and its delivery address (fields not sent stay as they are)."""

    id = StrictIntegerField(min_value=1)
    delivery_name = order_column("delivery_name")
    delivery_street = order_column("delivery_street")
    delivery_city = order_column("delivery_city")
    delivery_zip = order_column("delivery_zip")
    delivery_state_code = order_column("delivery_state_code")
    delivery_phone = order_column("delivery_phone")
    delivery_email = order_column("delivery_email")

    def address(self) -> dict:
        # Null clears a field; a field not sent is left alone.
        return {k: v for k, v in self.validated_data.items() if k in DELIVERY_FIELDS}


class StatusInputSerializer(StrictSerializer):
    status_id = StrictIntegerField()


class TrackingInputSerializer(StrictSerializer):
    shipper_id = StrictIntegerField()
    tracking_number = required_column(Tracking, "tracking_number")


class HistoryRecordInputSerializer(StrictSerializer):
    name = required_column(HistoryRecord, "name")
    status = column(HistoryRecord, "status")


class HistoryInputSerializer(StrictSerializer):
    type = required_column(HistoryRecord, "type")
    record = HistoryRecordInputSerializer()


class PaidInputSerializer(StrictSerializer):
    """What the customer has paid so far (the total); without `paid`, the whole money."""

    paid = AmountField(required=False, allow_null=True, min_value=Decimal("0"))
    payment_id = order_column(
        "external_payment_id", help_text="The payment gateway's id of the payment."
    )
    status = order_column("payment_status", help_text="The payment gateway's status text.")
    url = serializers.URLField(
        max_length=Order._meta.get_field("external_payment_url").max_length,
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    reason = column(
        Payment,
        "reason",
        help_text="(ours) Why paid goes down (a correction); required then, ignored otherwise.",
    )


# --- Money (ours): methods, the discount, refunds -------------------------------------------


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: DRF's BooleanField would also read "yes", "0" or 1."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ShippingMethodInputSerializer(StrictSerializer):
    """PATCH /Orders/{id}/shipping: the order's shipping method; null removes it."""

    shipping_id = StrictIntegerField(
        allow_null=True, min_value=1, help_text="A shipping method id, or null for none."
    )


class PaymentMethodInputSerializer(StrictSerializer):
    """PATCH /Orders/{id}/payment: the order's payment method; null removes it. (Not the
    gateway's `payment_id` of PATCH /paid, a text: this one is a method id.)"""

    payment_id = StrictIntegerField(
        allow_null=True, min_value=1, help_text="A payment method id, or null for none."
    )


class DiscountInputSerializer(StrictSerializer):
    """PUT /Orders/{id}/discount: the order discount (replacing any)."""

    type = serializers.ChoiceField(choices=DiscountType.choices)
    value = AmountField(
        min_value=Decimal("0"),
        help_text="amount: with VAT, in the order's currency; percent: more than 0, at most 100.",
    )
    reason = required_column(OrderDiscount, "reason")


class RefundLineInputSerializer(StrictSerializer):
    item_id = StrictIntegerField(min_value=1, help_text="An item (line) of the order.")
    count = StrictIntegerField(min_value=1, max_value=MAX_COUNT)


class RefundInputSerializer(StrictSerializer):
    """POST /Orders/{id}/refunds: lines and/or an extra amount, with a reason."""

    reason = required_column(Refund, "reason")
    lines = RefundLineInputSerializer(many=True, required=False)
    amount = AmountField(
        required=False,
        allow_null=True,
        min_value=Decimal("0"),
        help_text="Given back beyond the lines, with VAT, in the order's currency.",
    )
    mark_returned = StrictBooleanField(
        required=False, default=False, help_text="The refunded products came back."
    )

    def service_kwargs(self) -> dict:
        """Keyword arguments of services.order_refund."""
        values = self.validated_data
        return {
            "reason": values["reason"],
            "lines": [(line["item_id"], line["count"]) for line in values.get("lines", [])],
            "amount": values.get("amount"),
            "mark_returned": values["mark_returned"],
        }
