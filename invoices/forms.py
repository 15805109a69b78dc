"""Back-office forms: the seller's invoicing settings and the seller's numbers, checked
(python-stdnum, the number formats) before anything is saved."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from orders.models import Company

from . import identifiers, numbering
from .models import InvoiceSettings


class CompanyForm(forms.ModelForm):
    """The seller: its VAT and company numbers are checked for its country (state_code)."""

    class Meta:
        model = Company
        fields = ("name", "street", "city", "zip", "state_code", "company_nr", "company_vat",
                  "email", "phone", "bank_account")  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for field, reasons in identifiers.party_errors(cleaned).items():
            if field in self.fields:
                self.add_error(field, reasons)
        return cleaned


class InvoiceSettingsForm(forms.ModelForm):
    class Meta:
        model = InvoiceSettings
        fields = ("trigger", "invoice_number_format", "credit_note_number_format", "iban",
                  "bic", "due_days", "footer")  # fmt: skip

    def clean_invoice_number_format(self):
        return self._number_format("invoice_number_format")

    def clean_credit_note_number_format(self):
        return self._number_format("credit_note_number_format")

    def _number_format(self, field: str) -> str:
        value = self.cleaned_data[field].strip()
        numbering.validate_number_format(value)
        return value

    def clean_iban(self):
        value = self.cleaned_data["iban"].replace(" ", "").upper()
        identifiers.check_iban(value)
        return value

    def clean_bic(self):
        value = self.cleaned_data["bic"].replace(" ", "").upper()
        identifiers.check_bic(value)
        return value

    def clean(self):
        cleaned = super().clean()
        invoices = cleaned.get("invoice_number_format")
        notes = cleaned.get("credit_note_number_format")
        if invoices and notes:
            sample = {"year": 2026, "number": 1}
            if invoices.format(**sample) == notes.format(**sample):
                raise ValidationError(
                    {"credit_note_number_format": gettext(
                        "Credit notes need their own numbers: use another format than the "
                        "invoices' (e.g. a D in front).")}
                )  # fmt: skip
        return cleaned
