"""Reading the outbox (orders.OrderEvent) in commit order, from a cursor.

Both the change feed (GET /System/Orders/Events) and the delivery dispatcher read
events through here, so neither can skip an event that commits late.

Why not just `id > cursor`: on PostgreSQL ids are taken when a row is inserted, not when
its transaction commits, so under concurrency event 7 can commit after event 8 has been
read and a reader holding cursor 8 would never see it. Instead every event carries the id
of the transaction that wrote it (`txid`, stamped by orders.events.emit), and we serve
only events whose transaction is older than the oldest transaction still running
(`pg_snapshot_xmin(pg_current_snapshot())`): those have all committed or rolled back, so
no event can appear behind the cursor later. Order is (txid, id).

On SQLite writers are serialized (BEGIN IMMEDIATE), so id order is commit order and
txid is null (read as 0).
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from orders.models import OrderEvent

BIGINT_MAX = 2**63 - 1
_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the outbox: after the event (txid, event_id)."""

    txid: int = 0
    event_id: int = 0

    def __str__(self) -> str:
        return f"{self.txid}-{self.event_id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        """Read a cursor handed out by the feed. ValueError if it is not one."""
        match = _CURSOR.match(text or "")
        if not match:
            raise ValueError("not a cursor")
        txid, event_id = int(match[1]), int(match[2])
        if max(txid, event_id) > BIGINT_MAX:
            raise ValueError("out of range")
        return cls(txid, event_id)

    @classmethod
    def of(cls, event: OrderEvent) -> "Cursor":
        return cls(getattr(event, "seq", None) or event.txid or 0, event.pk)


def committed_events(after: Cursor, limit: int) -> QuerySet:
    """Events after `after` that can no longer be overtaken, oldest first, at most `limit`.

    Each event is annotated with `seq` (its txid, 0 when unknown); Cursor.of(event) is
    the position after it.
    """
    events = OrderEvent.objects.annotate(seq=Coalesce("txid", Value(0)))
    if connection.vendor == "postgresql":
        # Events of transactions older than every running one; plus the reader's own
        # (a transaction sees its own rows; neither the feed nor the dispatcher writes
        # events, so this matters only where one transaction both writes and reads).
        events = events.filter(
            Q(seq__lt=RawSQL("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", ()))
            | Q(seq=RawSQL("pg_current_xact_id_if_assigned()::text::bigint", ()))
        )
    after_cursor = Q(seq__gt=after.txid) | Q(seq=after.txid, id__gt=after.event_id)
    return events.filter(after_cursor).order_by("seq", "id")[:limit]
