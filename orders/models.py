"""The order domain's data: orders, their items, trackings, history and reference data.

Models hold data and the lifecycle declaration; every write goes through
`orders.services`, which locks, checks the rules, saves and records history.
"""

import secrets
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from .money import validate_currency_code

MONEY = {"max_digits": 14, "decimal_places": 4}
ZERO = Decimal("0")


# --- Reference data ----------------------------------------------------------------


class Channel(models.Model):
    """A sales channel: one shop front (web, marketplace) with its domain and currency."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=255, blank=True)
    currency_code = models.CharField(
        max_length=3, default="EUR", validators=[validate_currency_code]
    )
    company = models.ForeignKey(
        "Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="The seller of this channel's orders.",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A buyer ("People" in the API)."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    state_code = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2.")
    company_nr = models.CharField(max_length=50, blank=True)
    company_vat = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        # Orders find their customer by e-mail, whatever its case.
        indexes = [models.Index(Lower("email"), name="customer_email_lower_idx")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


class Company(models.Model):
    """A seller: the legal entity that issues the order's invoice."""

    name = models.CharField(max_length=200)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    state_code = models.CharField(max_length=2, blank=True)
    company_nr = models.CharField(max_length=50, blank=True)
    company_vat = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    bank_account = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Shipper(models.Model):
    """A carrier. Its template turns a tracking number into a link."""

    name = models.CharField(max_length=200)
    tracking_url_template = models.CharField(
        max_length=500,
        blank=True,
        help_text="The carrier's tracking page with {number} where the tracking number goes, "
        "e.g. https://carrier.example/track/{number}",
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, number: str) -> str | None:
        if not self.tracking_url_template:
            return None

        return self.tracking_url_template.replace("{number}", quote(number, safe=""))


class ChargeMethod(models.Model):
    name = models.CharField(max_length=200)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    price = models.DecimalField(
        **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)], help_text="With VAT."
    )
    vat = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    free_from = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text="With VAT, in the method's currency: the fee is 0 when the order's goods "
        "(after its discount) reach this. Empty: never free.",
    )

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def currency_code(self) -> str:
        """Prices are in the channel's currency; a method of no channel is in the main one."""
        return self.channel.currency_code if self.channel_id else settings.MAIN_CURRENCY


class ShippingMethod(ChargeMethod):
    """A way of shipping offered in a channel (API: Channels/Shippings)."""

    shipper = models.ForeignKey(Shipper, null=True, blank=True, on_delete=models.SET_NULL)


class PaymentMethod(ChargeMethod):
    """A way of paying offered in a channel (API: Channels/Payments)."""


# --- The order and its lifecycle ------------------------------------------------------


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


class ShippingState(models.TextChoices):
    PENDING = "pending", "Not sent"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"


class ClosingState(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELED = "canceled", "Canceled"


def new_order_hash() -> str:
    # 32 random bytes: the order page link is the only secret guarding it.
    return secrets.token_urlsafe(32)


def default_maturity():
    return (timezone.now() + timedelta(days=settings.ORDER_MATURITY_DAYS)).date()


def main_currency() -> str:
    return settings.MAIN_CURRENCY


# Conditions of the lifecycle transitions (django-fsm calls them with the order).
def is_open(order: "Order") -> bool:
    return order.closing_state == ClosingState.OPEN


def is_not_canceled(order: "Order") -> bool:
    return order.closing_state != ClosingState.CANCELED


def is_not_delivered(order: "Order") -> bool:
    return order.shipping_state != ShippingState.DELIVERED


def payment_state_for(order: "Order") -> str:
    """The payment state `paid` and `refunded` (both net, from the payment records) say.

    Once something was refunded: refunded when nothing is held any more, partially
    refunded while money is still held. Before that: unpaid, partially paid, paid against
    the order's money. Nothing paid is unpaid, even while there is nothing to pay yet.
    """
    if order.refunded > ZERO:
        return PaymentState.REFUNDED if order.paid <= ZERO else PaymentState.PARTIALLY_REFUNDED
    if order.paid <= ZERO:
        return PaymentState.UNPAID
    if order.paid < order.money:
        return PaymentState.PARTIALLY_PAID
    return PaymentState.PAID


class Order(FSMModelMixin, models.Model):
    """A customer's order.

    Three small state machines (see `orders.services` for the rules in words):
    payment unpaid -> partially_paid -> paid, from `paid` against `money`;
    shipping pending -> sent -> delivered; closing open -> done | canceled.
    """

    # customer and status: indexed first in order_customer_date_idx, order_status_date_idx.
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT)
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.PROTECT)
    status = models.ForeignKey(
        "statuses.OrderStatus", null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )
    shipping = models.ForeignKey(ShippingMethod, null=True, blank=True, on_delete=models.PROTECT)
    payment = models.ForeignKey(PaymentMethod, null=True, blank=True, on_delete=models.PROTECT)

    date_order = models.DateTimeField(default=timezone.now)
    date_maturity = models.DateField(default=default_maturity)

    # Customer and billing
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    state_code = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2.")
    company_nr = models.CharField("company number", max_length=50, blank=True)
    company_vat = models.CharField("VAT number", max_length=50, blank=True)

    # Delivery
    delivery_email = models.EmailField(blank=True)
    delivery_phone = models.CharField(max_length=50, blank=True)
    delivery_name = models.CharField(max_length=200, blank=True)
    delivery_street = models.CharField(max_length=200, blank=True)
    delivery_city = models.CharField(max_length=100, blank=True)
    delivery_zip = models.CharField(max_length=20, blank=True)
    delivery_state_code = models.CharField(max_length=2, blank=True)

    note = models.TextField("customer's note", blank=True)
    our_note = models.TextField("staff note", blank=True, help_text="Never shown to the customer.")

    hash = models.CharField(max_length=64, unique=True, default=new_order_hash, editable=False)

    # Money, in the order's currency; currency_rate converts to the main currency.
    main_currency_code = models.CharField(
        max_length=3, default=main_currency, validators=[validate_currency_code]
    )
    order_currency_code = models.CharField(
        max_length=3, default=main_currency, validators=[validate_currency_code]
    )
    currency_rate = models.DecimalField(
        max_digits=16, decimal_places=6, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    money = models.DecimalField(**MONEY, default=ZERO, editable=False, help_text="With VAT.")
    money_base = models.DecimalField(
        **MONEY, default=ZERO, editable=False, help_text="Without VAT."
    )
    # Both are sums of the order's payment records, written only by the payment services:
    # paid = what is held now (payments, corrections and refunds), refunded = what went back.
    paid = models.DecimalField(**MONEY, default=ZERO, editable=False)
    refunded = models.DecimalField(**MONEY, default=ZERO, editable=False)
    date_paid = models.DateTimeField(null=True, blank=True, editable=False)
    weight = models.DecimalField(
        max_digits=12, decimal_places=3, default=ZERO, editable=False, help_text="kg"
    )

    # Where the order came from
    ip = models.GenericIPAddressField(null=True, blank=True)
    domain = models.CharField(max_length=255, blank=True)
    external_order_prefix = models.CharField(max_length=50, blank=True)
    external_order_id = models.CharField(max_length=100, blank=True)
    external_payment_id = models.CharField(max_length=200, blank=True)
    external_payment_url = models.URLField(max_length=1000, blank=True)
    payment_status = models.CharField(
        max_length=100, blank=True, help_text="The payment gateway's own status text."
    )

    # Lifecycle
    payment_state = FSMField(
        default=PaymentState.UNPAID, choices=PaymentState.choices, protected=True
    )
    shipping_state = FSMField(
        default=ShippingState.PENDING, choices=ShippingState.choices, protected=True
    )
    closing_state = FSMField(
        default=ClosingState.OPEN, choices=ClosingState.choices, protected=True
    )
    date_sent = models.DateTimeField(null=True, blank=True, editable=False)
    date_delivered = models.DateTimeField(null=True, blank=True, editable=False)
    date_done = models.DateTimeField(null=True, blank=True, editable=False)
    date_canceled = models.DateTimeField(null=True, blank=True, editable=False)

    # Bumped by every write through the services; the API's ETag.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_order", "-id"]
        # The listing's order (newest first, ties by id), with what its filters read, so
        # a page's ids come from the index alone (docs/performance.md has the measurements).
        indexes = [
            models.Index(
                fields=["-date_order", "-id"],
                include=["channel", "company", "status", "closing_state"],
                name="order_date_order_idx",
            ),
            models.Index(
                fields=["status", "-date_order", "-id"],
                include=["closing_state"],
                name="order_status_date_idx",
            ),
            models.Index(
                fields=["customer", "-date_order", "-id"],
                include=["closing_state"],
                name="order_customer_date_idx",
            ),
            models.Index(fields=["updated_at", "id"], name="order_updated_at_idx"),
            models.Index(fields=["external_order_id"], name="order_external_id_idx"),
            models.Index(fields=["closing_state"], name="order_closing_state_idx"),
            models.Index(fields=["shipping_state"], name="order_shipping_state_idx"),
            models.Index(fields=["payment_state"], name="order_payment_state_idx"),
            models.Index(fields=["email"], name="order_email_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(money__gte=0), name="order_money_not_negative"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="order_paid_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0), name="order_refunded_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency_rate__gt=0), name="order_currency_rate_positive"
            ),
            # Delivery needs a shipment: a delivered order was sent first.
            models.CheckConstraint(
                condition=~Q(shipping_state=ShippingState.DELIVERED, date_sent__isnull=True),
                name="order_delivered_was_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk}"

    # API flags, derived from the states.
    @property
    def sent(self) -> bool:
        return self.shipping_state in (ShippingState.SENT, ShippingState.DELIVERED)

    @property
    def delivered(self) -> bool:
        return self.shipping_state == ShippingState.DELIVERED

    @property
    def done(self) -> bool:
        return self.closing_state == ClosingState.DONE

    @property
    def canceled(self) -> bool:
        return self.closing_state == ClosingState.CANCELED

    @property
    def items_editable(self) -> bool:
        return (
            self.closing_state == ClosingState.OPEN and self.shipping_state == ShippingState.PENDING
        )

    @property
    def money_vat(self) -> Decimal:
        return self.money - self.money_base

    @property
    def amount_due(self) -> Decimal:
        """What the customer still owes: a refunded amount is no longer owed."""
        return max(self.money - self.refunded - self.paid, ZERO)

    # --- transitions: they only change the instance; services save and record ----

    @transition(
        field=payment_state,
        source="*",
        target=GET_STATE(payment_state_for, states=PaymentState.values),
        conditions=[is_not_canceled],
    )
    def settle_payment(self) -> None:
        """Move the payment state to what `paid` against `money` says."""

    @transition(
        field=payment_state,
        source="*",
        target=GET_STATE(payment_state_for, states=PaymentState.values),
    )
    def settle_refund(self) -> None:
        """After a refund: also on a canceled order (its money goes back)."""

    @transition(
        field=shipping_state,
        source=ShippingState.PENDING,
        target=ShippingState.SENT,
        conditions=[is_open],
    )
    def mark_sent(self) -> None:
        self.date_sent = timezone.now()

    @transition(
        field=shipping_state,
        source=ShippingState.SENT,
        target=ShippingState.DELIVERED,
        conditions=[is_open],
    )
    def mark_delivered(self) -> None:
        self.date_delivered = timezone.now()

    @transition(field=closing_state, source=ClosingState.OPEN, target=ClosingState.DONE)
    def mark_done(self) -> None:
        self.date_done = timezone.now()

    @transition(
        field=closing_state,
        source=ClosingState.OPEN,
        target=ClosingState.CANCELED,
        conditions=[is_not_delivered],
    )
    def cancel(self) -> None:
        self.date_canceled = timezone.now()


class OrderCount(models.Model):
    """How many orders have one channel, company, status and closing state: the exact
    `total` of a listing narrowed only by those, without counting the orders.

    The rows are changes (+1, -1) written by PostgreSQL triggers on orders_order in the
    same transaction as the order's insert, update or delete, so they are exact under
    concurrent writes and no row is ever locked; a count sums them, and the triggers
    merge them into one row per key now and then (orders/counts.py). Never written by
    Django; not kept on SQLite, where listings count their rows.
    """

    channel_id = models.BigIntegerField(null=True)
    company_id = models.BigIntegerField(null=True)
    status_id = models.BigIntegerField(null=True)
    closing_state = models.CharField(max_length=50)
    orders = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.orders:+} orders"


class ItemKind(models.TextChoices):
    """What a line is. Fee and discount lines are written only by their services (the
    totals code derives them); the item services touch only products."""

    PRODUCT = "product", "Product"
    SHIPPING = "shipping", "Shipping fee"
    PAYMENT = "payment", "Payment fee"
    DISCOUNT = "discount", "Discount"


FEE_KINDS = (ItemKind.SHIPPING, ItemKind.PAYMENT)


class OrderItem(models.Model):
    """One line of an order. Prices are per unit in the order's currency.

    The order's money is the sum of all its lines: products, the shipping and payment fee
    lines (one of each at most) and the discount lines (negative, one per VAT rate).
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ItemKind.choices, default=ItemKind.PRODUCT)
    article_id = models.BigIntegerField(
        null=True, blank=True, help_text="The article's id in the shop's catalog, if any."
    )
    code = models.CharField("code (SKU)", max_length=100, blank=True)
    name = models.CharField(max_length=300)
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    ordered = models.PositiveIntegerField(
        default=0, help_text="How many the customer ordered (count may differ after changes)."
    )
    waiting_count = models.PositiveIntegerField(
        default=0, help_text="How many are waiting for stock."
    )
    note = models.TextField(blank=True)
    unit_price_base = models.DecimalField(**MONEY, help_text="Without VAT.")
    vat = models.DecimalField(
        "VAT %",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    unit_price_final = models.DecimalField(**MONEY, help_text="With VAT.")
    original_price_base = models.DecimalField(**MONEY, null=True, blank=True)
    original_price_final = models.DecimalField(**MONEY, null=True, blank=True)
    weight = models.DecimalField(
        max_digits=10, decimal_places=3, default=ZERO, help_text="Unit weight in kg."
    )
    free_from = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        editable=False,
        help_text="Fee lines: the goods total (with VAT, after the discount, in the order's "
        "currency) from which the fee is 0; the method's threshold when it was set.",
    )
    returned_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="How many came back (marked by a refund)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="item_count_positive"),
            models.CheckConstraint(condition=Q(kind__in=ItemKind.values), name="item_kind_known"),
            # Discount lines are the only negative ones, and they are never positive.
            models.CheckConstraint(
                condition=Q(kind=ItemKind.DISCOUNT)
                | Q(unit_price_base__gte=0, unit_price_final__gte=0),
                name="item_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ItemKind.DISCOUNT)
                | Q(unit_price_base__lte=0, unit_price_final__lte=0, count=1),
                name="item_discount_not_positive",
            ),
            models.CheckConstraint(
                condition=Q(returned_count__lte=F("count")), name="item_returned_within_count"
            ),
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=FEE_KINDS),
                name="item_one_fee_line_per_kind",
            ),
            models.UniqueConstraint(
                fields=["order", "vat"],
                condition=Q(kind=ItemKind.DISCOUNT),
                name="item_one_discount_line_per_rate",
            ),
            models.CheckConstraint(
                condition=Q(original_price_base__gte=0) | Q(original_price_base__isnull=True),
                name="item_original_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(vat__gte=0, vat__lte=100), name="item_vat_between_0_and_100"
            ),
            # VAT adds to a price and to a discount's size (-12.10 with VAT is -10.00 without).
            models.CheckConstraint(
                condition=Q(kind=ItemKind.DISCOUNT, unit_price_final__lte=F("unit_price_base"))
                | (~Q(kind=ItemKind.DISCOUNT) & Q(unit_price_final__gte=F("unit_price_base"))),
                name="item_final_price_includes_vat",
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="item_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.name}"

    @property
    def total_base(self) -> Decimal:
        return self.unit_price_base * self.count

    @property
    def total_final(self) -> Decimal:
        return self.unit_price_final * self.count

    @property
    def total_vat(self) -> Decimal:
        return self.total_final - self.total_base

    @property
    def is_product(self) -> bool:
        return self.kind == ItemKind.PRODUCT


class Tracking(models.Model):
    """A parcel's tracking number at a carrier."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="trackings")
    shipper = models.ForeignKey(Shipper, on_delete=models.PROTECT)
    tracking_number = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipper", "tracking_number"], name="tracking_number_unique_per_shipper"
            ),
        ]
        indexes = [models.Index(fields=["tracking_number"], name="tracking_number_idx")]

    def __str__(self) -> str:
        return f"{self.shipper} {self.tracking_number}"

    @property
    def tracking_url(self) -> str | None:
        return self.shipper.tracking_url(self.tracking_number)


class HistorySource(models.TextChoices):
    API = "api", "API"
    ADMIN = "admin", "Back office"
    COMMAND = "command", "Command"
    SYSTEM = "system", "System"


class HistoryRecord(models.Model):
    """One entry of an order's timeline. Written only by `orders.events`; never changed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    type = models.CharField(max_length=50, db_index=True)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=200, blank=True)
    actor = models.CharField(max_length=200, help_text="Who did it, in words.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        "orders.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=HistorySource.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [old, new]")
    customer_visible = models.BooleanField(
        default=False, help_text="Shown on the customer's order page."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="history_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.name}"

    def save(self, *args, **kwargs):
        # The timeline is evidence: an entry, once written, is never rewritten.
        if not self._state.adding:
            raise ValueError("History records are append-only.")
        super().save(*args, **kwargs)


class OrderEvent(models.Model):
    """The outbox: one row per thing that happened to an order, written in the same
    transaction as the change. Webhooks, e-mails and the change feed read it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=50, db_index=True)  # order.created, order.paid, ...
    payload = models.JSONField(default=dict)
    # PostgreSQL: the writing transaction's id, so the change feed can hand out events
    # in commit-safe order (see the feed). Null on SQLite, where writers are serialized.
    txid = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["order", "id"], name="event_order_idx"),
            # The change feed and the dispatcher read the outbox in (txid, id) order.
            models.Index(Coalesce("txid", Value(0)), "id", name="event_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.order_id}"


# --- Money: the order discount, the payments ledger, refunds --------------------------


class DiscountType(models.TextChoices):
    AMOUNT = "amount", "Amount"
    PERCENT = "percent", "Percent"


class RecordedBy(models.Model):
    """Who wrote a money record, as the history records it."""

    actor = models.CharField(max_length=200, help_text="Who did it, in words.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        "orders.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=HistorySource.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class OrderDiscount(RecordedBy):
    """A discount on the whole order: an amount (with VAT, in the order's currency) or a
    percentage of the goods. Its lines (kind "discount") are derived from it by the totals
    code, split over the VAT rates of the products; fees are not discounted."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="discount")
    type = models.CharField(max_length=10, choices=DiscountType.choices)
    value = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="discount_value_positive"),
            models.CheckConstraint(
                condition=~Q(type=DiscountType.PERCENT) | Q(value__lte=100),
                name="discount_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        unit = " %" if self.type == DiscountType.PERCENT else ""
        return f"Discount {self.value.normalize()}{unit} on order {self.order_id}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    CORRECTION = "correction", "Correction"
    REFUND = "refund", "Refund"


class PaymentStatus(models.TextChoices):
    """The wire's payment status (PATCH paid `status`); only success counts in `paid`."""

    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    CANCELED = "canceled", "Canceled"
    UNKNOWN = "unknown", "Unknown"


class Payment(RecordedBy):
    """One entry of the order's payments ledger; `Order.paid` is the sum of the successful
    ones. Signed, in the order's currency: a payment is positive, a refund negative, a
    correction either. Written only by the payment services; never changed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    kind = models.CharField(max_length=10, choices=PaymentKind.choices)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.SUCCESS
    )
    amount = models.DecimalField(**MONEY)
    currency_code = models.CharField(max_length=3, validators=[validate_currency_code])
    method = models.ForeignKey(
        PaymentMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    gateway_status = models.CharField(
        max_length=100, blank=True, help_text="The payment gateway's own status text."
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="payment_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=PaymentKind.PAYMENT) & Q(amount__gt=0))
                | (Q(kind=PaymentKind.REFUND) & Q(amount__lt=0))
                | (Q(kind=PaymentKind.CORRECTION) & ~Q(amount=0)),
                name="payment_amount_sign_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency_code} #{self.order_id}"

    def save(self, *args, **kwargs):
        # The ledger is evidence: an entry, once written, is never rewritten.
        if not self._state.adding:
            raise ValueError("Payments are append-only.")
        super().save(*args, **kwargs)

    @property
    def counts(self) -> bool:
        """Only successful records count in the order's paid."""
        return self.status == PaymentStatus.SUCCESS


class Refund(RecordedBy):
    """Money given back: by lines (products or fees, with a count) and/or an amount. Its
    ledger entry is `payment` (a negative payment of the same amount)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(**MONEY, help_text="In total: the lines plus the extra amount.")
    extra_amount = models.DecimalField(
        **MONEY, default=ZERO, help_text="Given back beyond the lines (goodwill, a partial)."
    )
    reason = models.CharField(max_length=300)
    mark_returned = models.BooleanField(default=False, help_text="The refunded products came back.")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(extra_amount__gte=0), name="refund_extra_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} #{self.order_id}"


class RefundLine(models.Model):
    """A line of a refund: how many units of an order line went back, and for how much."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="refund_lines")
    count = models.PositiveIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="refund_line_count_positive"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="refund_line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} x item {self.item_id}"


# --- API keys --------------------------------------------------------------------------


class ApiKeyScope(models.TextChoices):
    READ_ONLY = "read", "Read only"
    READ_WRITE = "write", "Read and write"


class ApiKey(models.Model):
    """A key an external system sends in the `token` header. Only its hash is stored."""

    name = models.CharField(max_length=200, help_text="Who uses it, e.g. 'Web shop' or 'GoPay'.")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    hashed_key = models.CharField(max_length=128, editable=False)
    scope = models.CharField(
        max_length=5, choices=ApiKeyScope.choices, default=ApiKeyScope.READ_WRITE
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.name

    @property
    def read_only(self) -> bool:
        return self.scope == ApiKeyScope.READ_ONLY


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an Idempotency-Key, replayed on a retry."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_per_api_key"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
