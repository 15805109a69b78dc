"""What the customer sees at invoice_url (no login): the issued invoice from its snapshot
or a proforma, and the PDFs: the invoice (with its EN 16931 XML inside) and credit notes."""

from decimal import Decimal
from io import BytesIO

import facturx
import pytest
from django.urls import reverse
from drafthorse.models.document import Document
from lxml import etree
from pypdf import PdfReader

from invoices import services as invoicing
from orders import services

from .conftest import make_order

pytestmark = pytest.mark.django_db
D = Decimal
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def page(client, order):
    response = client.get(reverse("order-invoice", args=[order.hash]))
    assert response.status_code == 200
    return response.content.decode()


def pdf_of(client, name, *args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    return response


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)


def test_before_an_invoice_the_page_is_a_proforma_of_the_live_order(client, order):
    html = page(client, order)

    assert f"Proforma invoice {order.pk}" in html
    assert "not a tax document" in html
    assert "Green tea" in html
    assert "€46.20" in html
    assert reverse("order-invoice-pdf", args=[order.hash]) in html


def test_the_issued_invoice_is_shown_from_its_snapshot(client, invoiced, staff_actor):
    order = invoiced.order
    services.order_update(order_id=order.pk, actor=staff_actor, changes={"name": "Renamed"})

    html = page(client, order)

    assert f"Invoice {invoiced.number}" in html
    assert "Proforma" not in html
    assert "Jana Nováková" in html
    assert "Renamed" not in html
    assert "Taxable supply date" in html
    assert "CZ25123891" in html  # the seller's VAT number
    assert "Registered at the Municipal Court in Prague" in html


def test_the_invoice_pdf_holds_the_number_and_its_factur_x_xml(client, invoiced):
    response = pdf_of(client, "order-invoice-pdf", invoiced.order.hash)

    data = response.content
    assert data.startswith(b"%PDF")
    assert f'filename="invoice-{invoiced.number}.pdf"' in response["Content-Disposition"]
    assert invoiced.number in pdf_text(data)
    # The XML read back from the PDF with factur-x, checked against its XSD again.
    filename, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert filename == "factur-x.xml"
    parsed = Document.parse(xml)
    assert str(parsed.header.id) == invoiced.number
    assert str(parsed.header.type_code) == "380"
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"


def test_a_credit_note_has_its_own_pdf_linked_from_the_invoice_page(client, invoiced, actor):
    order = invoiced.order
    services.order_refund(order_id=order.pk, actor=actor, reason="Broken", amount=D("5"))
    note = invoiced.credit_notes.get()

    html = page(client, order)
    url = reverse("order-credit-note-pdf", args=[order.hash, note.number])
    assert url in html
    data = pdf_of(client, "order-credit-note-pdf", order.hash, note.number).content

    assert note.number in pdf_text(data)
    assert invoiced.number in pdf_text(data)  # it names the invoice it corrects
    _, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    parsed = Document.parse(xml)
    assert str(parsed.header.type_code) == "381"
    reference = etree.fromstring(xml).xpath(
        "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()", namespaces=NS
    )
    assert reference == [invoiced.number]


def test_an_unpaid_invoice_carries_a_qr_code_a_paid_one_does_not(
    client, channel, actor, staff_actor, invoiced
):
    unpaid_order = make_order(channel, actor)
    unpaid = invoicing.invoice_issue(order_id=unpaid_order.pk, actor=staff_actor)

    html = page(client, unpaid_order)
    assert 'alt="QR code to pay €46.20"' in html
    assert "EPC QR code" in html  # EUR: the SEPA code
    assert unpaid.amount_due == D("46.2")
    assert 'alt="QR code to pay' not in page(client, invoiced.order)  # paid when issued


def test_the_proforma_pdf_is_a_plain_pdf(client, order):
    data = pdf_of(client, "order-invoice-pdf", order.hash).content

    assert data.startswith(b"%PDF")
    assert "Proforma invoice" in pdf_text(data)
    assert not PdfReader(BytesIO(data)).attachments


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("order-invoice", ["not-a-hash"]),
        ("order-invoice-pdf", ["not-a-hash"]),
    ],
)
def test_unknown_hashes_are_404(client, name, args):
    assert client.get(reverse(name, args=args)).status_code == 404


def test_an_unknown_credit_note_is_404(client, invoiced):
    url = reverse("order-credit-note-pdf", args=[invoiced.order.hash, "D2026-999999"])

    assert client.get(url).status_code == 404
