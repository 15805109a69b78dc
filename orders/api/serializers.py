"""Output serializers: the wire shape of Order, Item, Price, Tracking, OrderStatus and the
read-only related objects. Snake_case names as in the contract."""

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from orders.language import order_language
from orders.models import (
    Channel,
    Company,
    Customer,
    DiscountType,
    HistoryRecord,
    ItemKind,
    Order,
    OrderDiscount,
    OrderItem,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentState,
    PaymentStatus,
    Refund,
    RefundLine,
    Return,
    Shipper,
    ShippingMethod,
)
from orders.money import format_money, round_money
from statuses.models import OrderStatus

from .links import context_links

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
    return {"id": pk, "api_link": context_links(context).api(relation, pk)}


def related(serializer, relation: str, instance, attr: str) -> dict | None:
    """`instance.<attr>` as {"id", "api_link"}, or with `expanded` as its own serializer
    (EXPANDED[relation]) answers it; null if none. One level only: the expanded object's
    own related objects stay links, so expanding costs no further queries."""
    pk = getattr(instance, f"{attr}_id")
    if pk is None:
        return None
    if not serializer.context.get("expanded"):
        return related_link(serializer.context, relation, pk)
    # One serializer per relation and request: building fields is the slow part.
    cache = serializer.__dict__.setdefault("_expanded_serializers", {})
    if relation not in cache:
        cache[relation] = EXPANDED[relation](context={**serializer.context, "expanded": False})
    return cache[relation].to_representation(getattr(instance, attr))


def _related_schema(name: str, expanded) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[RelatedLinkSerializer, expanded],
        resource_type_field_name=None,
        allow_null=True,
    )


# --- What the public client reads: codes, and fields we do not keep ------------------------


def iso_code(value: str | None, length: int) -> str | None:
    """`value` if it is a code of `length` letters (country 2, currency 3), else None.

    The public client refuses a code of any other length, "" included, and with it the
    whole answer (a list page with one such order is unreadable): an unknown code is null.
    """
    if value and len(value) == length and value.isascii() and value.isalpha():
        return value
    return None


class CodeField(serializers.CharField):
    """A country (length 2) or currency (length 3) code, or null when we hold none."""

    def __init__(self, *, length: int, **kwargs):
        self.length = length
        kwargs.update(min_length=length, max_length=length, allow_null=True, read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str | None:
        return iso_code(value, self.length)


class NotKeptField(serializers.Field):
    """A field of the public client's model that this project does not keep: always null
    (the client accepts null for every field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Not kept here: always null.")
        super().__init__(read_only=True, source="*", allow_null=True, **kwargs)

    def to_representation(self, value) -> None:
        return None


@extend_schema_field(OpenApiTypes.STR)
class NotKeptText(NotKeptField):
    pass


@extend_schema_field(OpenApiTypes.INT)
class NotKeptInteger(NotKeptField):
    pass


@extend_schema_field(OpenApiTypes.NUMBER)
class NotKeptNumber(NotKeptField):
    pass


@extend_schema_field(OpenApiTypes.BOOL)
class NotKeptBoolean(NotKeptField):
    pass


@extend_schema_field(OpenApiTypes.OBJECT)
class NotKeptObject(NotKeptField):
    """An object of the client's model (a domain, a store, a payment provider) we do not
    keep."""


# --- The objects an Order links to (the client's UserModel, CompanyModel, ...) ------------


class PersonChannelSerializer(serializers.Serializer):
    """The client's UserModelChannel: {"channel": {"id", "api_link"}}."""

    channel = RelatedLinkSerializer()


def split_name(name: str) -> tuple[str | None, str | None]:
    """(first_name, surname): the name split at its first space; one word is a surname."""
    words = name.strip().split(maxsplit=1)
    if len(words) == 2:
        return words[0], words[1]
    return None, (words[0] if words else None)


class CustomerSerializer(WireModelSerializer):
    """A buyer (People), in the public client's UserModel shape.

    Derived: `login` is the e-mail; `first_name` and `surname` split `name` at its first
    space. Null because we do not keep them: `channel` (a customer is found by e-mail
    across all channels, so belongs to none), `newsletter`, `nickname`, `middle_name`,
    `title`, `organization_name`. Ours besides: `phone`, `company_nr`, `company_vat`,
    `created_at`.
    """

    channel = serializers.SerializerMethodField()
    login = serializers.SerializerMethodField()
    newsletter = NotKeptBoolean()
    nickname = NotKeptText()
    first_name = serializers.SerializerMethodField()
    middle_name = NotKeptText()
    surname = serializers.SerializerMethodField()
    title = NotKeptText()
    organization_name = NotKeptText()
    state_code = CodeField(length=2)

    class Meta:
        model = Customer
        fields = [
            "id",
            "channel",
            "login",
            "email",
            "newsletter",
            "name",
            "nickname",
            "first_name",
            "middle_name",
            "surname",
            "title",
            "organization_name",
            "street",
            "city",
            "zip",
            "state_code",
            "phone",
            "company_nr",
            "company_vat",
            "created_at",
        ]

    @extend_schema_field(
        PersonChannelSerializer(allow_null=True, help_text="Not kept here: always null.")
    )
    def get_channel(self, customer) -> None:
        return None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The e-mail."))
    def get_login(self, customer) -> str | None:
        return customer.email or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_first_name(self, customer) -> str | None:
        return split_name(customer.name)[0]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_surname(self, customer) -> str | None:
        return split_name(customer.name)[1]


class CompanyVatSerializer(serializers.Serializer):
    """The client's CompanyModelCompanyVats."""

    state_code = serializers.CharField(allow_null=True, min_length=2, max_length=2)
    vat = serializers.CharField()
    vat_payer = serializers.BooleanField(
        allow_null=True,
        help_text="Not kept here: always null (a VAT number does not say the company pays VAT).",
    )


class BankAccountSerializer(serializers.Serializer):
    """The client's CompanyModelBankAccounts."""

    name = serializers.CharField(allow_null=True)
    bank_name = serializers.CharField(allow_null=True)
    bank_address = serializers.CharField(allow_null=True)
    bank_code = serializers.CharField(allow_null=True)
    bank_account = serializers.CharField()
    iban = serializers.CharField(allow_null=True)
    swift = serializers.CharField(allow_null=True)


IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
# The Czech and Slovak domestic form: [prefix-]number/bank code, e.g. 19-2000145399/0800.
DOMESTIC_ACCOUNT = re.compile(r"((?:[0-9]{1,6}-)?[0-9]{2,10})/([0-9]{4})")


def is_iban(text: str) -> bool:
    """Shape and the ISO 13616 check digits (mod 97)."""
    if not IBAN.fullmatch(text):
        return False
    digits = "".join(str(int(char, 36)) for char in text[4:] + text[:4])
    return int(digits) % 97 == 1


def bank_account(text: str) -> dict:
    """One account as the client reads it, from the one line we keep: an IBAN is also
    given as `iban`; the domestic form is split into `bank_account` and `bank_code`."""
    text = text.strip()
    compact = text.replace(" ", "").upper()
    account = {
        "name": None,
        "bank_name": None,
        "bank_address": None,
        "bank_code": None,
        "bank_account": text,
        "iban": compact if is_iban(compact) else None,
        "swift": None,
    }
    if domestic := DOMESTIC_ACCOUNT.fullmatch(compact):
        account["bank_account"], account["bank_code"] = domestic.groups()
    return account


class CompanySerializer(WireModelSerializer):
    """A seller, in the public client's CompanyModel shape.

    `company_vats` holds our one VAT number (with the company's country), `bank_accounts`
    our one account line; `registry_info` is not kept (null). Ours besides: `company_vat`
    and `bank_account`, the values as we keep them.
    """

    state_code = CodeField(length=2)
    company_vats = serializers.SerializerMethodField()
    registry_info = NotKeptText()
    bank_accounts = serializers.SerializerMethodField()

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
            "company_vats",
            "phone",
            "email",
            "registry_info",
            "bank_accounts",
            "company_vat",
            "bank_account",
        ]

    @extend_schema_field(CompanyVatSerializer(many=True))
    def get_company_vats(self, company) -> list[dict]:
        if not company.company_vat.strip():
            return []
        return [
            {
                "state_code": iso_code(company.state_code, 2),
                "vat": company.company_vat.strip(),
                "vat_payer": None,
            }
        ]

    @extend_schema_field(BankAccountSerializer(many=True))
    def get_bank_accounts(self, company) -> list[dict]:
        return [bank_account(company.bank_account)] if company.bank_account.strip() else []


COMPANY_RELATED = _related_schema("CompanyRelated", CompanySerializer)


class ShipperSerializer(WireModelSerializer):
    """A carrier, in the public client's ShipperModel shape (plus our URL template)."""

    class Meta:
        model = Shipper
        fields = ["id", "name", "tracking_url_template"]


SHIPPER_RELATED = _related_schema("ShipperRelated", ShipperSerializer)

# The client's ChannelModel.type. We do not keep what kind of channel it is.
CHANNEL_TYPES = ("eshop", "store", "marketplace", "undefined")
CHANNEL_TYPE = "undefined"
# Every channel takes orders: none can be switched off here.
CHANNEL_ACTIVE = True


class ChannelFeedSerializer(serializers.Serializer):
    """The client's ChannelModelFeeds (this project serves no product feeds)."""

    filename = serializers.CharField()
    path = serializers.CharField()


class ChannelSerializer(WireModelSerializer):
    """A sales channel, in the public client's ChannelModel shape.

    `type` is "undefined" and `active` true for every channel (see CHANNEL_TYPE and
    CHANNEL_ACTIVE); `currency` is our currency code; `default_company` the seller;
    `feeds` empty; `language` (ours) the language of its customers. Not kept (null):
    `title`, `keywords`, `description`, `state_code`, `default_store`, and `domain`, which
    the client reads as a domain object: our domain name is `domain_name` (ours). Ours
    besides: `currency_code`, `company` (the same seller as `default_company`).
    """

    type = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()
    title = NotKeptText()
    keywords = NotKeptText()
    description = NotKeptText()
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.LANGUAGES],
        read_only=True,
        help_text="(ours) The language of the channel's customers: its orders' pages, "
        "e-mails, invoices and *_word amounts.",
    )
    currency = CodeField(length=3, source="currency_code")
    state_code = NotKeptText()
    domain = NotKeptObject()
    default_company = serializers.SerializerMethodField()
    default_store = NotKeptObject()
    feeds = serializers.SerializerMethodField()
    domain_name = serializers.CharField(source="domain", read_only=True)
    company = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "type",
            "active",
            "title",
            "keywords",
            "description",
            "language",
            "currency",
            "state_code",
            "domain",
            "default_company",
            "default_store",
            "feeds",
            "domain_name",
            "currency_code",
            "company",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=CHANNEL_TYPES))
    def get_type(self, channel) -> str:
        return CHANNEL_TYPE

    @extend_schema_field(serializers.BooleanField())
    def get_active(self, channel) -> bool:
        return CHANNEL_ACTIVE

    @extend_schema_field(COMPANY_RELATED)
    def get_default_company(self, channel) -> dict | None:
        return related(self, "company", channel, "company")

    @extend_schema_field(ChannelFeedSerializer(many=True))
    def get_feeds(self, channel) -> list:
        return []

    @extend_schema_field(RelatedLinkSerializer(allow_null=True))
    def get_company(self, channel) -> dict | None:
        return related_link(self.context, "company", channel.company_id)


CHANNEL_RELATED = _related_schema("ChannelRelated", ChannelSerializer)


class _ChargeMethodSerializer(WireModelSerializer):
    channel = serializers.SerializerMethodField()
    description = NotKeptText()
    price = serializers.DecimalField(**MONEY, help_text="With VAT, in `currency`.")
    currency = serializers.SerializerMethodField()
    vat = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, help_text="(ours) VAT rate."
    )

    @extend_schema_field(CHANNEL_RELATED)
    def get_channel(self, method) -> dict | None:
        return related(self, "channel", method, "channel")

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, min_length=3, max_length=3, help_text="The channel's currency."
        )
    )
    def get_currency(self, method) -> str | None:
        # Prices are in the channel's currency (as the back office shows them).
        return iso_code(method.channel.currency_code, 3) if method.channel_id else None


class ShippingMethodSerializer(_ChargeMethodSerializer):
    """A way of shipping, in the public client's ShippingModel shape.

    Not kept (null): `description`, `state_code`, `continent_code`, `time_from`,
    `time_to`, `money_from`, `money_to`, `payments`, `icon_url`, `sort`, `app`.
    Ours besides: `vat`.
    """

    shipper = serializers.SerializerMethodField()
    state_code = NotKeptText()
    continent_code = NotKeptText()
    time_from = NotKeptInteger()
    time_to = NotKeptInteger()
    money_from = NotKeptNumber()
    money_to = NotKeptNumber()
    payments = NotKeptObject()
    icon_url = NotKeptText()
    sort = NotKeptInteger()
    app = NotKeptInteger()

    class Meta:
        model = ShippingMethod
        fields = [
            "id",
            "shipper",
            "channel",
            "name",
            "description",
            "state_code",
            "continent_code",
            "time_from",
            "time_to",
            "money_from",
            "money_to",
            "price",
            "currency",
            "payments",
            "icon_url",
            "sort",
            "app",
            "vat",
        ]

    @extend_schema_field(SHIPPER_RELATED)
    def get_shipper(self, method) -> dict | None:
        return related(self, "shipper", method, "shipper")


class PaymentMethodSerializer(_ChargeMethodSerializer):
    """A way of paying, in the public client's PaymentModel shape.

    Not kept (null): `provider`, `description`, `note`. Ours besides: `vat`.
    """

    provider = NotKeptObject()
    note = NotKeptText()

    class Meta:
        model = PaymentMethod
        fields = [
            "id",
            "provider",
            "channel",
            "name",
            "description",
            "note",
            "price",
            "currency",
            "vat",
        ]


# Related object -> the serializer of its expanded form.
EXPANDED = {
    "customer": CustomerSerializer,
    "company": CompanySerializer,
    "channel": ChannelSerializer,
    "shipping": ShippingMethodSerializer,
    "payment": PaymentMethodSerializer,
    "shipper": ShipperSerializer,
}


class OrderStatusSerializer(WireModelSerializer):
    class Meta:
        model = OrderStatus
        fields = ["id", "name", "icon", "color", "sort", "complete_order", "cancel_order"]


class PriceSerializer(serializers.Serializer):
    """A unit price in the order's currency; the *_word fields are written for people, in
    the language of the order (its own, else its channel's): "€12.10", "258,26 Kč"."""

    base_price = serializers.FloatField(help_text="Without VAT.")
    base_price_word = serializers.CharField()
    final_price = serializers.FloatField(help_text="With VAT.")
    final_price_word = serializers.CharField()
    vat = serializers.FloatField(help_text="VAT rate in percent.")
    vat_value = serializers.FloatField()
    vat_value_word = serializers.CharField()
    currency = serializers.CharField()


def price(base: Decimal, final: Decimal, vat: Decimal, currency: str, language: str) -> dict:
    base, final = round_money(base, currency), round_money(final, currency)
    vat_value = final - base
    return {
        "base_price": base,
        "base_price_word": format_money(base, currency, language),
        "final_price": final,
        "final_price_word": format_money(final, currency, language),
        "vat": vat.normalize() if vat == vat.to_integral() else vat,
        "vat_value": vat_value,
        "vat_value_word": format_money(vat_value, currency, language),
        "currency": currency,
    }


class ItemSerializer(WireModelSerializer):
    article = serializers.IntegerField(source="article_id", allow_null=True)
    waiting_count = serializers.IntegerField(
        read_only=True,
        help_text="Units not yet in a parcel: count less the units in parcels (packed, on "
        "their way or delivered); 0 for fee and discount lines.",
    )
    price = serializers.SerializerMethodField()
    price_original = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(
        choices=ItemKind.choices,
        read_only=True,
        help_text="(ours) product, or a line the order derives: the shipping or payment "
        "method's fee, or the order discount's part at one VAT rate (negative prices).",
    )

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
            "kind",
        ]

    def _currency(self, item) -> str:
        # The prefetch of order.items sets item.order, so this costs no query.
        return item.order.order_currency_code

    def _language(self, item) -> str:
        # The words are written for the order's customers (its channel's language).
        return order_language(item.order)

    @extend_schema_field(PriceSerializer)
    def get_price(self, item) -> dict:
        return price(
            item.unit_price_base,
            item.unit_price_final,
            item.vat,
            self._currency(item),
            self._language(item),
        )

    @extend_schema_field(PriceSerializer(allow_null=True))
    def get_price_original(self, item) -> dict | None:
        if item.original_price_final is None:
            return None
        return price(
            item.original_price_base,
            item.original_price_final,
            item.vat,
            self._currency(item),
            self._language(item),
        )


class TrackingSerializer(serializers.Serializer):
    shipper_id = serializers.IntegerField()
    tracking_number = serializers.CharField()
    tracking_url = serializers.CharField(allow_null=True)


class OrderDiscountSerializer(WireModelSerializer):
    """(ours) The order discount as set: its lines are the items of kind `discount`."""

    type = serializers.ChoiceField(choices=DiscountType.choices)
    value = serializers.DecimalField(
        **MONEY, help_text="amount: with VAT, in the order's currency; percent: a percentage."
    )

    class Meta:
        model = OrderDiscount
        fields = ["type", "value", "reason"]


class OrderSerializer(WireModelSerializer):
    """Order: every field of the contract's model plus `status`, and (ours) the payments
    ledger's sums (`refunded`, `payment_state`) and the order `discount`.

    Related objects are {"id", "api_link"} unless the context says `expanded`.
    Expects an order from `selectors.orders_with_details()` (no further queries).
    """

    customer = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()
    channel = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    status = OrderStatusSerializer(allow_null=True)
    # Two or three letters, or null when blank or broken (see iso_code): the client refuses
    # the delivery and currency codes at any other length; state_code follows the same rule.
    state_code = CodeField(length=2)
    delivery_state_code = CodeField(length=2)
    main_currency_code = CodeField(length=3)
    order_currency_code = CodeField(length=3)
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
    refunded = serializers.DecimalField(
        **MONEY, help_text="(ours) Given back by refunds; `paid` is already net of it."
    )
    payment_state = serializers.ChoiceField(
        choices=PaymentState.choices, help_text="(ours) From `paid` and `refunded`."
    )
    discount = serializers.SerializerMethodField()

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
            "refunded",
            "payment_state",
            "discount",
        ]
        read_only_fields = fields

    def to_representation(self, order) -> dict:
        # The declared fields stay the schema and the reference; the answer is written by
        # plain functions (orders/api/representation.py, imported here: it imports this).
        from .representation import order_representation

        return order_representation(self, order)

    @extend_schema_field(_related_schema("CustomerRelated", CustomerSerializer))
    def get_customer(self, order):
        return related(self, "customer", order, "customer")

    @extend_schema_field(COMPANY_RELATED)
    def get_company(self, order):
        return related(self, "company", order, "company")

    @extend_schema_field(CHANNEL_RELATED)
    def get_channel(self, order):
        return related(self, "channel", order, "channel")

    @extend_schema_field(_related_schema("ShippingRelated", ShippingMethodSerializer))
    def get_shipping(self, order):
        return related(self, "shipping", order, "shipping")

    @extend_schema_field(_related_schema("PaymentRelated", PaymentMethodSerializer))
    def get_payment(self, order):
        return related(self, "payment", order, "payment")

    @extend_schema_field(OpenApiTypes.URI)
    def get_order_url(self, order) -> str:
        return context_links(self.context).order_page(order.hash)

    @extend_schema_field(OpenApiTypes.URI)
    def get_invoice_url(self, order) -> str:
        return context_links(self.context).order_invoice(order.hash)

    @extend_schema_field(OrderDiscountSerializer(allow_null=True))
    def get_discount(self, order) -> dict | None:
        try:
            discount = order.discount  # joined by the selector: no query
        except OrderDiscount.DoesNotExist:
            return None
        return OrderDiscountSerializer(discount).data


class HistoryRecordSerializer(WireModelSerializer):
    class Meta:
        model = HistoryRecord
        fields = ["id", "type", "name", "status", "actor", "source", "changes", "created_at"]


# --- The payments ledger and refunds (ours) -------------------------------------------------


class PaymentSerializer(WireModelSerializer):
    """One record of the order's payments ledger. Signed, in the order's currency: a
    payment is positive, a refund negative, a correction either; only `success` counts."""

    kind = serializers.ChoiceField(choices=PaymentKind.choices)
    status = serializers.ChoiceField(choices=PaymentStatus.choices)
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField(source="currency_code")
    method = serializers.SerializerMethodField()
    external_id = serializers.CharField(help_text="The payment gateway's id of the payment.")
    url = serializers.CharField(help_text="The payment gateway's page of the payment.")

    class Meta:
        model = Payment
        fields = [
            "id",
            "kind",
            "status",
            "amount",
            "currency",
            "method",
            "external_id",
            "url",
            "gateway_status",
            "reason",
            "actor",
            "source",
            "created_at",
        ]

    @extend_schema_field(RelatedLinkSerializer(allow_null=True, help_text="The payment method."))
    def get_method(self, payment) -> dict | None:
        return related_link(self.context, "payment", payment.method_id)


class RefundLineSerializer(WireModelSerializer):
    item_id = serializers.IntegerField()
    name = serializers.CharField(source="item.name")
    kind = serializers.ChoiceField(choices=ItemKind.choices, source="item.kind")
    amount = serializers.DecimalField(**MONEY, help_text="With VAT, after the order discount.")

    class Meta:
        model = RefundLine
        fields = ["item_id", "name", "kind", "count", "amount"]


class RefundSerializer(WireModelSerializer):
    """A refund: its lines, the extra amount beyond them, and its ledger record."""

    amount = serializers.DecimalField(**MONEY, help_text="The lines plus `extra_amount`.")
    extra_amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField(source="payment.currency_code")
    payment_id = serializers.IntegerField(help_text="Its record in GET /payments (kind refund).")
    lines = RefundLineSerializer(many=True, source="lines.all")
    mark_returned = serializers.BooleanField(
        help_text="The refunded products came back: the refund has a return (`return_id`)."
    )
    return_id = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "amount",
            "extra_amount",
            "currency",
            "reason",
            "mark_returned",
            "return_id",
            "lines",
            "payment_id",
            "actor",
            "source",
            "created_at",
        ]

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="(ours) The return it pays or records, or null."
        )
    )
    def get_return_id(self, refund) -> int | None:
        try:
            return refund.goods_return.pk  # joined by the selector: no query
        except Return.DoesNotExist:
            return None
