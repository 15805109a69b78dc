"""The order back office: change list, change page, transition buttons, inlines.

Every write goes through `orders.services` with the staff user as actor; this module
never saves an order, an item or a tracking itself.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from statuses.models import OrderStatus

from .. import services
from ..actors import Actor
from ..errors import OrderError
from ..models import ItemKind, Order, OrderDiscount, OrderEvent, OrderItem, Tracking
from ..rules import available_actions
from . import actions, display
from .changelist import EstimatedCountPaginator, date_drilldown
from .forms import (
    DiscountForm,
    NoteForm,
    OrderActionForm,
    OrderForm,
    OrderItemForm,
    PaidForm,
    StatusForm,
    amount_text,
    item_data,
)
from .money import (
    PaymentInline,
    RefundInline,
    charges_html,
    discount_view,
    may_refund,
    refund_view,
)
from .parcels import packing_slip_view, parcel_create_view, parcel_step_view, parcels_context
from .timeline import order_timeline

# Computed fields: shown, never edited (money and states change only through services).
COMPUTED_FIELDS = (
    "money_display",
    "money_base_display",
    "vat_display",
    "charges_display",
    "weight",
    "paid_display",
    "refunded_display",
    "amount_due_display",
    "payment_state",
    "payment_status",
    "date_paid",
    "status_display",
    "shipping_state",
    "closing_state",
    "date_sent",
    "date_delivered",
    "date_done",
    "date_canceled",
    "version",
    "hash",
    "customer_links",
    "created_at",
    "updated_at",
)

CUSTOMER_FIELDS = (
    "customer",
    ("name", "email", "phone"),
    ("street", "city", "zip", "state_code"),
    ("company_nr", "company_vat", "language"),
)
DELIVERY_FIELDS = (
    ("delivery_name", "delivery_email", "delivery_phone"),
    ("delivery_street", "delivery_city", "delivery_zip", "delivery_state_code"),
)
REFERENCE_FIELDS = (
    ("channel", "company"),
    ("shipping", "payment"),
    ("domain", "ip"),
    ("external_order_prefix", "external_order_id"),
)
STAFF_NOTE = (
    _("Staff note — never shown to the customer"),
    {"fields": ("our_note",), "classes": ("staff-note",)},
)
CUSTOMER_NOTE = (_("Customer's note — written by the customer"), {"fields": ("note",)})

# Transition button -> (service, the message when it is done: "Order 5 marked sent.").
SIMPLE_TRANSITIONS = {
    "sent": (services.order_mark_sent, _("%(order)s marked sent.")),
    "delivered": (services.order_mark_delivered, _("%(order)s marked delivered.")),
    "done": (services.order_mark_done, _("%(order)s marked done.")),
    "cancel": (services.order_cancel, _("%(order)s canceled.")),
}


class OrderItemFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # Prices in the order's currency: 12.10 as people write it, not 12.1000 as stored.
        return {**super().get_form_kwargs(index), "currency": self.instance.order_currency_code}

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Every row knows its order without a query per row (currency, rounding).
        form.instance.order = self.instance
        return form


class OrderItemInline(admin.TabularInline):
    """Items, editable only while the order is open and not sent; saved by the services."""

    model = OrderItem
    form = OrderItemForm
    formset = OrderItemFormSet
    extra = 1
    fields = (
        "code",
        "name",
        "count",
        "unit_price_final",
        "vat",
        "unit_base_display",
        "line_total_display",
        "weight",
        "note",
    )
    readonly_fields = (
        "unit_final_display",
        "vat_display",
        "unit_base_display",
        "line_total_display",
    )
    # Shown instead of their inputs once the items are read-only: amounts as money.
    READ_ONLY_AS = {"unit_price_final": "unit_final_display", "vat": "vat_display"}
    verbose_name = _("item")
    verbose_name_plural = _("Items (fees and discounts are under Money)")

    def get_queryset(self, request):
        # Fee and discount lines follow the methods and the discount: not edited here.
        return super().get_queryset(request).filter(kind=ItemKind.PRODUCT)

    def _editable(self, request, obj) -> bool:
        return obj is not None and obj.items_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if self._editable(request, obj) else 0

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._editable(request, obj):
            return fields
        return [self.READ_ONLY_AS.get(name, name) for name in fields]

    @admin.display(description=_("Unit price with VAT"))
    def unit_final_display(self, item):
        return display.money(item.unit_price_final, item.order.order_currency_code)

    @admin.display(description=_("VAT %"))
    def vat_display(self, item):
        return display.percent(item.vat)

    @admin.display(description=_("Unit price without VAT"))
    def unit_base_display(self, item):
        if not item.pk:
            return display.EMPTY
        return display.money(item.unit_price_base, item.order.order_currency_code)

    @admin.display(description=_("Line total"))
    def line_total_display(self, item):
        if not item.pk:
            return display.EMPTY
        return display.money(item.total_final, item.order.order_currency_code)


class TrackingInline(admin.TabularInline):
    """Tracking numbers: added through the service, never changed or removed here."""

    model = Tracking
    extra = 0
    fields = ("shipper", "tracking_number", "tracking_link")
    readonly_fields = ("tracking_link",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and not obj.canceled and super().has_add_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shipper")

    @admin.display(description=_("Link"))
    def tracking_link(self, tracking):
        url = tracking.tracking_url if tracking.pk else None
        if not url:
            return display.EMPTY
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("track")
        )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderForm
    list_display = (
        "id",
        "date_column",
        "customer_column",
        "money_column",
        "paid_column",
        "status_column",
        "state_column",
    )
    list_display_links = ("id", "date_column")
    list_filter = ("status", "channel", "payment_state", "shipping_state", "closing_state")
    date_hierarchy = "date_order"
    # The search itself is get_search_results; these only make the box appear.
    search_fields = ("name",)
    search_help_text = _(
        "Order id, customer name, e-mail, phone, tracking number or external order id."
    )
    list_select_related = ("status",)
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would run a COUNT per filter choice over the whole table.
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    ordering = ("-date_order", "-id")
    autocomplete_fields = ("customer",)
    inlines = (OrderItemInline, TrackingInline, PaymentInline, RefundInline)
    actions = (actions.assign_status, actions.mark_sent, actions.mark_done, actions.export_csv)
    action_form = OrderActionForm
    change_form_template = "admin/orders/order/change_form.html"
    change_list_template = "admin/orders/order/change_list.html"

    # --- change list ------------------------------------------------------------------

    @admin.display(description=_("Date"), ordering="date_order")
    def date_column(self, order):
        return date_format(timezone.localtime(order.date_order), "Y-m-d H:i")

    @admin.display(description=_("Customer"), ordering="name")
    def customer_column(self, order):
        return format_html("{}<br><small>{}</small>", order.name or display.EMPTY, order.email)

    @admin.display(description=_("Money"), ordering="money")
    def money_column(self, order):
        return display.money(order.money, order.order_currency_code)

    @admin.display(description=_("Paid"), ordering="paid")
    def paid_column(self, order):
        return format_html(
            "{} {}",
            display.flag(order.payment_state == "paid"),
            display.money(order.paid, order.order_currency_code),
        )

    @admin.display(description=_("Status"), ordering="status__sort")
    def status_column(self, order):
        return display.status_badge(order.status)

    @admin.display(description=_("State"))
    def state_column(self, order):
        """The lifecycle in one compact cell (closing · shipping); payment is in Paid."""
        return format_html(
            '<span class="order-state order-state--{}">{} · {}</span>',
            order.closing_state,
            order.get_closing_state_display(),
            order.get_shipping_state_display(),
        )

    def get_search_results(self, request, queryset, search_term):
        """Exact, indexed matches for ids, e-mails, tracking numbers and external ids;
        a contains-match for names and phones. A subquery for trackings keeps one row per
        order (a join would repeat an order with two parcels)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        # Identifiers first: each is an index lookup, so they stay fast at any size.
        parcels = list(
            Tracking.objects.filter(tracking_number=term).values_list("order_id", flat=True)[:100]
        )
        exact = (
            Q(external_order_id=term) | Q(email=term) | Q(email=term.lower()) | Q(pk__in=parcels)
        )
        if term.isdigit() and len(term) < 19:
            exact |= Q(pk=int(term))
        found = queryset.filter(exact)
        if found.exists():
            return found, False
        # Otherwise a contains-match on names, e-mails and phones (a scan, but only then).
        loose = Q(name__icontains=term) | Q(email__icontains=term) | Q(phone__contains=term)
        return queryset.filter(loose), False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            # The list's eight columns and its filters need the window's width: at 1400 px
            # the navigation sidebar (276 px; the breadcrumbs and the home page lead
            # everywhere too) would push the state and status columns out of sight.
            "is_nav_sidebar_enabled": False,
            **(extra_context or {}),
            "order_date_drilldown": date_drilldown(request, Order, "date_order"),
        }
        return super().changelist_view(request, extra_context)

    # --- change page ------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        # Orders are never deleted: they are canceled (the history must stay).
        return False

    def get_inlines(self, request, obj):
        # A new order gets its items on the change page, right after it is created.
        return self.inlines if obj is not None else ()

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (_("Customer & billing"), {"fields": CUSTOMER_FIELDS}),
                (_("Delivery"), {"fields": DELIVERY_FIELDS}),
                (
                    _("Money & currency"),
                    {"fields": (("order_currency_code", "currency_rate"),)},
                ),
                (_("Dates"), {"fields": (("date_order", "date_maturity"),)}),
                (_("External references"), {"fields": REFERENCE_FIELDS}),
                CUSTOMER_NOTE,
                STAFF_NOTE,
            )
        return (
            (_("Customer & billing"), {"fields": CUSTOMER_FIELDS}),
            (_("Delivery"), {"fields": DELIVERY_FIELDS}),
            (
                _("Money & currency"),
                {
                    "fields": (
                        ("order_currency_code", "currency_rate"),
                        ("money_display", "money_base_display", "vat_display"),
                        "charges_display",
                        "weight",
                    )
                },
            ),
            (
                _("Payment"),
                {
                    "fields": (
                        ("paid_display", "refunded_display", "amount_due_display"),
                        "payment_state",
                        ("date_paid", "date_maturity"),
                        ("external_payment_id", "payment_status"),
                        "external_payment_url",
                    )
                },
            ),
            (
                _("Status & dates"),
                {
                    "fields": (
                        ("status_display", "shipping_state", "closing_state"),
                        ("date_order", "date_sent", "date_delivered"),
                        ("date_done", "date_canceled"),
                    )
                },
            ),
            (_("External references"), {"fields": REFERENCE_FIELDS}),
            CUSTOMER_NOTE,
            STAFF_NOTE,
            (
                _("Record"),
                {
                    "fields": (
                        "customer_links",
                        ("version", "created_at", "updated_at"),
                        "hash",
                    )
                },
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The delivery address and the methods (their fees are money) until it is sent.
        locked = () if obj.items_editable else (*services.DELIVERY_FIELDS, "shipping", "payment")
        return (*COMPUTED_FIELDS, "order_currency_code", *locked)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("status")

    @admin.display(description=_("Money (with VAT)"))
    def money_display(self, order):
        return display.money(order.money, order.order_currency_code)

    @admin.display(description=_("Without VAT"))
    def money_base_display(self, order):
        return display.money(order.money_base, order.order_currency_code)

    @admin.display(description=_("VAT"))
    def vat_display(self, order):
        return display.money(order.money_vat, order.order_currency_code)

    @admin.display(description=_("Paid"))
    def paid_display(self, order):
        return display.money(order.paid, order.order_currency_code)

    @admin.display(description=_("Fees and discounts"))
    def charges_display(self, order):
        return charges_html(order)

    @admin.display(description=_("Refunded"))
    def refunded_display(self, order):
        return display.money(order.refunded, order.order_currency_code)

    @admin.display(description=_("Amount due"))
    def amount_due_display(self, order):
        return display.money(order.amount_due, order.order_currency_code)

    @admin.display(description=_("Status"))
    def status_display(self, order):
        return display.status_badge(order.status)

    @admin.display(description=_("Customer's pages"))
    def customer_links(self, order):
        if not order.pk:
            return display.EMPTY
        return format_html(
            '<a href="{}" target="_blank">{}</a> · <a href="{}" target="_blank">{}</a>',
            reverse("order-page", args=[order.hash]),
            gettext("Order page"),
            reverse("order-invoice", args=[order.hash]),
            gettext("Invoice"),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, admin.utils.unquote(object_id))
        extra = {}
        if order is not None:
            can_change = self.has_change_permission(request, order)
            discount = OrderDiscount.objects.filter(order=order).first()
            extra = {
                "order": order,
                "transitions": available_actions(order) if can_change else [],
                "can_change_order": can_change,
                "can_add_note": request.user.has_perm("orders.add_historyrecord"),
                "statuses": OrderStatus.objects.all(),
                "paid_form": PaidForm(),
                "paid_placeholder": amount_text(order.money, order.order_currency_code),
                "discount": discount,
                "discount_value": _discount_value(discount, order),
                "discount_form": DiscountForm(),
                "can_refund": can_change and may_refund(self, request, order),
                "history": order_timeline(order),
                "outbox_events": OrderEvent.objects.filter(order_id=order.pk).order_by("-id")[:50],
                **parcels_context(self, request, order),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def history_view(self, request, object_id, extra_context=None):
        """The HISTORY button: the order's own timeline (who, from where, what changed),
        not Django's admin log, which misses every change made by the API or a command."""
        order = self.get_object(request, admin.utils.unquote(object_id))
        if order is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, order):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History: %(order)s") % {"order": order},
            "subtitle": None,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": order,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            "history": order_timeline(order),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/orders/order/object_history.html", context)

    # --- saving through the services ------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except _Refused:
            # order_create refused after the form was valid; its message is on screen.
            return HttpResponseRedirect(request.get_full_path())

    def _refused(self, request, error: OrderError) -> None:
        request._order_refused = True
        self.message_user(request, actions.error_text(error), messages.ERROR)

    def save_model(self, request, obj, form, change):
        actor = Actor.for_user(request.user)
        if not change:
            values = {}
            for name, value in form.cleaned_data.items():
                field = Order._meta.get_field(name)
                if field.is_relation:
                    values[f"{name}_id"] = value.pk if value else None
                elif value not in (None, ""):
                    values[name] = value
            try:
                created = services.order_create(actor=actor, **values)
            except OrderError as error:
                self._refused(request, error)
                raise _Refused from error
            obj.pk = created.pk  # the admin redirects and logs by this id
            obj.hash = created.hash
            return
        changes = {}
        for name in form.changed_data:
            value = form.cleaned_data[name]
            if Order._meta.get_field(name).is_relation:
                changes[f"{name}_id"] = value.pk if value else None
            else:
                changes[name] = value
        delivery = {k: changes.pop(k) for k in list(changes) if k in services.DELIVERY_FIELDS}
        try:
            if delivery:
                services.order_update_delivery_address(order_id=obj.pk, actor=actor, **delivery)
            if changes:
                services.order_update(order_id=obj.pk, actor=actor, changes=changes)
        except OrderError as error:
            self._refused(request, error)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        # What the admin's change message reads; filled as the services succeed.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if getattr(request, "_order_refused", False):
            return
        actor = Actor.for_user(request.user)
        order_id = formset.instance.pk
        try:
            if formset.model is OrderItem:
                self._save_items(formset, order_id, actor)
            elif formset.model is Tracking:
                for row in formset.extra_forms:
                    if row.has_changed():
                        tracking = services.order_tracking_add(
                            order_id=order_id,
                            actor=actor,
                            shipper_id=row.cleaned_data["shipper"].pk,
                            tracking_number=row.cleaned_data["tracking_number"],
                        )
                        formset.new_objects.append(tracking)
        except OrderError as error:
            self._refused(request, error)

    def _save_items(self, formset, order_id, actor) -> None:
        deleted = set(map(id, formset.deleted_forms))
        for row in formset.initial_forms:
            item = row.instance
            if id(row) in deleted:
                services.order_item_remove(order_id=order_id, item_id=item.pk, actor=actor)
                formset.deleted_objects.append(item)
            elif row.has_changed():
                updated = services.order_item_update(
                    order_id=order_id,
                    item_id=item.pk,
                    actor=actor,
                    item=item_data(row.cleaned_data, item),
                )
                formset.changed_objects.append((updated, row.changed_data))
        for row in formset.extra_forms:
            if row.has_changed() and id(row) not in deleted:
                added = services.order_item_add(
                    order_id=order_id, actor=actor, item=item_data(row.cleaned_data)
                )
                formset.new_objects.append(added)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_order_refused", False):
            return HttpResponseRedirect(request.path)
        if "_addanother" in request.POST or admin.options.IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            gettext("%(order)s was created. Add its items below.") % {"order": obj},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if getattr(request, "_order_refused", False):
            # The refusal is already on screen; the admin's "changed successfully" would lie.
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # --- transition buttons ------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:action>/",
                view(self.transition_view),
                name="orders_order_transition",
            ),
            path("<path:object_id>/note/", view(self.note_view), name="orders_order_note"),
            path(
                "<path:object_id>/discount/",
                view(self.discount_view),
                name="orders_order_discount",
            ),
            path("<path:object_id>/refund/", view(self.refund_view), name="orders_order_refund"),
            path(
                "<path:object_id>/parcels/new/",
                view(self.parcel_create_view),
                name="orders_order_parcel_create",
            ),
            path(
                "<path:object_id>/parcels/<int:shipment_id>/slip/",
                view(self.packing_slip_view),
                name="orders_order_packing_slip",
            ),
            path(
                "<path:object_id>/parcels/<int:shipment_id>/<str:step>/",
                view(self.parcel_step_view),
                name="orders_order_parcel_step",
            ),
            *super().get_urls(),
        ]

    def _order_for_post(self, request, object_id) -> Order:
        order = self.get_object(request, admin.utils.unquote(object_id))
        if order is None:
            raise Http404(gettext("No such order."))
        return order

    def transition_view(self, request, object_id, action):
        """One transition button: the same service the API calls, with the staff user."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order_for_post(request, object_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        actor = Actor.for_user(request.user)
        try:
            if action == "paid":
                form = PaidForm(request.POST)
                if not form.is_valid():
                    errors = "; ".join(
                        f"{form.fields[name].label or name.capitalize()}: {' '.join(errors)}"
                        for name, errors in form.errors.items()
                    )
                    self.message_user(request, errors, messages.ERROR)
                    return self._back_to(order)
                order = services.order_mark_paid(
                    order_id=order.pk,
                    actor=actor,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                )
                paid = display.money(order.paid, order.order_currency_code)
                done = gettext("%(order)s payment recorded: %(paid)s paid.") % {
                    "order": order,
                    "paid": paid,
                }
            elif action == "status":
                form = StatusForm(request.POST)
                if not form.is_valid():
                    self.message_user(request, gettext("Choose a status."), messages.ERROR)
                    return self._back_to(order)
                status = form.cleaned_data["status"]
                services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
                done = gettext("%(order)s now has the status %(status)s.") % {
                    "order": order,
                    "status": status.name,
                }
            elif action in SIMPLE_TRANSITIONS:
                service, message = SIMPLE_TRANSITIONS[action]
                service(order_id=order.pk, actor=actor)
                done = message % {"order": order}
            else:
                raise Http404(gettext("No such action."))
        except OrderError as error:
            self.message_user(request, actions.error_text(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self._back_to(order)

    def discount_view(self, request, object_id):
        """Set or remove the discount (services.order_discount_set / _remove)."""
        return discount_view(self, request, self._order_for_post(request, object_id))

    def refund_view(self, request, object_id):
        """The refund page (services.order_refund); needs the "add refund" permission."""
        return refund_view(self, request, self._order_for_post(request, object_id))

    def parcel_create_view(self, request, object_id):
        """Pack a parcel (services.shipment_create); needs the "add shipment" permission."""
        return parcel_create_view(self, request, self._order_for_post(request, object_id))

    def parcel_step_view(self, request, object_id, shipment_id, step):
        """Send, deliver, return to sender or cancel a parcel (its service)."""
        order = self._order_for_post(request, object_id)
        return parcel_step_view(self, request, order, shipment_id, step)

    def packing_slip_view(self, request, object_id, shipment_id):
        """A parcel's printable packing slip."""
        order = self._order_for_post(request, object_id)
        return packing_slip_view(self, request, order, shipment_id)

    def note_view(self, request, object_id):
        """A staff note in the order's history (needs the "add history record" permission)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self._order_for_post(request, object_id)
        if not request.user.has_perm("orders.add_historyrecord"):
            raise PermissionDenied
        form = NoteForm(request.POST)
        if not form.is_valid():
            self.message_user(request, gettext("A note needs 1 to 300 characters."), messages.ERROR)
            return self._back_to(order)
        try:
            services.order_history_add(
                order_id=order.pk,
                actor=Actor.for_user(request.user),
                type="note",
                name=form.cleaned_data["text"],
            )
        except OrderError as error:
            self.message_user(request, actions.error_text(error), messages.ERROR)
        else:
            self.message_user(request, gettext("Note added to the history."), messages.SUCCESS)
        return self._back_to(order)

    def _back_to(self, order):
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))


def _discount_value(discount: OrderDiscount | None, order: Order) -> str:
    """The discount box's value: 10 (%), or an amount as its currency writes it."""
    if discount is None:
        return ""
    if discount.type == "amount":
        return amount_text(discount.value, order.order_currency_code)
    return f"{discount.value.normalize():f}"


class _Refused(Exception):
    """Raised out of save_model when order_create refuses; caught by add_view."""
