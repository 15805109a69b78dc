"""Input serializers: the bodies the API accepts. They check shape and types (and reject
unknown fields); the services check the rules."""

from decimal import Decimal

from rest_framework import serializers

from invoices.api import check_buyer_numbers
from orders.services import DELIVERY_FIELDS, ItemData

# Bounds that keep numbers inside the money columns (14 digits, 4 decimals).
MAX_AMOUNT = Decimal("999999999")
MAX_COUNT = 1_000_000
MAX_ID = 2**63 - 1  # the largest id a database column holds


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
    code = text(100)
    name = StrictCharField(max_length=300)
    count = StrictIntegerField(min_value=1, max_value=MAX_COUNT)
    price = PriceInputSerializer()
    price_original = PriceInputSerializer(required=False, allow_null=True)
    note = text()

    def item_data(self) -> ItemData:
        return item_data(self.validated_data)


class ItemUpdateSerializer(ItemInputSerializer):
    """An item's new values, with the `id` of the item to change."""

    id = StrictIntegerField(min_value=1)


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
    company_nr, company_vat, note, external_order_prefix, external_order_id, currency_rate."""

    channel = StrictIntegerField(required=False, allow_null=True, help_text="Channel id.")
    email = text(254)
    name = text(200)
    street = text(200)
    city = text(100)
    zip = text(20)
    state_code = text(2)
    phone = text(50)
    delivery_name = text(200)
    delivery_street = text(200)
    delivery_city = text(100)
    delivery_zip = text(20)
    delivery_state_code = text(2)
    delivery_phone = text(50)
    delivery_email = text(254)
    ip = text(45)
    domain = text(255)
    date_order = serializers.DateTimeField(required=False, allow_null=True)
    order_currency_code = text(3)
    # Our extensions.
    items = ItemInputSerializer(many=True, required=False)
    company_nr = text(50)
    company_vat = text(50)
    note = text()
    external_order_prefix = text(50)
    external_order_id = text(100)
    currency_rate = AmountField(
        required=False, allow_null=True, min_value=Decimal("0.000001"), max_value=Decimal("1e9")
    )

    def validate(self, attrs):
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
    delivery_name = text(200)
    delivery_street = text(200)
    delivery_city = text(100)
    delivery_zip = text(20)
    delivery_state_code = text(2)
    delivery_phone = text(50)
    delivery_email = text(254)

    def address(self) -> dict:
        # Null clears a field; a field not sent is left alone.
        return {k: v for k, v in self.validated_data.items() if k in DELIVERY_FIELDS}


class StatusInputSerializer(StrictSerializer):
    status_id = StrictIntegerField()


class TrackingInputSerializer(StrictSerializer):
    shipper_id = StrictIntegerField()
    tracking_number = StrictCharField(max_length=100)


class HistoryRecordInputSerializer(StrictSerializer):
    name = StrictCharField(max_length=300)
    status = text(200)


class HistoryInputSerializer(StrictSerializer):
    type = StrictCharField(max_length=50)
    record = HistoryRecordInputSerializer()


class PaidInputSerializer(StrictSerializer):
    """What the customer has paid so far (the total); without `paid`, the whole money."""

    paid = AmountField(required=False, allow_null=True, min_value=Decimal("0"))
    payment_id = text(200, help_text="The payment gateway's id of the payment.")
    status = text(100, help_text="The payment gateway's status text.")
    url = serializers.URLField(max_length=1000, required=False, allow_null=True, allow_blank=True)
