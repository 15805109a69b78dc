"""(ours) Walking every order by cursor: `GET /System/Orders?after=<cursor>`.

The contract's paging (`page`, newest first) counts the matching orders on every page and
skips or repeats orders when new ones arrive during a walk. With `after` the listing is a
keyset walk instead: orders by id ascending, the ones after the cursor, `per_page` at a
time, with the usual filters, and no COUNT. Start with `after=start`; each answer carries
`next_cursor` (pass it as `after`) and `has_more` (more orders match right now). The
cursor is opaque to clients (base64 of the last id seen, today).

The answer keeps the contract's Orders shape, so any reader of it reads it: `paginator`
says `per_page` and has no `page`, `pages` or `total` (null: they would need the count);
`next_cursor` and `has_more` are extra keys, which the public client ignores. A key, not a
header, so a client reads the walk's state where it reads the orders, as with the change
feed (GET /System/Orders/Events), whose names these are.
"""

import base64
import binascii
import re

from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from orders import selectors

from .pagination import OrderPagination
from .viewsets import parse_expanded

PARAM = "after"
START = "start"
_ID = re.compile(r"id:([0-9]{1,18})")
NOT_A_CURSOR = f"Not a cursor. Use {START} to begin, then the next_cursor of each answer."


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(text: str) -> int:
    """The id a cursor stands for (0 for `start`); ValueError if it is not a cursor."""
    if text == START:
        return 0
    if not text.isascii():
        raise ValueError(text)
    try:
        plain = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(text) from None
    match = _ID.fullmatch(plain)
    if match is None:
        raise ValueError(text)
    return int(match.group(1))


class CursorMixin:
    """Put before a PagePagination: with `after` in the query string the page is the
    orders after the cursor by id; without it, the page class answers as before."""

    query_params = ("page", "per_page", PARAM)

    def parse(self, params) -> None:
        super().parse(params)
        self.after = None
        text = params.get(PARAM)
        if text is None:
            return
        errors = {}
        try:
            self.after = decode(text)
        except ValueError:
            errors[PARAM] = [NOT_A_CURSOR]
        if params.get("page") is not None:
            errors[PARAM] = [f"Give {PARAM} or page, not both."]
        if errors:
            raise ValidationError(errors)

    def paginate_queryset(self, queryset, request, view=None) -> list:
        self.parsed(request.query_params)
        if self.after is None:
            return super().paginate_queryset(queryset, request, view)
        # The page's ids first, from the primary key alone (one id more than the page says
        # whether more match, without a count), then those orders by id: joined in the
        # range query, a sparse relation (the discount) can be merge-joined from its first
        # row, which costs more the further the walk goes.
        ids = list(
            queryset.filter(pk__gt=self.after)
            .order_by("pk")
            .values_list("pk", flat=True)[: self.per_page + 1]
        )
        self.has_more = len(ids) > self.per_page
        ids = ids[: self.per_page]
        self.next_cursor = encode(ids[-1] if ids else self.after)
        return selectors.orders_by_ids(ids, expanded=parse_expanded(request.query_params))

    def get_paginated_response(self, data) -> Response:
        if self.after is None:
            return super().get_paginated_response(data)
        paginator = {"page": None, "per_page": self.per_page, "pages": None, "total": None}
        return Response(
            {
                "paginator": paginator,
                self.key: data,
                "next_cursor": self.next_cursor,
                "has_more": self.has_more,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        page = super().get_paginated_response_schema(schema)
        fields = page["properties"]["paginator"]["properties"]
        for name in ("page", "pages", "total"):
            fields[name] = {
                **fields[name],
                "nullable": True,
                "description": " ".join(
                    filter(None, [fields[name].get("description"), f"Null with `{PARAM}`."])
                ),
            }
        page["properties"]["next_cursor"] = {
            "type": "string",
            "description": f"(ours, only with `{PARAM}`) Pass as `{PARAM}` for the next orders.",
        }
        page["properties"]["has_more"] = {
            "type": "boolean",
            "description": f"(ours, only with `{PARAM}`) More orders match right now.",
        }
        return page

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": PARAM,
                "in": "query",
                "required": False,
                "description": f"(ours) Walk by id ascending, without counting: `{START}` to "
                "begin, then the answer's `next_cursor`. Not with `page`.",
                "schema": {"type": "string"},
            },
        ]


def with_cursor(page_class: type) -> type:
    """`page_class` (from page_of) that also walks by cursor."""
    return type(page_class.__name__, (CursorMixin, page_class), {})


# GET /System/Orders and GET /System/People/{id}/Orders: one class, so one schema "Orders".
OrdersPagination = with_cursor(OrderPagination)
