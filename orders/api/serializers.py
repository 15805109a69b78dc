"""Output serializers: the wire shape of Order, Item, Price, Tracking, OrderStatus and the
read-only related objects. Snake_case names as in the contract."""

from decimal import Decimal

from django.db import models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from orders.models import (
    Channel,
    Company,
    Customer,
    HistoryRecord,
    Order,
    OrderItem,
    PaymentMethod,
    Shipper,
    ShippingMethod,
)
from orders.money import format_money, round_money
from statuses.models import OrderStatus

from .links import absolute, api_link

MONEY = {"max_digits": 14, "decimal_places": 4, "coerce_to_string": False}


class WireModelSerializer(serializers.ModelSerializer):
    """Model fields on the wire. A blank e-mail or URL is sent as "", so the schema calls
    them plain strings (an "email"/"uri" format would be untrue for "")."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.EmailField: serializers.CharField,
        models.URLField: serializers.CharField,
    }


class IdSerializer(serializers.Serializer):
    """IdModel: the id of what a write created or changed."""

    id = serializers.IntegerField()


@extend_schema_serializer(many=False)  # never a list, also on list endpoints
class ErrorSerializer(serializers.Serializer):
    """The error model. `errors` (field -> reasons) only on 400."""

    message = serializers.CharField()
    detail = serializers.CharField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class RelatedLinkSerializer(serializers.Serializer):
    """A related object when `expanded` is false: its id and where to read it."""

    id = serializers.IntegerField()
    api_link = serializers.URLField()


def related_link(context, relation: str, pk: int | None) -> dict | None:
    if pk is None:
        return None
    return {"id": pk, "api_link": api_link(context.get("request"), relation, pk)}


class OrderStatusSerializer(WireModelSerializer):
    class Meta:
        model = OrderStatus
        fields = ["id", "name", "icon", "color", "sort", "complete_order", "cancel_order"]


class CustomerSerializer(WireModelSerializer):
    """A buyer (People)."""

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "street",
            "city",
            "zip",
            "state_code",
            "company_nr",
            "company_vat",
            "created_at",
        ]


class CompanySerializer(WireModelSerializer):
    """A seller."""

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "street",
            "city",
            "zip",
            "state_code",
            "company_nr",
            "company_vat",
            "email",
            "phone",
            "bank_account",
        ]


class ShipperSerializer(WireModelSerializer):
    class Meta:
        model = Shipper
        fields = ["id", "name", "tracking_url_template"]


class ChannelSerializer(WireModelSerializer):
    company = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["id", "name", "domain", "currency_code", "company"]

    @extend_schema_field(RelatedLinkSerializer(allow_null=True))
    def get_company(self, channel) -> dict | None:
        return related_link(self.context, "company", channel.company_id)


class _ChargeMethodSerializer(WireModelSerializer):
    channel = serializers.SerializerMethodField()
    price = serializers.DecimalField(**MONEY, help_text="With VAT.")
    vat = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)

    @extend_schema_field(RelatedLinkSerializer(allow_null=True))
    def get_channel(self, method) -> dict | None:
        return related_link(self.context, "channel", method.channel_id)


class ShippingMethodSerializer(_ChargeMethodSerializer):
    shipper = serializers.SerializerMethodField()

    class Meta:
        model = ShippingMethod
        fields = ["id", "name", "channel", "price", "vat", "shipper"]

    @extend_schema_field(RelatedLinkSerializer(allow_null=True))
    def get_shipper(self, method) -> dict | None:
        return related_link(self.context, "shipper", method.shipper_id)


class PaymentMethodSerializer(_ChargeMethodSerializer):
    class Meta:
        model = PaymentMethod
        fields = ["id", "name", "channel", "price", "vat"]


class PriceSerializer(serializers.Serializer):
    """A unit price in the order's currency; the *_word fields are written for people."""

    base_price = serializers.FloatField(help_text="Without VAT.")
    base_price_word = serializers.CharField()
    final_price = serializers.FloatField(help_text="With VAT.")
    final_price_word = serializers.CharField()
    vat = serializers.FloatField(help_text="VAT rate in percent.")
    vat_value = serializers.FloatField()
    vat_value_word = serializers.CharField()
    currency = serializers.CharField()


def price(base: Decimal, final: Decimal, vat: Decimal, currency: str) -> dict:
    base, final = round_money(base, currency), round_money(final, currency)
    vat_value = final - base
    return {
        "base_price": base,
        "base_price_word": format_money(base, currency),
        "final_price": final,
        "final_price_word": format_money(final, currency),
        "vat": vat.normalize() if vat == vat.to_integral() else vat,
        "vat_value": vat_value,
        "vat_value_word": format_money(vat_value, currency),
        "currency": currency,
    }


class ItemSerializer(WireModelSerializer):
    article = serializers.IntegerField(source="article_id", allow_null=True)
    price = serializers.SerializerMethodField()
    price_original = serializers.SerializerMethodField()

    class Meta:
        model = OrderItem
        fields = [
            "id",
            "article",
            "code",
            "name",
            "count",
            "ordered",
            "waiting_count",
            "note",
            "price",
            "price_original",
        ]

    def _currency(self, item) -> str:
        # The prefetch of order.items sets item.order, so this costs no query.
        return item.order.order_currency_code

    @extend_schema_field(PriceSerializer)
    def get_price(self, item) -> dict:
        return price(item.unit_price_base, item.unit_price_final, item.vat, self._currency(item))

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_price_original(self, item) -> dict | None:
        if item.original_price_final is None:
            return None
        return price(
            item.original_price_base, item.original_price_final, item.vat, self._currency(item)
        )


class TrackingSerializer(serializers.Serializer):
    shipper_id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    tracking_url = serializers.CharField(allow_null=True)


def _related_schema(name: str, expanded) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[RelatedLinkSerializer, expanded],
        resource_type_field_name=None,
        allow_null=True,
    )


# Related object -> the serializer of its expanded form.
EXPANDED = {
    "customer": CustomerSerializer,
    "company": CompanySerializer,
    "channel": ChannelSerializer,
    "shipping": ShippingMethodSerializer,
    "payment": PaymentMethodSerializer,
}


class OrderSerializer(WireModelSerializer):
    """Order: every field of the contract's model plus `status`.

    Related objects are {"id", "api_link"} unless the context says `expanded`.
    Expects an order from `selectors.orders_with_details()` (no further queries).
    """

    customer = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()
    channel = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    status = OrderStatusSerializer(allow_null=True)
    # Plain text in the schema: these may be empty, which format "email" would deny.
    email = serializers.CharField()
    delivery_email = serializers.CharField()
    currency_rate = serializers.DecimalField(
        max_digits=16, decimal_places=6, coerce_to_string=False
    )
    money = serializers.DecimalField(**MONEY, help_text="Total with VAT.")
    paid = serializers.DecimalField(**MONEY)
    weight = serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=False, help_text="kg"
    )
    items = ItemSerializer(many=True, source="items.all")
    trackings = TrackingSerializer(many=True)
    sent = serializers.BooleanField()
    delivered = serializers.BooleanField()
    done = serializers.BooleanField()
    canceled = serializers.BooleanField()
    order_url = serializers.SerializerMethodField()
    invoice_url = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "customer",
            "company",
            "channel",
            "date_order",
            "date_maturity",
            "email",
            "phone",
            "name",
            "street",
            "city",
            "zip",
            "state_code",
            "company_nr",
            "company_vat",
            "delivery_email",
            "delivery_phone",
            "delivery_name",
            "delivery_street",
            "delivery_city",
            "delivery_zip",
            "delivery_state_code",
            "note",
            "our_note",
            "hash",
            "main_currency_code",
            "order_currency_code",
            "currency_rate",
            "money",
            "paid",
            "date_paid",
            "items",
            "weight",
            "shipping",
            "payment",
            "trackings",
            "sent",
            "delivered",
            "done",
            "canceled",
            "order_url",
            "invoice_url",
            "ip",
            "external_order_prefix",
            "external_order_id",
            "external_payment_id",
            "external_payment_url",
            "status",
        ]
        read_only_fields = fields

    def _related(self, order, relation: str):
        pk = getattr(order, f"{relation}_id")
        if pk is None:
            return None
        if self.context.get("expanded"):
            # One serializer per relation and request: building fields is the slow part.
            cache = self.__dict__.setdefault("_expanded_serializers", {})
            if relation not in cache:
                cache[relation] = EXPANDED[relation](context=self.context)
            return cache[relation].to_representation(getattr(order, relation))
        return related_link(self.context, relation, pk)

    @extend_schema_field(_related_schema("CustomerRelated", CustomerSerializer))
    def get_customer(self, order):
        return self._related(order, "customer")

    @extend_schema_field(_related_schema("CompanyRelated", CompanySerializer))
    def get_company(self, order):
        return self._related(order, "company")

    @extend_schema_field(_related_schema("ChannelRelated", ChannelSerializer))
    def get_channel(self, order):
        return self._related(order, "channel")

    @extend_schema_field(_related_schema("ShippingRelated", ShippingMethodSerializer))
    def get_shipping(self, order):
        return self._related(order, "shipping")

    @extend_schema_field(_related_schema("PaymentRelated", PaymentMethodSerializer))
    def get_payment(self, order):
        return self._related(order, "payment")

    @extend_schema_field(OpenApiTypes.URI)
    def get_order_url(self, order) -> str:
        return absolute(self.context.get("request"), reverse("order-page", args=[order.hash]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_invoice_url(self, order) -> str:
        return absolute(self.context.get("request"), reverse("order-invoice", args=[order.hash]))


class HistoryRecordSerializer(WireModelSerializer):
    class Meta:
        model = HistoryRecord
        fields = ["id", "type", "name", "status", "actor", "source", "changes", "created_at"]
