"""Documents in the order's language: a Czech order's invoice and credit note carry the
terms a Czech tax document uses, an English order's the English ones; amounts and dates are
written for the language; the language is fixed when the document is issued. The page and
the PDF (its text read back with pypdf) say the same."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from invoices import services as invoicing
from invoices.models import Invoice
from orders import services
from orders.language import format_day
from tests.factories import ChannelFactory, PaymentMethodFactory

from .conftest import make_order
from .test_pages import page, pdf_of, pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
NBSP = "\N{NO-BREAK SPACE}"

CZECH_INVOICE_TERMS = [
    "Faktura \N{EN DASH} daňový doklad č.",
    "Dodavatel",
    "Odběratel",
    "IČO:",
    "DIČ:",
    "Datum vystavení",
    "Datum uskutečnění zdanitelného plnění",
    "Datum splatnosti",
    "Variabilní symbol",
    "Forma úhrady",
    "Rekapitulace DPH",
    "Sazba DPH",
    "Základ daně",
    "DPH",
    "Celkem k úhradě",
]
ENGLISH_INVOICE_TERMS = [
    "Invoice ",
    "Seller",
    "Buyer",
    "Company no.",
    "VAT no.",
    "Issue date",
    "Taxable supply date",
    "Due date",
    "Variable symbol",
    "VAT by rate",
    "VAT rate",
    "Tax base",
    "Amount due",
]


@pytest.fixture
def czech_channel(seller):
    return ChannelFactory(name="Čajovna", company=seller, currency_code="CZK", language="cs")


@pytest.fixture
def czech_order(czech_channel, actor):
    """Green tea 2 x 121.00 (21 %) and a kettle 1 x 1,234.50 (21 %): 1,476.50 CZK, to be
    paid by bank transfer."""
    order = make_order(
        czech_channel,
        actor,
        company_nr="25123891",
        company_vat="CZ25123891",
        items=[
            services.ItemData(name="Zelený čaj", count=2, vat=D("21"), final_price=D("121")),
            services.ItemData(name="Konvice", count=1, vat=D("21"), final_price=D("1234.50")),
        ],
    )
    transfer = PaymentMethodFactory(name="Bankovní převod", channel=czech_channel, price=D("0"))
    services.order_set_payment_method(order_id=order.pk, actor=actor, payment_id=transfer.pk)
    return order


@pytest.fixture
def czech_invoice(czech_order, staff_actor):
    return invoicing.invoice_issue(order_id=czech_order.pk, actor=staff_actor)


def test_a_czech_orders_invoice_is_a_czech_tax_document(client, czech_invoice):
    html = page(client, czech_invoice.order)

    assert czech_invoice.language == "cs"
    for term in CZECH_INVOICE_TERMS:
        assert term in html, term
    assert f"Faktura \N{EN DASH} daňový doklad č. {czech_invoice.number}" in html
    assert "Bankovní převod" in html  # the payment method under "Forma úhrady"
    assert f"1{NBSP}476,50{NBSP}Kč" in html  # the total, written the Czech way
    assert f"1{NBSP}234,50{NBSP}Kč" in html
    assert format_day(czech_invoice.issue_date, "cs") in html  # "5. 1. 2026"
    assert "21 %" in html
    for english in ("<h2>Seller</h2>", "<h2>Buyer</h2>", "Taxable supply date", "Amount due",
                    "CZK1,476.50"):  # fmt: skip
        assert english not in html, english


def test_the_czech_invoices_pdf_says_the_same(client, czech_invoice):
    data = pdf_of(client, "order-invoice-pdf", czech_invoice.order.hash).content
    text = " ".join(pdf_text(data).split())

    # The parties' headings are in capitals in print (document.css).
    for term in ("Faktura \N{EN DASH} daňový doklad", "DODAVATEL", "ODBĚRATEL", "IČO", "DIČ",
                 "Datum uskutečnění zdanitelného plnění", "Variabilní symbol",
                 "Rekapitulace DPH", "Základ daně", "Celkem k úhradě"):  # fmt: skip
        assert term in text, term
    assert "1 476,50 Kč" in text.replace(NBSP, " ")
    assert "SELLER" not in text


def test_an_english_orders_invoice_keeps_the_english_terms(client, invoiced):
    html = page(client, invoiced.order)

    assert invoiced.language == "en"
    for term in ENGLISH_INVOICE_TERMS:
        assert term in html, term
    assert f"Invoice {invoiced.number}" in html
    assert "€46.20" in html
    assert format_day(invoiced.issue_date, "en") in html  # "Jan 5, 2026"
    for czech in ("Dodavatel", "Odběratel", "daňový doklad", "Kč"):
        assert czech not in html, czech
    text = " ".join(
        pdf_text(pdf_of(client, "order-invoice-pdf", invoiced.order.hash).content).split()
    )
    assert "Taxable supply date" in text
    assert "SELLER" in text
    assert "DODAVATEL" not in text


def test_the_invoice_keeps_the_language_it_was_issued_in(client, czech_invoice, staff_actor):
    order = czech_invoice.order
    services.order_update(order_id=order.pk, actor=staff_actor, changes={"language": "en"})

    html = page(client, order)

    # The document as issued; the page around it in the order's language now.
    assert f"Faktura \N{EN DASH} daňový doklad č. {czech_invoice.number}" in html
    assert f"1{NBSP}476,50{NBSP}Kč" in html
    assert "Download PDF" in html
    text = pdf_text(pdf_of(client, "order-invoice-pdf", order.hash).content)
    assert "DODAVATEL" in text
    assert Invoice.objects.get(pk=czech_invoice.pk).language == "cs"


def test_a_czech_credit_note_is_an_opravny_danovy_doklad(client, czech_invoice, actor):
    order = czech_invoice.order
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_refund(order_id=order.pk, actor=actor, reason="Rozbitá", amount=D("100"))
    note = czech_invoice.credit_notes.get()

    assert note.language == "cs"
    assert note.reason == "Vrácení peněz: Rozbitá"  # stored in the document's language
    assert {line.name for line in note.lines.all()} == {"Vrácení peněz: Rozbitá"}
    text = " ".join(
        pdf_text(pdf_of(client, "order-credit-note-pdf", order.hash, note.number).content).split()
    )
    assert f"Opravný daňový doklad č. {note.number}" in text
    assert f"Opravuje fakturu {czech_invoice.number} ze dne" in text
    assert "Rekapitulace DPH" in text
    assert "-100,00 Kč" in text.replace(NBSP, " ")
    html = page(client, order)
    assert f"Opravný daňový doklad č. {note.number}" in html  # the page's list of credit notes


def test_a_czech_orders_proforma_is_czech_too(client, czech_order):
    html = page(client, czech_order)

    assert f"Proforma faktura {czech_order.pk}" in html
    assert "nejedná se o daňový doklad" in html
    assert "Proforma faktura v PDF" in html


def test_a_cancel_credit_note_says_why_in_its_language(czech_invoice, actor):
    services.order_cancel(order_id=czech_invoice.order_id, actor=actor)

    note = czech_invoice.credit_notes.get()
    assert (note.language, note.reason) == ("cs", "Objednávka stornována")


@override_settings(LANGUAGE_CODE="cs")
def test_staff_read_the_invoices_panel_in_their_language(admin_client, czech_invoice):
    url = reverse("admin:orders_order_change", args=[czech_invoice.order_id])

    html = admin_client.get(url).content.decode()

    assert "Faktura a dobropisy" in html
    assert f"Faktura {czech_invoice.number}" in html
    assert f"1{NBSP}476,50{NBSP}Kč" in html
