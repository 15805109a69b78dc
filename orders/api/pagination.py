"""The contract's paginator: `page` (from 1) and `per_page` (10..250, default 10), answered as
`{"paginator": {"page", "per_page", "pages", "total"}, "<key>": [...]}`.

A malformed value is a 400 naming the parameter; a page past the end is an empty list.
"""

import math

from django import forms
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from orders import selectors

from .filters import WholeNumberField
from .viewsets import parse_expanded

PER_PAGE_DEFAULT, PER_PAGE_MIN, PER_PAGE_MAX = 10, 10, 250
MAX_PAGE = 2**31


class PageForm(forms.Form):
    page = WholeNumberField(required=False, min_value=1, max_value=MAX_PAGE)
    per_page = WholeNumberField(required=False, min_value=PER_PAGE_MIN, max_value=PER_PAGE_MAX)


class PagePagination(BasePagination):
    """Subclass per answer key with `page_of(key)`."""

    key = "results"
    component_name = None  # the page's name in the OpenAPI schema
    query_params = ("page", "per_page")

    def parse(self, params) -> None:
        """Read page and per_page, or raise a 400 naming the bad one."""
        form = PageForm(params)
        if not form.is_valid():
            raise ValidationError({f: [str(m) for m in ms] for f, ms in form.errors.items()})
        self.page = form.cleaned_data["page"] or 1
        self.per_page = form.cleaned_data["per_page"] or PER_PAGE_DEFAULT

    def parsed(self, params) -> None:
        """`parse(params)` once per query string: a GET's parameters are checked before the
        view runs (ApiViewSet.check_query_params) and read again when it pages."""
        if getattr(self, "_parsed", None) is not params:
            self.parse(params)
            self._parsed = params

    def paginate_queryset(self, queryset, request, view=None) -> list:
        self.parsed(request.query_params)
        start = (self.page - 1) * self.per_page
        self.total = self.kept_total(view)
        if self.total is not None and start >= self.total:
            return []
        keys = self.page_keys(queryset, start, start + self.per_page)
        if self.total is None:
            self.total = total_from_page(start, len(keys), self.per_page)
        if self.total is None:
            self.total = queryset.count()
        return self.page_rows(keys, request)

    def kept_total(self, view) -> int | None:
        """The exact total if something keeps it (a subclass may know), else None."""
        return None

    def page_keys(self, queryset, start: int, stop: int) -> list:
        """What the page is read by, in its order: here the rows themselves."""
        return list(queryset[start:stop])

    def page_rows(self, keys: list, request) -> list:
        """The rows of the page from its keys (a subclass may read them its own way)."""
        return keys

    def get_paginated_response(self, data) -> Response:
        paginator = {
            "page": self.page,
            "per_page": self.per_page,
            "pages": math.ceil(self.total / self.per_page),
            "total": self.total,
        }
        return Response({"paginator": paginator, self.key: data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["paginator", self.key],
            "properties": {
                "paginator": {
                    "type": "object",
                    "required": ["page", "per_page", "pages", "total"],
                    "properties": {
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "pages": {"type": "integer", "description": "Total pages."},
                        "total": {"type": "integer", "description": "Total items."},
                    },
                },
                self.key: schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "From 1 (default 1).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": f"{PER_PAGE_MIN} to {PER_PAGE_MAX} (default {PER_PAGE_DEFAULT}).",
                "schema": {"type": "integer", "minimum": PER_PAGE_MIN, "maximum": PER_PAGE_MAX},
            },
        ]


class OrderPagination(PagePagination):
    """The pages of orders (GET /System/Orders, a person's orders): ids first, counted by
    the view's `order_total()` where it has one that knows (orders/counts.py)."""

    key = "orders"
    component_name = "Orders"

    def kept_total(self, view) -> int | None:
        order_total = getattr(view, "order_total", None)
        return order_total() if order_total is not None else None

    def page_keys(self, queryset, start: int, stop: int) -> list[int]:
        return selectors.page_ids(queryset, start, stop)

    def page_rows(self, keys: list[int], request) -> list:
        expanded = parse_expanded(request.query_params)
        return selectors.orders_by_ids(keys, expanded=expanded)


def total_from_page(start: int, found: int, per_page: int) -> int | None:
    """The exact total when the page itself tells it, else None (then it is counted).

    A page with fewer rows than it holds, and at least one, is the last: the total is the
    rows before it and on it. An empty first page: none match. A full page, or an empty
    one further on (past the end, or all its rows gone since), does not tell. Read from
    the same statement as the page, this total agrees with the page; a count would be a
    second statement (a tracking number's listing: one statement fewer, and its ORM
    compiling)."""
    if 0 < found < per_page or (found == 0 and start == 0):
        return start + found
    return None


_classes: dict[tuple[str, str], type[PagePagination]] = {}


def page_of(key: str, component_name: str) -> type[PagePagination]:
    """The pagination class that lists its rows under `key` ("orders", "statuses", ...) as
    the schema's `component_name` (one key may name different pages: an order's payments
    and the payment methods are both "payments")."""
    if (key, component_name) not in _classes:
        attrs = {"key": key, "component_name": component_name}
        _classes[key, component_name] = type(
            f"{component_name}Pagination", (PagePagination,), attrs
        )
    return _classes[key, component_name]
