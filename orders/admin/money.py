"""The order page's money: fee and discount lines, the payments ledger, refunds, and the
discount and refund forms. Every write goes through orders.services with the staff user."""

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..actors import Actor
from ..errors import OrderError
from ..models import ItemKind, Order, OrderItem, Payment, Refund
from . import actions, display
from .forms import DiscountForm, RefundForm


class RecordedByColumns:
    """Who wrote a ledger record and when, with labels in the staff member's language (the
    RecordedBy fields keep English names: see orders.models.RecordedBy)."""

    @admin.display(description=_("created at"))
    def created_display(self, record):
        return display_for_value(record.created_at, display.EMPTY)

    @admin.display(description=_("actor"))
    def actor_display(self, record):
        return record.actor

    @admin.display(description=_("source"))
    def source_display(self, record):
        return record.get_source_display()


def charges_html(order: Order) -> str:
    """The fee and discount lines (derived by the services), one per row."""
    lines = OrderItem.objects.filter(order=order).exclude(kind=ItemKind.PRODUCT).order_by("id")
    currency = order.order_currency_code
    rows = [
        (
            line.get_kind_display(),
            line.name,
            display.percent(line.vat),
            display.money(line.total_final, currency),
            " " + gettext("(free: goods reach its threshold)")
            if line.original_price_final is not None and line.unit_price_final == 0
            else "",
        )
        for line in lines
    ]
    if not rows:
        return display.EMPTY
    return format_html(
        '<table class="order-charges"><tbody>{}</tbody></table>',
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class='num'>{}{}</td></tr>",
            rows,
        ),
    )


class PaymentInline(RecordedByColumns, admin.TabularInline):
    """The payments ledger, read-only: records are written by the payment services."""

    model = Payment
    extra = 0
    can_delete = False
    verbose_name_plural = _("Payments (the ledger: paid is the sum of the successful ones)")
    fields = (
        "created_display",
        "kind",
        "status",
        "amount_display",
        "method",
        "external_id",
        "gateway_status",
        "reason",
        "actor_display",
        "source_display",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("method", "order")

    @admin.display(description=_("Amount"))
    def amount_display(self, payment):
        return display.money(payment.amount, payment.currency_code)


class RefundInline(RecordedByColumns, admin.TabularInline):
    """Refunds, read-only: made on the refund page through services.order_refund."""

    model = Refund
    extra = 0
    can_delete = False
    fields = (
        "created_display",
        "amount_display",
        "lines_display",
        "reason",
        "mark_returned",
        "actor_display",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order").prefetch_related("lines__item")

    @admin.display(description=_("Amount"))
    def amount_display(self, refund):
        return display.money(refund.amount, refund.order.order_currency_code)

    @admin.display(description=_("Lines"))
    def lines_display(self, refund):
        currency = refund.order.order_currency_code
        parts = [
            (line.count, line.item.name, display.money(line.amount, currency))
            for line in refund.lines.all()
        ]
        if refund.extra_amount:
            parts.append(
                ("", gettext("extra amount"), display.money(refund.extra_amount, currency))
            )
        return format_html_join(mark_safe("<br>"), "{} {} ({})", parts) or display.EMPTY


def _back_to(order: Order):
    return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))


def discount_view(modeladmin, request, order: Order):
    """Set (or with `remove`, take away) the order's discount through the service."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not modeladmin.has_change_permission(request, order):
        raise PermissionDenied
    actor = Actor.for_user(request.user)
    try:
        if "remove" in request.POST:
            services.order_discount_remove(order_id=order.pk, actor=actor)
            done = gettext("%(order)s discount removed.") % {"order": order}
        else:
            form = DiscountForm(request.POST)
            if not form.is_valid():
                errors = "; ".join(
                    f"{form.fields[name].label if name in form.fields else name}: "
                    f"{' '.join(errors)}"
                    for name, errors in form.errors.items()
                )
                modeladmin.message_user(
                    request,
                    gettext("Discount not set: %(errors)s") % {"errors": errors},
                    messages.ERROR,
                )
                return _back_to(order)
            order = services.order_discount_set(order_id=order.pk, actor=actor, **form.cleaned_data)
            money = display.money(order.money, order.order_currency_code)
            done = gettext("%(order)s discount set: money is now %(money)s.") % {
                "order": order,
                "money": money,
            }
    except OrderError as error:
        modeladmin.message_user(request, actions.error_text(error), messages.ERROR)
    else:
        modeladmin.message_user(request, done, messages.SUCCESS)
    return _back_to(order)


def may_refund(modeladmin, request, order: Order) -> bool:
    return modeladmin.has_change_permission(request, order) and request.user.has_perm(
        "orders.add_refund"
    )


def refund_view(modeladmin, request, order: Order):
    """The refund page: the order's refundable lines with what is left of each, an extra
    amount and a reason; posting it runs services.order_refund as the staff user."""
    if not may_refund(modeladmin, request, order):
        raise PermissionDenied
    options = services.refund_options(order)
    form = RefundForm(request.POST or None, options=options, currency=order.order_currency_code)
    if request.method == "POST" and form.is_valid():
        try:
            refund = services.order_refund(
                order_id=order.pk,
                actor=Actor.for_user(request.user),
                lines=form.lines(),
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                mark_returned=form.cleaned_data["mark_returned"],
            )
        except OrderError as error:
            form.add_error(None, actions.error_text(error))
        else:
            currency = order.order_currency_code
            modeladmin.message_user(
                request,
                gettext("%(order)s refunded %(amount)s.")
                % {"order": order, "amount": display.money(refund.amount, currency)},
                messages.SUCCESS,
            )
            return _back_to(order)
    currency = order.order_currency_code
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": gettext("Refund %(order)s") % {"order": order},
        "order": order,
        "form": form,
        "rows": [
            (option, field, display.money(option.amount_left, currency))
            for option, field in form.rows()
        ],
        "paid": display.money(order.paid, currency),
        "refunded": display.money(order.refunded, currency),
        "currency": currency,
    }
    return TemplateResponse(request, "admin/orders/order/refund.html", context)
