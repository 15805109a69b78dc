"""The customer's pages, addressed by the order's unguessable hash (no login)."""

from django.urls import path

from . import pages

urlpatterns = [
    path("order/<str:order_hash>", pages.order_page, name="order-page"),
    path("order/<str:order_hash>/invoice", pages.invoice_page, name="order-invoice"),
]
