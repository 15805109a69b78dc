"""Forms of the order back office. They validate; the services write."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.admin import helpers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from invoices.identifiers import party_errors
from statuses.models import OrderStatus

from ..errors import InvalidInput
from ..models import DiscountType, Order, OrderItem, PaymentMethod, ShippingMethod
from ..money import minor_unit, round_money
from ..services import EDITABLE_FIELDS, ItemData
from ..services.items import item_values

# ItemData field -> the inline form field that carries it, for error messages.
ITEM_ERROR_FIELDS = {
    "name": "name",
    "count": "count",
    "vat": "vat",
    "final_price": "unit_price_final",
    "price": "unit_price_final",
    "weight": "weight",
}


def amount_text(amount: Decimal, currency: str) -> str:
    """An amount as an input shows it: rounded to the currency's minor unit, no symbol
    ("12.10" for the stored 12.1000 EUR, "1210" for JPY)."""
    return str(round_money(amount, currency))


class MoneyInput(forms.NumberInput):
    """An amount's input in `currency` (set by the form): a stored value is shown as people
    write it (12.10, not 12.1000), and the arrows step by the minor unit. What staff typed
    is shown back as typed."""

    def __init__(self, attrs=None, currency: str | None = None):
        super().__init__(attrs)
        self.currency = currency

    def format_value(self, value):
        if self.currency and isinstance(value, Decimal) and value.is_finite():
            return amount_text(value, self.currency)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.currency:
            context["widget"]["attrs"]["step"] = str(minor_unit(self.currency))
        return context


def item_data(cleaned: dict, existing: OrderItem | None = None) -> ItemData:
    """The service's ItemData from an inline row; fields the row does not show are kept."""
    keep = {}
    if existing is not None and existing.pk:
        keep = {
            "article_id": existing.article_id,
            "ordered": existing.ordered,
            "original_final_price": existing.original_price_final,
        }
    return ItemData(
        name=cleaned.get("name") or "",
        code=cleaned.get("code") or "",
        count=cleaned.get("count"),
        vat=cleaned.get("vat"),
        final_price=cleaned.get("unit_price_final"),
        weight=cleaned.get("weight") or Decimal("0"),
        note=cleaned.get("note") or "",
        **keep,
    )


class OrderItemForm(forms.ModelForm):
    """An item row. The unit price is entered with VAT; the price without VAT, the line
    total and the order's money are computed by the service with the rounding rule."""

    class Meta:
        model = OrderItem
        fields = ("code", "name", "count", "unit_price_final", "vat", "weight", "note")
        labels = {"unit_price_final": _("Unit price with VAT")}
        widgets = {"note": forms.TextInput(attrs={"size": 20}), "unit_price_final": MoneyInput}

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit_price_final" in self.fields:  # not once the items are read-only
            self.fields["unit_price_final"].widget.currency = currency

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE") or not self.has_changed():
            return cleaned
        order = self.instance.order
        try:
            # The service's own validation, run early so errors land on the row.
            item_values(item_data(cleaned, self.instance), order.order_currency_code)
        except InvalidInput as error:
            field = ITEM_ERROR_FIELDS.get(error.field)
            self.add_error(field if field in self.fields else None, error.message)
        return cleaned


class OrderActionForm(helpers.ActionForm):
    """The change list's action bar, with the status the "assign status" action gives."""

    status = forms.ModelChoiceField(
        queryset=OrderStatus.objects.all(),
        required=False,
        empty_label=_("(choose a status)"),
        label=_("Status"),
    )


class PaidForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        help_text=_("Total paid so far; empty = the order's full money."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        strip=True,
        help_text=_("Needed to lower what is paid (a correction)."),
    )


class DiscountForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=DiscountType.choices)
    value = forms.DecimalField(
        label=_("Value"), min_value=Decimal("0.0001"), max_digits=14, decimal_places=4
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, strip=True)


class RefundForm(forms.Form):
    """A refund: how many units of each refundable line (up to what is left of it) and/or
    an extra amount, with a reason. The service checks the rest (never more than paid)."""

    amount = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=4,
        label=_("Extra amount"),
        help_text=_("Given back beyond the lines (goodwill, a price difference)."),
        widget=MoneyInput,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, strip=True)
    mark_returned = forms.BooleanField(
        required=False, label=_("The refunded products came back (mark them returned)")
    )

    def __init__(self, *args, options=(), currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.currency = currency
        self.options = list(options)
        for option in self.options:
            self.fields[self.count_field(option.item.pk)] = forms.IntegerField(
                required=False, min_value=0, max_value=option.left, initial=0
            )

    @staticmethod
    def count_field(item_id: int) -> str:
        return f"count_{item_id}"

    def rows(self):
        """Each refundable line with its count input, for the template."""
        return [(option, self[self.count_field(option.item.pk)]) for option in self.options]

    def lines(self) -> list[tuple[int, int]]:
        counts = (
            (option.item.pk, self.cleaned_data.get(self.count_field(option.item.pk)) or 0)
            for option in self.options
        )
        return [(item_id, count) for item_id, count in counts if count]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.lines() and cleaned.get("amount") is None:
            raise forms.ValidationError(_("Choose lines to refund or give an amount."))
        return cleaned


class StatusForm(forms.Form):
    status = forms.ModelChoiceField(label=_("Status"), queryset=OrderStatus.objects.all())


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=300, strip=True)


class ChargeMethodForm(forms.ModelForm):
    """A shipping or payment method: its price and threshold in the method's currency."""

    class Meta:
        fields = ("name", "channel", "price", "vat", "free_from")
        widgets = {"price": MoneyInput, "free_from": MoneyInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        method = self.instance
        currency = method.currency_code if method.pk else settings.MAIN_CURRENCY
        for name in ("price", "free_from"):
            if name in self.fields:
                self.fields[name].widget.currency = currency


class ShippingMethodForm(ChargeMethodForm):
    class Meta(ChargeMethodForm.Meta):
        model = ShippingMethod
        fields = (*ChargeMethodForm.Meta.fields, "shipper")


class PaymentMethodForm(ChargeMethodForm):
    class Meta(ChargeMethodForm.Meta):
        model = PaymentMethod


class OrderForm(forms.ModelForm):
    """The order's own data. Saved by services.order_update with the fields that changed."""

    class Meta:
        model = Order
        fields = EDITABLE_FIELDS
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "our_note": forms.Textarea(attrs={"rows": 3}),
        }

    BUYER_NUMBERS = ("company_vat", "company_nr", "state_code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            # Empty is not "unknown" but "follow the channel": say so in the list.
            choices = self.fields["language"].choices
            self.fields["language"].choices = [("", _("The channel's")), *choices[1:]]

    def clean(self):
        cleaned = super().clean()
        # The buyer's VAT and company numbers, checked as the API checks them (python-stdnum),
        # when staff change them: an old order with a bad number stays editable otherwise.
        if any(name in self.changed_data for name in self.BUYER_NUMBERS):
            party = {
                name: cleaned.get(name, getattr(self.instance, name)) for name in self.BUYER_NUMBERS
            }
            for field, messages in party_errors(party).items():
                if field in self.fields:
                    self.add_error(field, messages)
        return cleaned

    @cached_property
    def changed_data(self):
        changed = super().changed_data
        # The time input shows whole seconds, so an untouched order date would always
        # look changed (its stored microseconds are lost in the form).
        if "date_order" in changed and hasattr(self, "cleaned_data"):
            old, new = self.initial.get("date_order"), self.cleaned_data.get("date_order")
            if old and new and old.replace(microsecond=0) == new.replace(microsecond=0):
                changed = [name for name in changed if name != "date_order"]
        return changed
