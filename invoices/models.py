"""Invoices and credit notes: numbered tax documents, issued from an order and never changed.

An issued document is a snapshot. Seller, buyer, delivery address, payment details,
lines, totals and dates are copied from the order (and the seller's company) in the
transaction that issues it; nothing that changes on the order later changes it. A wrong
invoice is corrected by a credit note, which refers to the invoice and carries the
corrected lines as negative amounts.

One table holds both kinds (`kind`): they share every column, the customer's pages and
the exports list them together, and a credit note's reference to its invoice is a
foreign key into the same table. Numbers come from `NumberSeries` (one row per company,
kind and year, locked while a number is taken; see invoices/numbering.py).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.language import language_choices
from orders.models import MONEY, Company, Order, RecordedBy, Refund

ZERO = Decimal("0")


class Trigger(models.TextChoices):
    """When a company's invoices are issued without anyone asking."""

    PAID = "paid", _("When the order is paid")
    SENT = "sent", _("When the order is sent")
    NEVER = "never", _("Never (staff or the API issue them)")


DEFAULT_INVOICE_FORMAT = "{year}-{number:06d}"
DEFAULT_CREDIT_NOTE_FORMAT = "D{year}-{number:06d}"


class InvoiceSettings(models.Model):
    """A seller's invoicing: when invoices are issued, how they are numbered, where they
    are paid. The seller's name, address, numbers and bank account line are the company's
    own fields; a company without these settings never issues invoices automatically and
    numbers them in the default formats."""

    company = models.OneToOneField(
        Company,
        on_delete=models.CASCADE,
        related_name="invoice_settings",
        verbose_name=_("company"),
    )
    trigger = models.CharField(
        _("issue invoices automatically"),
        max_length=10,
        choices=Trigger.choices,
        default=Trigger.NEVER,
        help_text=_("Staff (a button on the order) and the API can always issue one."),
    )
    invoice_number_format = models.CharField(
        _("invoice number format"),
        max_length=40,
        default=DEFAULT_INVOICE_FORMAT,
        help_text=_(
            "{year} and {number} (e.g. {number:06d} for six digits): 2026-000123. "
            "Numbers start at 1 every year."
        ),
    )
    credit_note_number_format = models.CharField(
        _("credit note number format"),
        max_length=40,
        default=DEFAULT_CREDIT_NOTE_FORMAT,
        help_text=_("The credit notes' own series, e.g. D{year}-{number:06d}: D2026-000007."),
    )
    iban = models.CharField(
        "IBAN", max_length=34, blank=True, help_text=_("For the QR payment code on invoices.")
    )
    bic = models.CharField("BIC (SWIFT)", max_length=11, blank=True)
    due_days = models.PositiveSmallIntegerField(
        _("due days"),
        default=14,
        validators=[MaxValueValidator(365)],
        help_text=_("Days from the issue date to the due date."),
    )
    footer = models.TextField(
        _("footer"),
        blank=True,
        help_text=_("Printed at the foot of every document, e.g. the commercial register entry."),
    )

    class Meta:
        verbose_name = _("invoicing settings")
        verbose_name_plural = _("invoicing settings")

    def __str__(self) -> str:
        return gettext("Invoicing of %(company)s") % {"company": self.company}


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class NumberSeries(models.Model):
    """The last number taken in one series: a company's invoices (or credit notes) of a
    year. Locked with SELECT ... FOR UPDATE while a document takes the next number, so two
    documents issued at once never share or skip one."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    kind = models.CharField(_("kind"), max_length=11, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "year"], name="number_series_per_company_kind_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind} {self.year}: {self.last_number}"


class Occasion(models.TextChoices):
    """What issued a document."""

    PAID = "paid", _("Order paid")
    SENT = "sent", _("Order sent")
    STAFF = "staff", _("Issued by staff")
    API = "api", _("Issued through the API")
    COMMAND = "command", _("Issued by a command")
    REFUND = "refund", _("Refund")
    CANCEL = "cancel", _("Order canceled")


class Immutable(models.Model):
    """Written once, in the issuing transaction; never changed or deleted after."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"An issued {self._meta.verbose_name} never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"An issued {self._meta.verbose_name} is never deleted.")


class Invoice(Immutable, RecordedBy):
    """An invoice or a credit note, as issued. Amounts are in the order's currency; a
    credit note's are negative. Its texts are in `language`, the order's when it was issued
    (the document is written once, in one language: see docs/invoices.md)."""

    kind = models.CharField(_("kind"), max_length=11, choices=DocumentKind.choices)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("order")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    number = models.CharField(_("number"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The number series' year."))
    sequence = models.PositiveIntegerField(
        _("sequence"), help_text=_("The number within its series.")
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("corrects"),
        help_text=_("Credit notes: the invoice they correct."),
    )
    refund = models.ForeignKey(
        Refund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
        verbose_name=_("refund"),
        help_text=_("Credit notes: the refund they document."),
    )
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        help_text=_("The document's texts, amounts and dates: the order's language at issue."),
    )

    issue_date = models.DateField(_("issue date"))
    taxable_supply_date = models.DateField(
        _("taxable supply date"),
        help_text=_(
            "The date of the taxable supply: the earlier of payment and dispatch, "
            "or the issue date when neither happened yet (credit notes: the issue date)."
        ),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)

    currency_code = models.CharField(_("currency"), max_length=3)
    main_currency_code = models.CharField(_("main currency"), max_length=3)
    currency_rate = models.DecimalField(
        _("currency rate"), max_digits=16, decimal_places=6, validators=[MinValueValidator(0)]
    )
    total_base = models.DecimalField(_("total without VAT"), **MONEY)
    total_vat = models.DecimalField(_("VAT"), **MONEY)
    total = models.DecimalField(_("total with VAT"), **MONEY)
    paid_at_issue = models.DecimalField(
        _("paid at issue"),
        **MONEY,
        default=ZERO,
        help_text=_("Invoices: what the customer had paid when issued."),
    )
    amount_due = models.DecimalField(
        _("amount due"),
        **MONEY,
        default=ZERO,
        help_text=_("Invoices: the total less what was paid when issued."),
    )

    seller = models.JSONField(
        _("seller"), help_text=_("The seller as it was: name, address, numbers, bank.")
    )
    buyer = models.JSONField(_("buyer"), help_text=_("The buyer (billing) as it was."))
    delivery = models.JSONField(_("delivery"), help_text=_("Where the goods went."))
    payment = models.JSONField(
        _("payment"), help_text=_("Payment and shipping methods, variable symbol, order.")
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["company", "issue_date"], name="invoice_company_issue_idx"),
            models.Index(fields=["issue_date", "id"], name="invoice_issue_date_idx"),
        ]
        constraints = [
            # An order has at most one invoice; more corrections are more credit notes.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind=DocumentKind.INVOICE),
                name="invoice_one_per_order",
            ),
            models.UniqueConstraint(
                fields=["company", "number"], name="invoice_number_unique_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "year", "sequence"],
                name="invoice_sequence_unique_per_series",
            ),
            # A refund is documented by one credit note.
            models.UniqueConstraint(
                fields=["refund"], condition=Q(refund__isnull=False), name="invoice_one_per_refund"
            ),
            # An invoice stands alone and is not negative; a credit note corrects an
            # invoice and is not positive.
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.INVOICE, corrects__isnull=True, total__gte=0)
                | Q(kind=DocumentKind.CREDIT_NOTE, corrects__isnull=False, total__lte=0),
                name="invoice_kind_fits_reference_and_sign",
            ),
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.CREDIT_NOTE) | Q(refund__isnull=True),
                name="invoice_refund_only_on_credit_notes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE


class LineKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    SHIPPING = "shipping", _("Shipping fee")
    PAYMENT = "payment", _("Payment fee")
    DISCOUNT = "discount", _("Discount")
    ADJUSTMENT = "adjustment", _("Adjustment")


class InvoiceLine(Immutable):
    """One line of a document: a product, fee or discount line of the order as it was, or
    on a credit note the correction of one (negative count) or an adjustment of money
    alone (a discount share given back, a refunded amount beyond the lines)."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    # The order line it was copied from (a plain id: the order line may be removed later).
    order_item_id = models.BigIntegerField(_("order item"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
        help_text=_("Credit note lines: the invoice line they correct."),
    )
    name = models.CharField(_("name"), max_length=300)
    code = models.CharField(_("code"), max_length=100, blank=True)
    count = models.IntegerField(_("count"), help_text=_("Negative on credit notes."))
    unit_base = models.DecimalField(_("unit price without VAT"), **MONEY)
    unit_final = models.DecimalField(_("unit price with VAT"), **MONEY)
    vat = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2)
    total_base = models.DecimalField(_("total without VAT"), **MONEY)
    total_final = models.DecimalField(_("total with VAT"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoice_line_position_unique"
            ),
            models.CheckConstraint(condition=~Q(count=0), name="invoice_line_count_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.name}"

    @property
    def total_vat(self) -> Decimal:
        return self.total_final - self.total_base
