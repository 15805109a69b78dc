"""Placeholder for the customer's order page and invoice (issue 4)."""

from django.http import Http404


def order_page(request, order_hash):
    raise Http404


def invoice_page(request, order_hash):
    raise Http404
