"""The shop's order statuses: order, colour, icon, and what assigning one does."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from orders.admin.display import status_badge
from orders.admin.icons import NAMES as ICON_NAMES
from orders.models import Order

from .models import OrderStatus


class OrderStatusForm(forms.ModelForm):
    class Meta:
        model = OrderStatus
        fields = ("name", "icon", "color", "sort", "complete_order", "cancel_order", "follows")
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "icon": format_lazy(
                _(
                    "Drawn beside the name in the back office: one of {names} (or the emoji of "
                    "the default statuses). Anything else shows no icon there; the API hands it "
                    "out as written."
                ),
                names=", ".join(ICON_NAMES),
            ),
        }


@admin.register(OrderStatus)
class OrderStatusAdmin(admin.ModelAdmin):
    form = OrderStatusForm
    list_display = ("name", "preview", "sort", "complete_order", "cancel_order", "follows")
    list_display_links = ("name",)
    list_editable = ("sort",)
    ordering = ("sort", "id")
    search_fields = ("name",)
    fields = (
        "name",
        "icon",
        "color",
        "preview",
        "sort",
        "complete_order",
        "cancel_order",
        "follows",
    )
    readonly_fields = ("preview",)

    @admin.display(description=_("Looks like"))
    def preview(self, status):
        if not status.pk:
            return gettext("Save to see the badge.")
        return format_html("{} <code>{}</code>", status_badge(status), status.color)

    def get_deleted_objects(self, objs, request):
        """A status that orders still have cannot be deleted (the orders' link is PROTECT).

        Django would list every protected order on the confirmation page (all of them,
        one query each at worst); one count per status says the same, clearly.
        """
        in_use = dict(
            Order.objects.filter(status__in=list(objs))
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        if in_use:
            protected = [
                ngettext(
                    "%(status)s: %(count)s order has this status. Give it another status "
                    "first (Orders → select → “Assign the chosen status”); a status in use "
                    "cannot be deleted.",
                    "%(status)s: %(count)s orders have this status. Give them another status "
                    "first (Orders → select → “Assign the chosen status”); a status in use "
                    "cannot be deleted.",
                    in_use[status.pk],
                )
                % {
                    "status": status.name,
                    "count": number_format(in_use[status.pk], force_grouping=True),
                }
                for status in objs
                if status.pk in in_use
            ]
            return [], {}, set(), protected
        return super().get_deleted_objects(objs, request)
