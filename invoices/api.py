"""The invoices on the API (our extension): the Invoice object that POST
/System/Orders/{id}/invoice answers and GET /System/Orders/{id}/invoices lists, and the
check of a buyer's numbers for the order input serializers."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orders.api.links import absolute

from .identifiers import party_errors
from .models import DocumentKind, Invoice, InvoiceLine

MONEY = {"max_digits": 14, "decimal_places": 4, "coerce_to_string": False}


def check_buyer_numbers(attrs: dict) -> dict:
    """A 400 naming company_vat / company_nr when python-stdnum shows them wrong for the
    buyer's country (state_code), or by the VAT number's own country prefix."""
    errors = party_errors(attrs)
    if errors:
        raise serializers.ValidationError(errors)
    return attrs


class InvoiceLineSerializer(serializers.ModelSerializer):
    unit_base = serializers.DecimalField(**MONEY, help_text="Without VAT.")
    unit_final = serializers.DecimalField(**MONEY, help_text="With VAT.")
    vat = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    total_base = serializers.DecimalField(**MONEY)
    total_final = serializers.DecimalField(**MONEY)

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "kind",
            "name",
            "code",
            "count",
            "unit_base",
            "unit_final",
            "vat",
            "total_base",
            "total_final",
        ]
        read_only_fields = fields


class InvoiceReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class InvoiceSerializer(serializers.ModelSerializer):
    """An issued invoice or credit note (our extension): numbers, dates, money and the PDF
    (with its EN 16931 XML inside). Amounts are in `currency_code`; a credit note's are
    negative."""

    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    order_id = serializers.IntegerField()
    currency_rate = serializers.DecimalField(
        max_digits=16, decimal_places=6, coerce_to_string=False
    )
    total_base = serializers.DecimalField(**MONEY)
    total_vat = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    paid_at_issue = serializers.DecimalField(**MONEY)
    amount_due = serializers.DecimalField(**MONEY)
    corrects = serializers.SerializerMethodField()
    lines = InvoiceLineSerializer(many=True, source="lines.all")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "number",
            "order_id",
            "corrects",
            "refund_id",
            "reason",
            "issue_date",
            "taxable_supply_date",
            "due_date",
            "currency_code",
            "currency_rate",
            "total_base",
            "total_vat",
            "total",
            "paid_at_issue",
            "amount_due",
            "lines",
            "pdf_url",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(InvoiceReferenceSerializer(allow_null=True))
    def get_corrects(self, document) -> dict | None:
        if document.corrects_id is None:
            return None
        return {"id": document.corrects_id, "number": document.corrects.number}

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, document) -> str:
        order_hash = document.order.hash
        if document.is_credit_note:
            path = reverse("order-credit-note-pdf", args=[order_hash, document.number])
        else:
            path = reverse("order-invoice-pdf", args=[order_hash])
        return absolute(self.context.get("request"), path)


def order_documents(order_id: int):
    """The order's invoice and credit notes, oldest first, with what the answer reads."""
    return (
        Invoice.objects.filter(order_id=order_id)
        .select_related("order", "corrects")
        .prefetch_related("lines")
        .order_by("id")
    )
