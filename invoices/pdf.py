"""Documents as PDF: the customer's page template rendered by WeasyPrint (A4, the print
stylesheet invoices/document.css), as PDF/A-3b; an issued document gets its EN 16931 XML
embedded by factur-x, so the one file is both what people read and what accounting
software imports. A proforma is a plain PDF (it is not a tax document).

PDFs are rendered on demand from the immutable snapshot, not stored: the same document
always renders the same content. WeasyPrint fetches nothing: the stylesheet is read from
the app's static files, the QR code is a data: URI, and any other URL is refused.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from . import einvoice, rendering

STYLESHEET = "invoices/document.css"


def html(rendered: rendering.Rendered) -> str:
    return render_to_string("invoices/pdf.html", rendering.context(rendered))


def pdf(rendered: rendering.Rendered) -> bytes:
    """The document as PDF bytes (with its Factur-X XML unless it is a proforma)."""
    fetcher = URLFetcher(allowed_protocols={"data"})
    stylesheet = CSS(filename=finders.find(STYLESHEET), url_fetcher=fetcher)
    document = HTML(string=html(rendered), url_fetcher=fetcher)
    data = document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/a-3b")
    if rendered.proforma:
        return data
    issued = rendered.document
    return einvoice.embed(data, einvoice.xml(issued), issued)


def filename(rendered: rendering.Rendered) -> str:
    if rendered.proforma:
        return f"proforma-{rendered.document.number}.pdf"
    kind = "credit-note" if rendered.document.is_credit_note else "invoice"
    number = rendered.document.number.replace("/", "-")
    return f"{kind}-{number}.pdf"
