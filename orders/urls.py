"""The customer's pages, addressed by the order's unguessable hash (no login). The invoice
pages are in invoices/urls.py."""

from django.urls import path, register_converter

from . import pages
from .models import Order


class OrderHashConverter:
    """The shape of an order's hash (URL-safe base64, no longer than its column). Anything
    else, a NUL byte included (PostgreSQL refuses it in a query), is a 404 without a query."""

    regex = f"[A-Za-z0-9_-]{{1,{Order._meta.get_field('hash').max_length}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OrderHashConverter, "order_hash")

urlpatterns = [
    path("order/<order_hash:order_hash>", pages.order_page, name="order-page"),
]
