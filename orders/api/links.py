"""Absolute links the API hands out: api_link of related objects, order_url, invoice_url.

A page of 100 orders holds about 700 of them; reverse() takes about 0.1 ms each. So each
route is reversed once (per script prefix and URLconf) and each link is that route's path
with the id or hash put in; a request's Links keeps its base URL and routes.
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

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


class RouteTemplate:
    """reverse(name, args=[value]) for many values: the route reversed once with a stand-in
    value, which each value then replaces. A value the route's pattern (`accepts`) would
    refuse is reversed as before, so it fails as it did (NoReverseMatch)."""

    def __init__(self, name: str, stand_in: str, accepts: str):
        self.name = name
        self.accepts = re.compile(accepts)
        path = reverse(name, args=[stand_in])
        # The stand-in is only letters and digits, which reverse() never quotes.
        if path.count(stand_in) != 1:
            raise ValueError(f"{stand_in!r} does not mark the argument of {name}: {path}")
        self.before, _, self.after = path.partition(stand_in)

    def __call__(self, value) -> str:
        text = str(value)
        if self.accepts.fullmatch(text):
            return self.before + text + self.after
        return reverse(self.name, args=[value])


def route(name: str) -> RouteTemplate:
    """The route's template under this request's script prefix and URLconf (what reverse()
    reads besides the name), made once per process for each of them."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _route(name: str, script_prefix: str, urlconf) -> RouteTemplate:
    # Imported here: orders.urls and the viewsets import the serializers, which import this.
    from orders.urls import OrderHashConverter

    from .viewsets import ID

    if name.startswith("api:"):
        return RouteTemplate(name, "918273645546372819", ID)
    return RouteTemplate(name, "zQ7xStandInHash9k", OrderHashConverter.regex)


class Links:
    """The links of one request (or, without one, of one export): absolute, each route
    reversed on first use. The script prefix and URLconf are the request's."""

    def __init__(self, request):
        self.base = base_url(request)
        self.routes: dict[str, RouteTemplate] = {}

    def path(self, name: str, value) -> str:
        template = self.routes.get(name)
        if template is None:
            template = self.routes[name] = route(name)
        return self.base + template(value)

    def api(self, relation: str, pk: int) -> str:
        return self.path(f"api:{DETAIL_ROUTES[relation]}", pk)

    def order_page(self, order_hash: str) -> str:
        return self.path("order-page", order_hash)

    def order_invoice(self, order_hash: str) -> str:
        return self.path("order-invoice", order_hash)


def links_for(request) -> Links:
    """The request's Links (made on first use); a new one when there is no request."""
    if request is None:
        return Links(None)
    links = getattr(request, "_api_links", None)
    if links is None:
        links = request._api_links = Links(request)
    return links


def context_links(context: dict) -> Links:
    """The Links of a serializer context: its request's, or kept in the context (an export
    reuses one context for every order)."""
    request = context.get("request")
    if request is not None:
        return links_for(request)
    links = context.get("_links")
    if links is None:
        links = context["_links"] = Links(None)
    return links


def api_link(request, relation: str, pk: int) -> str:
    return links_for(request).api(relation, pk)
