"""The customer's invoice pages, addressed by the order's unguessable hash (no login, as
the order page): the invoice page (the issued invoice, or a proforma from the live order
while none is issued), its PDF, and each credit note's PDF.

The page is in the order's language (orders/language.py), as the order page; each
document in its own (the order's when it was issued: invoices/rendering.py)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from orders.language import format_day, order_language
from orders.money import format_money
from orders.pages import _order_or_404, _private

from . import pdf, rendering
from .models import DocumentKind, Invoice


def _documents(order):
    return Invoice.objects.filter(order=order).select_related("corrects").order_by("id")


def _rendered(order) -> tuple[rendering.Rendered, list[Invoice]]:
    documents = list(_documents(order))
    invoice = next((d for d in documents if d.kind == DocumentKind.INVOICE), None)
    notes = [d for d in documents if d.kind == DocumentKind.CREDIT_NOTE]
    if invoice is None:
        return rendering.proforma(order), notes
    return rendering.issued(invoice), notes


def _pdf_response(rendered: rendering.Rendered) -> HttpResponse:
    response = HttpResponse(pdf.pdf(rendered), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(rendered)}"'
    return _private(response)


@require_safe
def invoice_page(request, order_hash):
    """The printable invoice (or the proforma), with links to its PDF and credit notes."""
    order = _order_or_404(order_hash)
    rendered, notes = _rendered(order)
    with translation.override(order_language(order)):
        for note in notes:
            note.total_display = format_money(note.total, note.currency_code)
            note.date_display = format_day(note.issue_date, length="long")
        context = {**rendering.context(rendered), "order": order, "credit_notes": notes}
        return _private(render(request, "invoices/page.html", context))


@require_safe
def invoice_pdf(request, order_hash):
    """The invoice as PDF with its Factur-X XML (the proforma as a plain PDF)."""
    order = _order_or_404(order_hash)
    rendered, _ = _rendered(order)
    return _pdf_response(rendered)


@require_safe
def credit_note_pdf(request, order_hash, number):
    order = _order_or_404(order_hash)
    note = _documents(order).filter(kind=DocumentKind.CREDIT_NOTE, number=number).first()
    if note is None:
        raise Http404("No such credit note.")
    return _pdf_response(rendering.issued(note))
