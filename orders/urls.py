"""The customer's pages, addressed by the order's unguessable hash (no login). The invoice
pages are in invoices/urls.py."""

from django.urls import path

from . import pages

urlpatterns = [
    path("order/<str:order_hash>", pages.order_page, name="order-page"),
]
