"""The customer's invoice pages (no login; the order's hash is the key)."""

from django.urls import path

import orders.urls  # noqa: F401 (registers the order_hash path converter)

from . import pages

urlpatterns = [
    path("order/<order_hash:order_hash>/invoice", pages.invoice_page, name="order-invoice"),
    path("order/<order_hash:order_hash>/invoice.pdf", pages.invoice_pdf, name="order-invoice-pdf"),
    path(
        "order/<order_hash:order_hash>/credit-notes/<path:number>.pdf",
        pages.credit_note_pdf,
        name="order-credit-note-pdf",
    ),
]
