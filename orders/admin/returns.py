"""Returns in the back office: the Returns list, the order page's returns panel (the
`order_returns` tag in orders/templatetags/returns_admin.py), the page that takes goods back
from an order, and the Receive, Refund and Reject buttons.

Every write goes through orders.services (returns.py) with the staff user: requesting needs
`orders.add_return`, receiving and rejecting `orders.change_return`, refunding that and
`orders.add_refund` (Order managers have all three). A return is never edited or deleted
here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..actors import Actor
from ..errors import OrderError
from ..models import Order, Return, ReturnLine
from ..rules import can_take_return, return_actions
from . import actions, display

MAX_REASON = Return._meta.get_field("reason").max_length


def may_request(user) -> bool:
    return user.has_perm("orders.add_return")


def may_settle(user) -> bool:
    return user.has_perm("orders.change_return")


def may_refund(user) -> bool:
    return may_settle(user) and user.has_perm("orders.add_refund")


def lines_text(goods_return: Return) -> str:
    """ "1 x Mug, 2 x Tea" from the return's (prefetched) lines."""
    return ", ".join(f"{line.count} x {line.item.name}" for line in goods_return.lines.all())


def order_returns_context(request, order: Order) -> dict:
    """What the order page's returns panel shows: each return with its lines, state, refund
    and the buttons this user may press now (the refund one with its amount)."""
    user = request.user
    currency = order.order_currency_code
    rows = []
    for goods_return in order.returns.select_related("refund").prefetch_related("lines__item"):
        allowed = return_actions(goods_return)
        refund_amount = refund_confirm = None
        if "refund" in allowed and may_refund(user):
            refund_amount = display.money(services.return_refund_amount(goods_return), currency)
            refund_confirm = gettext(
                "Refund %(amount)s for return %(id)s? The money goes back to the customer."
            ) % {"amount": refund_amount, "id": goods_return.pk}
        rows.append(
            {
                "goods_return": goods_return,
                "lines": lines_text(goods_return),
                "refunded": display.money(goods_return.refund.amount, currency)
                if goods_return.refund_id
                else None,
                "can_receive": "receive" in allowed and may_settle(user),
                "can_reject": "reject" in allowed and may_settle(user),
                "refund_amount": refund_amount,
                "refund_confirm": refund_confirm,
            }
        )
    return {
        "order": order,
        "rows": rows,
        "can_request": can_take_return(order) and may_request(user),
    }


class ReturnRequestForm(forms.Form):
    """How many units of each delivered product come back (at most what is left of it)
    and the customer's reason. The service checks the rest."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        strip=True,
        help_text=_("The customer's words: why the goods come back."),
    )

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(options)
        for option in self.options:
            self.fields[self.count_field(option.item.pk)] = forms.IntegerField(
                required=False, min_value=0, max_value=option.left, initial=0
            )

    @staticmethod
    def count_field(item_id: int) -> str:
        return f"count_{item_id}"

    def rows(self):
        return [(option, self[self.count_field(option.item.pk)]) for option in self.options]

    def lines(self) -> list[tuple[int, int]]:
        counts = (
            (option.item.pk, self.cleaned_data.get(self.count_field(option.item.pk)) or 0)
            for option in self.options
        )
        return [(item_id, count) for item_id, count in counts if count]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError(_("Choose how many of which products come back."))
        return cleaned


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    fields = ("item", "count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    """Every return, read-only; requested from the order page, settled with its buttons."""

    list_display = (
        "id",
        "order_link",
        "state",
        "lines_column",
        "reason",
        "refund_column",
        "created_at",
        "actor",
    )
    list_filter = ("state",)
    search_fields = ("=order__id", "reason")
    search_help_text = _("Order id, or words of the reason.")
    list_select_related = ("order", "refund")
    list_per_page = 50
    date_hierarchy = "created_at"
    inlines = (ReturnLineInline,)
    fields = (
        ("order_link", "state"),
        "reason",
        ("refund", "refund_column"),
        ("created_at", "date_received", "date_refunded", "date_rejected"),
        ("actor", "source"),
    )
    readonly_fields = (
        "order_link",
        "state",
        "reason",
        "refund",
        "refund_column",
        "created_at",
        "date_received",
        "date_refunded",
        "date_rejected",
        "actor",
        "source",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines__item")

    def has_add_permission(self, request):
        return False  # from the order page: the lines come from its delivered parcels

    def has_change_permission(self, request, obj=None):
        return False  # its state changes only with the buttons (the services)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Order"), ordering="order_id")
    def order_link(self, goods_return):
        url = reverse("admin:orders_order_change", args=[goods_return.order_id])
        return format_html('<a href="{}">{}</a>', url, goods_return.order)

    @admin.display(description=_("Lines"))
    def lines_column(self, goods_return):
        parts = [(line.count, line.item.name) for line in goods_return.lines.all()]
        return format_html_join(mark_safe("<br>"), "{} x {}", parts) or display.EMPTY

    @admin.display(description=_("Refunded"))
    def refund_column(self, goods_return):
        if not goods_return.refund_id:
            return display.EMPTY
        return display.money(goods_return.refund.amount, goods_return.order.order_currency_code)

    # --- the order page's new return, and the buttons ------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "order/<int:order_id>/new/",
                view(self.request_view),
                name="orders_return_request",
            ),
            path(
                "<int:return_id>/step/<str:step>/",
                view(self.step_view),
                name="orders_return_step",
            ),
            *super().get_urls(),
        ]

    def _back_to(self, order_id: int):
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order_id]))

    def request_view(self, request, order_id: int):
        """Take goods back: each delivered product with what is left to return, a count
        per line and the reason; posting runs services.return_request as the staff user."""
        if not may_request(request.user):
            raise PermissionDenied
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise Http404(_("No such order."))
        options = services.return_options(order)
        form = ReturnRequestForm(request.POST or None, options=options)
        if request.method == "POST" and form.is_valid():
            try:
                goods_return = services.return_request(
                    order_id=order.pk,
                    actor=Actor.for_user(request.user),
                    lines=form.lines(),
                    reason=form.cleaned_data["reason"],
                )
            except OrderError as error:
                form.add_error(None, actions.error_text(error))
            else:
                goods_return = Return.objects.prefetch_related("lines__item").get(
                    pk=goods_return.pk
                )
                self.message_user(
                    request,
                    gettext("Return %(id)s requested: %(lines)s.")
                    % {"id": goods_return.pk, "lines": lines_text(goods_return)},
                    messages.SUCCESS,
                )
                return self._back_to(order.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Order._meta,
            "title": gettext("New return of %(order)s") % {"order": order},
            "order": order,
            "form": form,
            "rows": form.rows(),
            "can_take_return": can_take_return(order),
        }
        return TemplateResponse(request, "admin/orders/order/return_request.html", context)

    def step_view(self, request, return_id: int, step: str):
        """Receive, refund or reject a return (its service, as the staff user), then back
        to its order with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        goods_return = Return.objects.filter(pk=return_id).select_related("order").first()
        if goods_return is None:
            raise Http404(_("No such return."))
        steps = {
            "receive": (services.return_mark_received, may_settle),
            "refund": (services.return_refund, may_refund),
            "reject": (services.return_reject, may_settle),
        }
        if step not in steps:
            raise Http404(_("No such step."))
        service, allowed = steps[step]
        if not allowed(request.user):
            raise PermissionDenied
        order = goods_return.order
        try:
            goods_return = service(
                order_id=order.pk, return_id=goods_return.pk, actor=Actor.for_user(request.user)
            )
        except OrderError as error:
            self.message_user(request, actions.error_text(error), messages.ERROR)
            return self._back_to(order.pk)
        if step == "refund":
            amount = display.money(goods_return.refund.amount, order.order_currency_code)
            done = gettext("Return %(id)s refunded: %(amount)s.") % {
                "id": goods_return.pk,
                "amount": amount,
            }
        elif step == "receive":
            done = gettext("Return %(id)s received.") % {"id": goods_return.pk}
        else:
            done = gettext("Return %(id)s rejected.") % {"id": goods_return.pk}
        self.message_user(request, done, messages.SUCCESS)
        return self._back_to(order.pk)
