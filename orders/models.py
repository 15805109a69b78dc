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
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from .language import default_language, language_choices
from .money import format_money, validate_currency_code

MONEY = {"max_digits": 14, "decimal_places": 4}
ZERO = Decimal("0")


# --- Reference data ----------------------------------------------------------------


class Channel(models.Model):
    """A sales channel: one shop front (web, marketplace) with its domain, currency and the
    language its customers read."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    currency_code = models.CharField(
        _("currency code"), max_length=3, default="EUR", validators=[validate_currency_code]
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text=_(
            "Of its orders' customer pages, e-mails, invoices and the API's written amounts."
        ),
    )
    company = models.ForeignKey(
        "Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("The seller of this channel's orders."),
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A buyer ("People" in the API)."""

    name = models.CharField(pgettext_lazy("a person's", "name"), max_length=200)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip = models.CharField(_("zip"), max_length=20, blank=True)
    state_code = models.CharField(
        _("state code"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2.")
    )
    company_nr = models.CharField(_("company nr"), max_length=50, blank=True)
    company_vat = models.CharField(_("company vat"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        # Orders find their customer by e-mail, whatever its case.
        indexes = [models.Index(Lower("email"), name="customer_email_lower_idx")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


class Company(models.Model):
    """A seller: the legal entity that issues the order's invoice."""

    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip = models.CharField(_("zip"), max_length=20, blank=True)
    state_code = models.CharField(_("state code"), max_length=2, blank=True)
    company_nr = models.CharField(_("company nr"), max_length=50, blank=True)
    company_vat = models.CharField(_("company vat"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("company")
        ordering = ["name", "id"]
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Shipper(models.Model):
    """A carrier. Its template turns a tracking number into a link."""

    name = models.CharField(_("name"), max_length=200)
    tracking_url_template = models.CharField(
        _("tracking url template"),
        max_length=500,
        blank=True,
        help_text=_(
            "The carrier's tracking page with {number} where the tracking number goes, "
            "e.g. https://carrier.example/track/{number}"
        ),
    )

    class Meta:
        verbose_name = _("shipper")
        verbose_name_plural = _("shippers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def tracking_url(self, number: str) -> str | None:
        if not self.tracking_url_template:
            return None

        return self.tracking_url_template.replace("{number}", quote(number, safe=""))


class ChargeMethod(models.Model):
    name = models.CharField(_("name"), max_length=200)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    price = models.DecimalField(
        _("price"),
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("With VAT."),
    )
    vat = models.DecimalField(
        _("vat"),
        max_digits=5,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    free_from = models.DecimalField(
        _("free from"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_(
            "With VAT, in the method's currency: the fee is 0 when the order's goods "
            "(after its discount) reach this. Empty: never free."
        ),
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

    shipper = models.ForeignKey(
        Shipper, verbose_name=_("shipper"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta(ChargeMethod.Meta):
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")


class PaymentMethod(ChargeMethod):
    """A way of paying offered in a channel (API: Channels/Payments)."""

    class Meta(ChargeMethod.Meta):
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")


# --- The order and its lifecycle ------------------------------------------------------


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class ShippingState(models.TextChoices):
    """Derived from the parcels (see `shipping_state_for`): partially sent while some
    product units still wait; sent, partially delivered, delivered once nothing waits."""

    PENDING = "pending", _("Not sent")
    PARTIALLY_SENT = "partially_sent", _("Partially sent")
    SENT = "sent", _("Sent")
    PARTIALLY_DELIVERED = "partially_delivered", _("Partially delivered")
    DELIVERED = "delivered", _("Delivered")


class ClosingState(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELED = "canceled", _("Canceled")


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
    """Nothing reached the customer yet (no unit delivered)."""
    return order.shipping_state not in (ShippingState.PARTIALLY_DELIVERED, ShippingState.DELIVERED)


# Shipping states once every product unit is on its way or delivered (the wire's `sent`).
ALL_SENT = ("sent", "partially_delivered", "delivered")


def shipping_state_of(*, units: int, sent: int, delivered: int) -> str | None:
    """The shipping state of an order with `units` product units, `sent` of them in sent
    parcels and `delivered` in delivered ones (units waiting or in packed parcels are not
    sent). None for an order without product units: its whole-order flags decide.

    pending while no unit is sent; partially sent while some are and others are not;
    once all are: sent while none is delivered, partially delivered while some are,
    delivered when all are."""
    if units <= 0:
        return None
    if sent + delivered == 0:
        return ShippingState.PENDING
    if sent + delivered < units:
        return ShippingState.PARTIALLY_SENT
    if delivered == 0:
        return ShippingState.SENT
    if delivered < units:
        return ShippingState.PARTIALLY_DELIVERED
    return ShippingState.DELIVERED


def parcels_state_for(order: "Order") -> str | None:
    """The shipping state the order's parcels say (two queries); None for an order
    without product lines (see shipping_state_of)."""
    units = OrderItem.objects.filter(order=order, kind=ItemKind.PRODUCT).aggregate(n=Sum("count"))[
        "n"
    ]
    in_parcels = dict(
        ShipmentLine.objects.filter(
            shipment__order=order,
            shipment__state__in=[ShipmentState.SENT, ShipmentState.DELIVERED],
        )
        .values_list("shipment__state")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return shipping_state_of(
        units=units or 0,
        sent=in_parcels.get(ShipmentState.SENT, 0),
        delivered=in_parcels.get(ShipmentState.DELIVERED, 0),
    )


def shipping_state_for(order: "Order") -> str:
    """What the parcels say; an order without product lines keeps its state (the
    whole-order /sent and /delivered set it)."""
    return parcels_state_for(order) or order.shipping_state


def sent_state_for(order: "Order") -> str:
    """The state once everything is sent: what the parcels say (sent, or partially
    delivered when some parcels arrived already), sent for an order without products."""
    return parcels_state_for(order) or ShippingState.SENT


def delivered_state_for(order: "Order") -> str:
    """The state once every sent parcel is delivered: delivered (a safety net: the
    transition refuses anything else the parcels would say)."""
    return parcels_state_for(order) or ShippingState.DELIVERED


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
    shipping pending -> partially_sent -> sent -> partially_delivered -> delivered, from
    the parcels (`shipping_state_for`); closing open -> done | canceled.
    """

    # customer and status: indexed first in order_customer_date_idx, order_status_date_idx.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.ForeignKey(
        "statuses.OrderStatus",
        verbose_name=_("status"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    shipping = models.ForeignKey(
        ShippingMethod, verbose_name=_("shipping"), null=True, blank=True, on_delete=models.PROTECT
    )
    payment = models.ForeignKey(
        PaymentMethod, verbose_name=_("payment"), null=True, blank=True, on_delete=models.PROTECT
    )

    date_order = models.DateTimeField(_("date order"), default=timezone.now)
    date_maturity = models.DateField(_("date maturity"), default=default_maturity)

    # Customer and billing
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    name = models.CharField(pgettext_lazy("a person's", "name"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip = models.CharField(_("zip"), max_length=20, blank=True)
    state_code = models.CharField(
        _("state code"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2.")
    )
    company_nr = models.CharField(_("company number"), max_length=50, blank=True)
    company_vat = models.CharField(_("VAT number"), max_length=50, blank=True)

    # Delivery
    delivery_email = models.EmailField(_("delivery email"), blank=True)
    delivery_phone = models.CharField(_("delivery phone"), max_length=50, blank=True)
    delivery_name = models.CharField(_("delivery name"), max_length=200, blank=True)
    delivery_street = models.CharField(_("delivery street"), max_length=200, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_zip = models.CharField(_("delivery zip"), max_length=20, blank=True)
    delivery_state_code = models.CharField(_("delivery state code"), max_length=2, blank=True)

    note = models.TextField(_("customer's note"), blank=True)
    our_note = models.TextField(
        _("staff note"), blank=True, help_text=_("Never shown to the customer.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        blank=True,
        default="",
        help_text=_("Of the customer's pages, e-mails and invoices; empty: the channel's."),
    )

    hash = models.CharField(
        _("hash"), max_length=64, unique=True, default=new_order_hash, editable=False
    )

    # Money, in the order's currency; currency_rate converts to the main currency.
    main_currency_code = models.CharField(
        _("main currency code"),
        max_length=3,
        default=main_currency,
        validators=[validate_currency_code],
    )
    order_currency_code = models.CharField(
        _("order currency code"),
        max_length=3,
        default=main_currency,
        validators=[validate_currency_code],
    )
    currency_rate = models.DecimalField(
        _("currency rate"),
        max_digits=16,
        decimal_places=6,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    money = models.DecimalField(
        _("money"), **MONEY, default=ZERO, editable=False, help_text=_("With VAT.")
    )
    money_base = models.DecimalField(
        _("money base"), **MONEY, default=ZERO, editable=False, help_text=_("Without VAT.")
    )
    # Both are sums of the order's payment records, written only by the payment services:
    # paid = what is held now (payments, corrections and refunds), refunded = what went back.
    paid = models.DecimalField(_("paid"), **MONEY, default=ZERO, editable=False)
    refunded = models.DecimalField(_("refunded"), **MONEY, default=ZERO, editable=False)
    date_paid = models.DateTimeField(_("date paid"), null=True, blank=True, editable=False)
    weight = models.DecimalField(
        _("weight"),
        max_digits=12,
        decimal_places=3,
        default=ZERO,
        editable=False,
        help_text=_("kg"),
    )

    # Where the order came from
    ip = models.GenericIPAddressField(_("ip"), null=True, blank=True)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    external_order_prefix = models.CharField(_("external order prefix"), max_length=50, blank=True)
    external_order_id = models.CharField(_("external order id"), max_length=100, blank=True)
    external_payment_id = models.CharField(_("external payment id"), max_length=200, blank=True)
    external_payment_url = models.URLField(_("external payment url"), max_length=1000, blank=True)
    payment_status = models.CharField(
        _("payment status"),
        max_length=100,
        blank=True,
        help_text=_("The payment gateway's own status text."),
    )

    # Lifecycle
    payment_state = FSMField(
        _("payment state"),
        default=PaymentState.UNPAID,
        choices=PaymentState.choices,
        protected=True,
    )
    shipping_state = FSMField(
        _("shipping state"),
        default=ShippingState.PENDING,
        choices=ShippingState.choices,
        protected=True,
    )
    closing_state = FSMField(
        _("closing state"), default=ClosingState.OPEN, choices=ClosingState.choices, protected=True
    )
    date_sent = models.DateTimeField(_("date sent"), null=True, blank=True, editable=False)
    date_delivered = models.DateTimeField(
        _("date delivered"), null=True, blank=True, editable=False
    )
    date_done = models.DateTimeField(_("date done"), null=True, blank=True, editable=False)
    date_canceled = models.DateTimeField(_("date canceled"), null=True, blank=True, editable=False)

    # Bumped by every write through the services; the API's ETag.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
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
        return gettext("Order %(id)s") % {"id": self.pk}

    # API flags, derived from the states.
    @property
    def sent(self) -> bool:
        """Everything is sent (some parcels may be delivered already)."""
        return self.shipping_state in ALL_SENT

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
        """Open and not fully sent: lines (and what follows them) may change; the units
        already in parcels stay (the item services check shipped_count)."""
        return self.closing_state == ClosingState.OPEN and self.shipping_state in (
            ShippingState.PENDING,
            ShippingState.PARTIALLY_SENT,
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
        source=[ShippingState.PENDING, ShippingState.PARTIALLY_SENT],
        target=GET_STATE(
            sent_state_for, states=[ShippingState.SENT, ShippingState.PARTIALLY_DELIVERED]
        ),
        conditions=[is_open],
    )
    def mark_sent(self) -> None:
        """Everything is sent: the service sent every parcel first (an order without
        product lines is sent as a whole)."""
        self.date_sent = timezone.now()

    @transition(
        field=shipping_state,
        source=[ShippingState.SENT, ShippingState.PARTIALLY_DELIVERED],
        target=GET_STATE(delivered_state_for, states=[ShippingState.DELIVERED]),
        conditions=[is_open],
    )
    def mark_delivered(self) -> None:
        """Everything is delivered: the service delivered every sent parcel first."""
        self.date_delivered = timezone.now()

    @transition(
        field=shipping_state,
        source="*",
        target=GET_STATE(shipping_state_for, states=ShippingState.values),
    )
    def settle_shipping(self) -> None:
        """Move the shipping state to what the parcels say (after a parcel changed, or
        the lines did). Dates follow: date_sent while everything is sent, date_delivered
        while everything is delivered."""

    def settle_shipping_dates(self) -> None:
        now = timezone.now()
        if self.shipping_state not in ALL_SENT:
            self.date_sent = None
        elif self.date_sent is None:
            self.date_sent = now
        if self.shipping_state != ShippingState.DELIVERED:
            self.date_delivered = None
        elif self.date_delivered is None:
            self.date_delivered = now

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

    PRODUCT = "product", _("Product")
    SHIPPING = "shipping", _("Shipping fee")
    PAYMENT = "payment", _("Payment fee")
    DISCOUNT = "discount", _("Discount")


FEE_KINDS = (ItemKind.SHIPPING, ItemKind.PAYMENT)


class OrderItem(models.Model):
    """One line of an order. Prices are per unit in the order's currency.

    The order's money is the sum of all its lines: products, the shipping and payment fee
    lines (one of each at most) and the discount lines (negative, one per VAT rate).
    """

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.PRODUCT
    )
    article_id = models.BigIntegerField(
        _("article id"),
        null=True,
        blank=True,
        help_text=_("The article's id in the shop's catalog, if any."),
    )
    code = models.CharField(_("code (SKU)"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=300)
    count = models.PositiveIntegerField(_("count"), validators=[MinValueValidator(1)])
    ordered = models.PositiveIntegerField(
        _("ordered"),
        default=0,
        help_text=_("How many the customer ordered (count may differ after changes)."),
    )
    note = models.TextField(_("note"), blank=True)
    unit_price_base = models.DecimalField(
        _("unit price base"), **MONEY, help_text=_("Without VAT.")
    )
    vat = models.DecimalField(
        _("VAT %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    unit_price_final = models.DecimalField(_("unit price final"), **MONEY, help_text=_("With VAT."))
    original_price_base = models.DecimalField(
        _("original price base"), **MONEY, null=True, blank=True
    )
    original_price_final = models.DecimalField(
        _("original price final"), **MONEY, null=True, blank=True
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=3,
        default=ZERO,
        help_text=_("Unit weight in kg."),
    )
    free_from = models.DecimalField(
        _("free from"),
        **MONEY,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Fee lines: the goods total (with VAT, after the discount, in the order's "
            "currency) from which the fee is 0; the method's threshold when it was set."
        ),
    )
    # Both are kept by the parcel and return services in the order's transaction (sums of
    # the lines of its parcels that are not returned to sender, and of its returns that are
    # not rejected); check_orders verifies them. waiting_count (the wire's) is derived.
    shipped_count = models.PositiveIntegerField(
        _("shipped count"),
        default=0,
        editable=False,
        help_text=_("How many are in parcels (packed or on their way)."),
    )
    returned_count = models.PositiveIntegerField(
        _("returned count"),
        default=0,
        editable=False,
        help_text=_("How many the customer sent back (returns)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
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
            models.CheckConstraint(
                condition=Q(shipped_count__lte=F("count")), name="item_shipped_within_count"
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

    @property
    def waiting_count(self) -> int:
        """Units not in a parcel yet (packed parcels reserve theirs); 0 for fee and
        discount lines, which are never shipped."""
        return self.count - self.shipped_count if self.kind == ItemKind.PRODUCT else 0


class Tracking(models.Model):
    """A parcel's tracking number at a carrier."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="trackings"
    )
    shipper = models.ForeignKey(Shipper, verbose_name=_("shipper"), on_delete=models.PROTECT)
    tracking_number = models.CharField(_("tracking number"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracking")
        verbose_name_plural = _("trackings")
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
    API = "api", _("API")
    ADMIN = "admin", _("Back office")
    COMMAND = "command", _("Command")
    SYSTEM = "system", _("System")


class HistoryRecord(models.Model):
    """One entry of an order's timeline. Written only by `orders.events`; never changed."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="history"
    )
    type = models.CharField(_("type"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=300)
    status = models.CharField(_("status"), max_length=200, blank=True)
    actor = models.CharField(_("actor"), max_length=200, help_text=_("Who did it, in words."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    api_key = models.ForeignKey(
        "orders.ApiKey",
        verbose_name=_("api key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=HistorySource.choices)
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("field: [old, new]")
    )
    customer_visible = models.BooleanField(
        _("customer visible"), default=False, help_text=_("Shown on the customer's order page.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("history record")
        verbose_name_plural = _("history records")
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

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(
        _("type"), max_length=50, db_index=True
    )  # order.created, order.paid, ...
    payload = models.JSONField(_("payload"), default=dict)
    # PostgreSQL: the writing transaction's id, so the change feed can hand out events
    # in commit-safe order (see the feed). Null on SQLite, where writers are serialized.
    txid = models.BigIntegerField(_("txid"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
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
    AMOUNT = "amount", _("Amount")
    PERCENT = "percent", _("Percent")


class RecordedBy(models.Model):
    """Who wrote a money record, as the history records it.

    Its fields keep their derived (English) names: the invoices app's models inherit them
    too, so naming them here would change its migrations; the back office's inlines label
    these columns themselves (orders/admin/money.py)."""

    actor = models.CharField(max_length=200, help_text=_("Who did it, in words."))
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

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="discount"
    )
    type = models.CharField(_("type"), max_length=10, choices=DiscountType.choices)
    value = models.DecimalField(_("value"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("order discount")
        verbose_name_plural = _("order discounts")
        constraints = [
            models.CheckConstraint(condition=Q(value__gt=0), name="discount_value_positive"),
            models.CheckConstraint(
                condition=~Q(type=DiscountType.PERCENT) | Q(value__lte=100),
                name="discount_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        unit = " %" if self.type == DiscountType.PERCENT else ""
        return gettext("Discount %(value)s on order %(order)s") % {
            "value": f"{self.value.normalize()}{unit}",
            "order": self.order_id,
        }


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    CORRECTION = "correction", _("Correction")
    REFUND = "refund", _("Refund")


class PaymentStatus(models.TextChoices):
    """The wire's payment status (PATCH paid `status`); only success counts in `paid`."""

    SUCCESS = "success", pgettext_lazy("payment status", "Success")
    DENIED = "denied", pgettext_lazy("payment status", "Denied")
    CANCELED = "canceled", pgettext_lazy("payment status", "Canceled")
    UNKNOWN = "unknown", pgettext_lazy("payment status", "Unknown")


class Payment(RecordedBy):
    """One entry of the order's payments ledger; `Order.paid` is the sum of the successful
    ones. Signed, in the order's currency: a payment is positive, a refund negative, a
    correction either. Written only by the payment services; never changed."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.SUCCESS
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency_code = models.CharField(
        _("currency code"), max_length=3, validators=[validate_currency_code]
    )
    method = models.ForeignKey(
        PaymentMethod,
        verbose_name=_("method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    url = models.URLField(_("url"), max_length=1000, blank=True)
    gateway_status = models.CharField(
        _("gateway status"),
        max_length=100,
        blank=True,
        help_text=_("The payment gateway's own status text."),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
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
        amount = format_money(self.amount, self.currency_code)
        return f"{self.get_kind_display()} {amount} #{self.order_id}"

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

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="refunds"
    )
    payment = models.OneToOneField(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refund"
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, help_text=_("In total: the lines plus the extra amount.")
    )
    extra_amount = models.DecimalField(
        _("extra amount"),
        **MONEY,
        default=ZERO,
        help_text=_("Given back beyond the lines (goodwill, a partial)."),
    )
    reason = models.CharField(_("reason"), max_length=300)
    mark_returned = models.BooleanField(
        _("mark returned"), default=False, help_text=_("The refunded products came back.")
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(extra_amount__gte=0), name="refund_extra_not_negative"
            ),
        ]

    def __str__(self) -> str:
        amount = format_money(self.amount, self.order.order_currency_code)
        return gettext("Refund %(amount)s #%(order)s") % {"amount": amount, "order": self.order_id}


class RefundLine(models.Model):
    """A line of a refund: how many units of an order line went back, and for how much."""

    refund = models.ForeignKey(
        Refund, verbose_name=_("refund"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        OrderItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="refund_lines"
    )
    count = models.PositiveIntegerField(_("count"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="refund_line_count_positive"),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="refund_line_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(count)s x item %(item)s") % {"count": self.count, "item": self.item_id}


# --- API keys --------------------------------------------------------------------------


class ApiKeyScope(models.TextChoices):
    READ_ONLY = "read", _("Read only")
    READ_WRITE = "write", _("Read and write")


class ApiKey(models.Model):
    """A key an external system sends in the `token` header. Only its hash is stored."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Who uses it, e.g. 'Web shop' or 'GoPay'.")
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    hashed_key = models.CharField(_("hashed key"), max_length=128, editable=False)
    scope = models.CharField(
        _("scope"), max_length=5, choices=ApiKeyScope.choices, default=ApiKeyScope.READ_WRITE
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("API keys")
        ordering = ["name", "id"]
        verbose_name = _("API key")

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


# --- Parcels and returns ---------------------------------------------------------------


class ShipmentState(models.TextChoices):
    PACKED = "packed", _("Packed")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned to sender")


class Shipment(FSMModelMixin, RecordedBy):
    """A parcel: chosen units of the order's product lines, with a carrier's tracking
    number. packed -> sent -> delivered, or sent -> returned (to sender: its units wait
    again). Written only by orders.services.shipments; the order's shipping state and its
    lines' shipped_count follow from its parcels."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    state = FSMField(default=ShipmentState.PACKED, choices=ShipmentState.choices, protected=True)
    tracking = models.OneToOneField(
        Tracking, null=True, blank=True, on_delete=models.SET_NULL, related_name="shipment"
    )
    weight = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        default=ZERO,
        validators=[MinValueValidator(0)],
        help_text="kg",
    )
    date_sent = models.DateTimeField(null=True, blank=True, editable=False)
    date_delivered = models.DateTimeField(null=True, blank=True, editable=False)
    date_returned = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "state"], name="shipment_order_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="shipment_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Parcel {self.pk} of order {self.order_id}"

    @property
    def tracking_url(self) -> str | None:
        return self.tracking.tracking_url if self.tracking_id else None

    @transition(field=state, source=ShipmentState.PACKED, target=ShipmentState.SENT)
    def mark_sent(self) -> None:
        self.date_sent = timezone.now()

    @transition(field=state, source=ShipmentState.SENT, target=ShipmentState.DELIVERED)
    def mark_delivered(self) -> None:
        self.date_delivered = timezone.now()

    @transition(field=state, source=ShipmentState.SENT, target=ShipmentState.RETURNED)
    def mark_returned(self) -> None:
        self.date_returned = timezone.now()


class ShipmentLine(models.Model):
    """How many units of one product line a parcel holds."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="shipment_lines")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("parcel line")
        verbose_name_plural = _("parcel lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="shipment_line_count_positive"),
            models.UniqueConstraint(fields=["shipment", "item"], name="shipment_line_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.count} x item {self.item_id}"


class ReturnState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    # "Refunded" alone is the payment state's word (money given back); a return's differs.
    REFUNDED = "refunded", pgettext_lazy("a return's state", "Refunded")
    REJECTED = "rejected", _("Rejected")


class Return(FSMModelMixin, RecordedBy):
    """Goods the customer sends back, from delivered parcels. requested -> received ->
    refunded (its refund), or requested/received -> rejected. Written only by
    orders.services.returns."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    state = FSMField(default=ReturnState.REQUESTED, choices=ReturnState.choices, protected=True)
    reason = models.CharField(max_length=300)
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="goods_return"
    )
    date_received = models.DateTimeField(null=True, blank=True, editable=False)
    date_refunded = models.DateTimeField(null=True, blank=True, editable=False)
    date_rejected = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "state"], name="return_order_state_idx")]

    def __str__(self) -> str:
        return f"Return {self.pk} of order {self.order_id}"

    @transition(field=state, source=ReturnState.REQUESTED, target=ReturnState.RECEIVED)
    def mark_received(self) -> None:
        self.date_received = timezone.now()

    @transition(field=state, source=ReturnState.RECEIVED, target=ReturnState.REFUNDED)
    def mark_refunded(self) -> None:
        self.date_refunded = timezone.now()

    @transition(
        field=state,
        source=[ReturnState.REQUESTED, ReturnState.RECEIVED],
        target=ReturnState.REJECTED,
    )
    def reject(self) -> None:
        self.date_rejected = timezone.now()


class ReturnLine(models.Model):
    """How many units of one product line come back."""

    goods_return = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="return_lines")
    count = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gt=0), name="return_line_count_positive"),
            models.UniqueConstraint(
                fields=["goods_return", "item"], name="return_line_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} x item {self.item_id}"
