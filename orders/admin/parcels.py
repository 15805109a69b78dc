"""The order page's parcels: the list with their lines, state and tracking link, the buttons
that move them along, the page that packs one, and a printable packing slip per parcel.
Every write goes through orders.services (shipments.py) with the staff user.

Packing needs `orders.add_shipment`, moving or canceling a parcel `orders.change_shipment`
(Order managers have both, migration 0012), each on top of changing the order."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..actors import Actor
from ..errors import OrderError
from ..models import ItemKind, Order, OrderItem, Shipment, Shipper
from . import actions

# Parcel step -> (service, the button's words, the message's past tense).
STEPS = {
    "sent": (services.shipment_mark_sent, _("Mark sent"), _("sent")),
    "delivered": (services.shipment_mark_delivered, _("Mark delivered"), _("delivered")),
    "returned": (
        services.shipment_mark_returned,
        _("Returned to sender"),
        _("returned to sender"),
    ),
    "cancel": (services.shipment_cancel, _("Cancel parcel"), _("canceled")),
}


@dataclass(frozen=True)
class ParcelRow:
    """A parcel as the order page shows it, with the steps this user may take."""

    shipment: Shipment
    lines: list
    steps: list[tuple[str, str]]


def may_pack(modeladmin, request, order: Order) -> bool:
    return modeladmin.has_change_permission(request, order) and request.user.has_perm(
        "orders.add_shipment"
    )


def may_move(modeladmin, request, order: Order) -> bool:
    return modeladmin.has_change_permission(request, order) and request.user.has_perm(
        "orders.change_shipment"
    )


def parcels_context(modeladmin, request, order: Order) -> dict:
    """What the order page's Parcels box needs (three queries for its parcels)."""
    moving = may_move(modeladmin, request, order)
    rows = [
        ParcelRow(
            shipment,
            list(shipment.lines.all()),
            [
                (step, STEPS[step][1])
                for step in (services.parcel_actions(order, shipment) if moving else [])
            ],
        )
        for shipment in selectors.order_shipments(order.pk)
    ]
    waiting = OrderItem.objects.filter(order=order, kind=ItemKind.PRODUCT).only(
        "count", "shipped_count", "kind"
    )
    return {
        "parcels": rows,
        "can_pack": may_pack(modeladmin, request, order)
        and not (order.done or order.canceled)
        and any(item.waiting_count for item in waiting),
    }


class ParcelForm(forms.Form):
    """A parcel: how many units of each line that waits (by default all of them), a
    carrier's tracking number and a weight. The service checks the rest."""

    shipper = forms.ModelChoiceField(
        queryset=Shipper.objects.all(), required=False, label=_("Carrier")
    )
    tracking_number = forms.CharField(
        required=False, max_length=100, strip=True, label=_("Tracking number")
    )
    weight = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=3,
        label=_("Weight (kg)"),
        help_text=_("Empty: what the lines weigh."),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [item for item in items if item.waiting_count]
        for item in self.items:
            self.fields[self.count_field(item.pk)] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=item.waiting_count,
                initial=item.waiting_count,
            )

    @staticmethod
    def count_field(item_id: int) -> str:
        return f"count_{item_id}"

    def rows(self):
        """Each line that waits with its count input, for the template."""
        return [(item, self[self.count_field(item.pk)]) for item in self.items]

    def lines(self) -> list[tuple[int, int]]:
        counts = (
            (item.pk, self.cleaned_data.get(self.count_field(item.pk)) or 0) for item in self.items
        )
        return [(item_id, count) for item_id, count in counts if count]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not self.lines():
            raise forms.ValidationError(_("Put at least one unit into the parcel."))
        if bool(cleaned.get("shipper")) != bool(cleaned.get("tracking_number")):
            raise forms.ValidationError(
                _("A tracking number needs its carrier, and a carrier its tracking number.")
            )
        return cleaned


def _back_to(order: Order):
    return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]) + "#parcels")


def parcel_create_view(modeladmin, request, order: Order):
    """The page that packs a parcel (services.shipment_create) from the lines that wait."""
    if not may_pack(modeladmin, request, order):
        raise PermissionDenied
    items = list(OrderItem.objects.filter(order=order, kind=ItemKind.PRODUCT).order_by("id"))
    form = ParcelForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        shipper = form.cleaned_data["shipper"]
        try:
            parcel = services.shipment_create(
                order_id=order.pk,
                actor=Actor.for_user(request.user),
                lines=form.lines(),
                shipper_id=shipper.pk if shipper else None,
                tracking_number=form.cleaned_data["tracking_number"] or None,
                weight=form.cleaned_data["weight"],
            )
        except OrderError as error:
            form.add_error(None, actions.error_text(error))
        else:
            modeladmin.message_user(
                request,
                gettext("Parcel %(parcel)s packed.") % {"parcel": parcel.pk},
                messages.SUCCESS,
            )
            return _back_to(order)
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": gettext("Pack a parcel of %(order)s") % {"order": order},
        "order": order,
        "form": form,
        "rows": form.rows(),
    }
    return TemplateResponse(request, "admin/orders/order/parcel_create.html", context)


def parcel_step_view(modeladmin, request, order: Order, shipment_id: int, step: str):
    """One parcel button (sent, delivered, returned to sender, cancel): its service."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if step not in STEPS:
        raise Http404("No such step.")
    if not may_move(modeladmin, request, order):
        raise PermissionDenied
    service, _words, done = STEPS[step]
    try:
        service(order_id=order.pk, shipment_id=shipment_id, actor=Actor.for_user(request.user))
    except OrderError as error:
        modeladmin.message_user(request, actions.error_text(error), messages.ERROR)
    else:
        modeladmin.message_user(
            request,
            gettext("Parcel %(parcel)s %(done)s.") % {"parcel": shipment_id, "done": done},
            messages.SUCCESS,
        )
    return _back_to(order)


def packing_slip_view(modeladmin, request, order: Order, shipment_id: int):
    """A parcel's packing slip, to print and put in the box: the order number, the
    delivery address, each item's code, name and count."""
    if not modeladmin.has_view_or_change_permission(request, order):
        raise PermissionDenied
    shipment = selectors.order_shipments(order.pk).filter(pk=shipment_id).first()
    if shipment is None:
        raise Http404("No such parcel.")
    lines = list(shipment.lines.all())
    context = {
        "order": order,
        "shipment": shipment,
        "lines": lines,
        "units": sum(line.count for line in lines),
        "seller": order.company or (order.channel.company if order.channel_id else None),
    }
    return TemplateResponse(request, "admin/orders/order/packing_slip.html", context)
