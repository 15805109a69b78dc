"""The customer's invoice pages (no login; the order's hash is the key)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("order/<str:order_hash>/invoice", pages.invoice_page, name="order-invoice"),
    path("order/<str:order_hash>/invoice.pdf", pages.invoice_pdf, name="order-invoice-pdf"),
    path(
        "order/<str:order_hash>/credit-notes/<path:number>.pdf",
        pages.credit_note_pdf,
        name="order-credit-note-pdf",
    ),
]
