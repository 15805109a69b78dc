"""GET /System/Orders/Events: every order event in commit order, from a cursor.

An integrator that missed webhooks (or never had them) catches up by asking for the
events after the last cursor it saw. The cursor is opaque to clients; it orders events
so that one committed late can never land behind it (see notifications/outbox.py).
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from config.replica import reads_from_primary
from notifications.outbox import Cursor, committed_events
from orders.events import EVENT_TYPES
from orders.models import OrderEvent

from . import schema as docs
from .viewsets import ApiViewSet

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
LIMIT = re.compile(r"[0-9]{1,3}")


class OrderEventSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Pass as `after` to get the events after this one.")
    id = serializers.IntegerField(help_text="The event's id; webhooks send it as evt_<id>.")
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    order_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    payload = serializers.JSONField(help_text="What changed: order_id, version, status_id, ...")


@extend_schema_serializer(many=False)  # one page object, though the action is a "list"
class OrderEventFeedSerializer(serializers.Serializer):
    events = OrderEventSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text="Ask again with after=next_cursor; null only when no event exists yet.",
    )
    has_more = serializers.BooleanField(help_text="More events are ready right now.")


def _query(request) -> tuple[Cursor, int]:
    """`after` and `limit`, or a 400 naming each bad one. Only ASCII digits count:
    str.isdigit() also accepts '²', and int() and a regex's \\d accept '٣'."""
    errors = {}
    after_text = request.query_params.get("after")
    after = Cursor()
    if after_text not in (None, ""):
        try:
            if not after_text.isascii():
                raise ValueError("not a cursor")
            after = Cursor.parse(after_text)
        except ValueError:
            errors["after"] = ["Not a cursor. Use a next_cursor or cursor from this feed."]
    limit_text = request.query_params.get("limit")
    limit = DEFAULT_LIMIT
    if limit_text not in (None, ""):
        if not LIMIT.fullmatch(limit_text) or not 1 <= int(limit_text) <= MAX_LIMIT:
            errors["limit"] = [f"A whole number from 1 to {MAX_LIMIT}."]
        else:
            limit = int(limit_text)
    if errors:
        raise ValidationError(errors)
    return after, limit


class OrderEventViewSet(ApiViewSet):
    """The change feed. Same keys and errors as the rest of the API."""

    queryset = OrderEvent.objects.none()  # names the model for the schema; rows come below
    pagination_class = None
    filterset_class = None
    extra_query_params = ("after", "limit")

    @extend_schema(
        operation_id="order_events_list",
        summary="Order events in commit order (the change feed)",
        description=(
            "Every event of every order (the webhooks' events) in commit order. Start without "
            "`after`, then pass the `next_cursor` of each answer as `after`. An event that "
            "commits late never appears behind a cursor already handed out."
        ),
        parameters=[
            OpenApiParameter(
                "after", OpenApiTypes.STR, description="A cursor from this feed; omit to start."
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Events per page, 1..{MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            ),
        ],
        responses=docs.responses(OrderEventFeedSerializer, 400),
        tags=["Orders"],
    )
    def list(self, request):
        after, limit = _query(request)
        # One more than asked tells whether more are ready without a count query. From the
        # primary: the cursor is about the primary's running transactions.
        with reads_from_primary():
            events = list(committed_events(after, limit + 1))
        has_more = len(events) > limit
        events = events[:limit]
        rows = [
            {
                "cursor": str(Cursor.of(e)),
                "id": e.pk,
                "type": e.type,
                "order_id": e.order_id,
                "created_at": e.created_at,
                "payload": e.payload,
            }
            for e in events
        ]
        # With nothing new, the same cursor again (null before the first event).
        next_cursor = rows[-1]["cursor"] if rows else (str(after) if after != Cursor() else None)
        data = {"events": rows, "next_cursor": next_cursor, "has_more": has_more}
        return Response(OrderEventFeedSerializer(data).data)
