"""The back office of invoices: the Invoices list (filters, CSV for the accountant), each
document read-only with its PDF, the "Issue invoice" button of the order page, and the
seller's invoicing settings inline on the Company page (with its numbers checked).

Issued documents are never edited or deleted here: there is no add, change or delete
permission in use; staff issue invoices with the button (or the API), and corrections are
credit notes (a refund, a cancel)."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField as BooleanExpression
from django.db.models import ExpressionWrapper, F, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.actors import Actor
from orders.admin import display
from orders.admin.actions import error_text
from orders.admin.reference import CompanyAdmin
from orders.errors import OrderError
from orders.models import Company, Order

from . import services
from .forms import CompanyForm, InvoiceSettingsForm
from .models import DocumentKind, Invoice, InvoiceLine, InvoiceSettings

# --- the seller: settings inline on the Company page ---------------------------------


class InvoiceSettingsInline(admin.StackedInline):
    model = InvoiceSettings
    form = InvoiceSettingsForm
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name_plural = _("Invoicing")


# The Company admin is the orders app's; this adds the invoicing settings and the checks of
# the seller's numbers without editing it (registered again with the subclass).
admin.site.unregister(Company)


@admin.register(Company)
class SellerAdmin(CompanyAdmin):
    form = CompanyForm
    inlines = (*CompanyAdmin.inlines, InvoiceSettingsInline)


# --- the Invoices list -----------------------------------------------------------------


def _settled():
    """An invoice is paid once the customer paid its total (refunds included: money that
    came in and went back was paid first)."""
    return ExpressionWrapper(
        Q(order__paid__gte=F("total") - F("order__refunded")), output_field=BooleanExpression()
    )


class PaidFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("paid", _("Paid invoices")), ("unpaid", _("Unpaid invoices"))]

    def queryset(self, request, queryset):
        if self.value() not in ("paid", "unpaid"):
            return queryset
        invoices = queryset.filter(kind=DocumentKind.INVOICE).annotate(settled=_settled())
        return invoices.filter(settled=self.value() == "paid")


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = ("position", "kind", "name", "code", "count", "unit_base", "unit_final", "vat",
              "total_base", "total_final")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def pdf_url(document: Invoice) -> str:
    if document.is_credit_note:
        return reverse("order-credit-note-pdf", args=[document.order.hash, document.number])
    return reverse("order-invoice-pdf", args=[document.order.hash])


class _Echo:
    def write(self, value):
        return value


CSV_HEADER = [
    "number", "kind", "corrects", "issue_date", "taxable_supply_date", "due_date", "order_id",
    "seller", "buyer", "buyer_company_nr", "buyer_vat", "buyer_country", "currency",
    "currency_rate", "total_base", "total_vat", "total", "vat_by_rate", "paid", "reason",
]  # fmt: skip


def csv_row(document: Invoice) -> list:
    rates = {}
    for line in document.lines.all():
        base, final = rates.get(line.vat, (0, 0))
        rates[line.vat] = (base + line.total_base, final + line.total_final)
    by_rate = "; ".join(
        f"{rate.normalize():f}%: base {base:.2f} VAT {final - base:.2f}"
        for rate, (base, final) in sorted(rates.items(), reverse=True)
    )
    return [
        document.number,
        document.kind,
        document.corrects.number if document.corrects_id else "",
        document.issue_date.isoformat(),
        document.taxable_supply_date.isoformat(),
        document.due_date.isoformat() if document.due_date else "",
        document.order_id,
        document.seller.get("name", ""),
        document.buyer.get("name", ""),
        document.buyer.get("company_nr", ""),
        document.buyer.get("company_vat", ""),
        document.buyer.get("country", ""),
        document.currency_code,
        f"{document.currency_rate.normalize():f}",
        f"{document.total_base:.2f}",
        f"{document.total_vat:.2f}",
        f"{document.total:.2f}",
        by_rate,
        "" if document.is_credit_note else ("yes" if document.settled else "no"),
        document.reason,
    ]


def _csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for document in queryset.iterator(chunk_size=500):
        yield writer.writerow(csv_row(document))


@admin.action(description=_("Export the selected documents as CSV (for the accountant)"))
def export_csv(modeladmin, request, queryset):
    documents = (
        queryset.select_related("corrects")
        .prefetch_related("lines")
        .annotate(settled=_settled())
        .order_by("issue_date", "id")
    )
    response = StreamingHttpResponse(_csv_rows(documents), content_type="text/csv; charset=utf-8")
    filename = f"invoices-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "order_link",
        "buyer_column",
        "total_column",
        "issue_date",
        "paid_column",
        "pdf_link",
    )
    list_filter = ("kind", "company", "year", PaidFilter)
    search_fields = ("number", "buyer__name", "buyer__company_vat")
    search_help_text = _("Document number, buyer's name or VAT number.")
    date_hierarchy = "issue_date"
    list_select_related = ("order", "company", "corrects")
    list_per_page = 50
    actions = (export_csv,)
    inlines = (InvoiceLineInline,)
    fieldsets = (
        (None, {"fields": (("kind", "number", "pdf_link"), ("order_link", "corrects", "refund"),
                           "reason", "occasion")}),
        (_("Dates"), {"fields": (("issue_date", "taxable_supply_date", "due_date"),)}),
        (_("Money"), {"fields": (("currency_code", "currency_rate", "main_currency_code"),
                                 ("total_base", "total_vat", "total"),
                                 ("paid_at_issue", "amount_due"))}),
        (_("As issued"), {"fields": ("language", "seller", "buyer", "delivery", "payment")}),
        (_("Record"), {"fields": (("actor", "source", "created_at"),)}),
    )  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(settled=_settled())

    def get_readonly_fields(self, request, obj=None):
        return [f for group in self.fieldsets for row in group[1]["fields"] for f in
                (row if isinstance(row, tuple) else (row,))]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Order"), ordering="order_id")
    def order_link(self, document):
        url = reverse("admin:orders_order_change", args=[document.order_id])
        return format_html('<a href="{}">{}</a>', url, document.order_id)

    @admin.display(description=_("Buyer"))
    def buyer_column(self, document):
        return document.buyer.get("name") or display.EMPTY

    @admin.display(description=_("Total"), ordering="total")
    def total_column(self, document):
        return display.money(document.total, document.currency_code)

    @admin.display(description=_("Paid"))
    def paid_column(self, document):
        if document.is_credit_note:
            return display.EMPTY
        return display.flag(getattr(document, "settled", False))

    @admin.display(description="PDF")
    def pdf_link(self, document):
        return format_html('<a href="{}" target="_blank">PDF</a>', pdf_url(document))

    # --- the order page's "Issue invoice" button -----------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(self.issue_view)
        return [
            path("issue/<int:order_id>/", view, name="invoices_invoice_issue"),
            *super().get_urls(),
        ]

    def issue_view(self, request, order_id: int):
        """Issue the order's invoice (the same service as the API), back to the order."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("invoices.add_invoice"):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:orders_order_change", args=[order_id]))
        if not Order.objects.filter(pk=order_id).exists():
            self.message_user(
                request,
                gettext("Order %(id)s does not exist.") % {"id": order_id},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:orders_order_changelist"))
        try:
            invoice = services.invoice_issue(order_id=order_id, actor=Actor.for_user(request.user))
        except OrderError as error:
            self.message_user(request, error_text(error), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("Invoice %(number)s issued.") % {"number": invoice.number},
                messages.SUCCESS,
            )
        return back
