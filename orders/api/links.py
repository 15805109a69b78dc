"""Absolute links the API hands out: api_link of related objects, order_url, invoice_url."""

from django.conf import settings
from django.urls import reverse

# Related object -> URL name of its read-only detail endpoint (in the "api" namespace).
DETAIL_ROUTES = {
    "customer": "person-detail",
    "company": "company-detail",
    "channel": "channel-detail",
    "shipping": "shipping-detail",
    "payment": "payment-detail",
    "shipper": "shipper-detail",
}


def base_url(request) -> str:
    """settings.PUBLIC_BASE_URL, or the scheme and host the request came to."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL
    if request is None:
        return ""
    cached = getattr(request, "_links_base_url", None)
    if cached is None:
        cached = request.build_absolute_uri("/").rstrip("/")
        request._links_base_url = cached
    return cached


def absolute(request, path: str) -> str:
    return base_url(request) + path


def api_link(request, relation: str, pk: int) -> str:
    return absolute(request, reverse(f"api:{DETAIL_ROUTES[relation]}", args=[pk]))
