"""Exporting orders: the Order wire shape (JSON Lines) and a flat CSV, streamed in
bounded memory.

Orders are read in chunks by primary key (keyset pagination: `id > last seen`), each
chunk with its items and trackings prefetched, so memory stays flat however many
orders match and no server-side cursor is held open for the whole export.

JSON Lines is also what `import_orders` reads: its first line lists the reference objects
the orders use (orders/reference_data.py), and each order carries `import_key`, which makes
importing it twice a no-op.
"""

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from .api.serializers import OrderSerializer
from .models import Order
from .money import round_money
from .selectors import orders_with_details

CHUNK_SIZE = 1000

# One CSV shape for the export command and the back office's "Export as CSV".
CSV_COLUMNS = (
    "id",
    "date_order",
    "name",
    "email",
    "phone",
    "money",
    "money_base",
    "currency",
    "paid",
    "status",
    "payment_state",
    "sent",
    "delivered",
    "done",
    "canceled",
    "tracking_numbers",
    "external_order_id",
)


@dataclass(frozen=True)
class ExportFilter:
    """Which orders to export. Dates bound `date_order`: `date_from` inclusive,
    `date_to` exclusive (the command turns a --to day into the start of the next day)."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    status_id: int | None = None
    channel_id: int | None = None


def orders_for_export(filters: ExportFilter) -> QuerySet[Order]:
    """The matching orders with everything the wire shape shows (unordered, unsliced)."""
    queryset = orders_with_details()
    if filters.date_from is not None:
        queryset = queryset.filter(date_order__gte=filters.date_from)
    if filters.date_to is not None:
        queryset = queryset.filter(date_order__lt=filters.date_to)
    if filters.status_id is not None:
        queryset = queryset.filter(status_id=filters.status_id)
    if filters.channel_id is not None:
        queryset = queryset.filter(channel_id=filters.channel_id)
    return queryset


def iter_in_chunks(queryset: QuerySet[Order], chunk_size: int = CHUNK_SIZE) -> Iterator[Order]:
    """Yield the queryset's orders by ascending id, `chunk_size` at a time (keyset pagination).

    Each chunk is one query plus one per prefetch; only one chunk is in memory at a time.
    """
    last_id = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last_id).order_by("pk")[:chunk_size])
        if not chunk:
            return
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_id = chunk[-1].pk
        del chunk  # let this chunk go before the next one is loaded


# --- Rows ------------------------------------------------------------------------------


def _datetime(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value).isoformat()


def wire_serializer() -> OrderSerializer:
    """The API's Order serializer with `expanded` false and no request: api_link and the
    order's links are paths (or absolute under settings.PUBLIC_BASE_URL). Build it once and
    reuse it for every order: building its fields is the slow part."""
    return OrderSerializer(context={"expanded": False, "request": None})


def order_wire(order: Order, serializer: OrderSerializer | None = None) -> dict:
    """The order exactly as GET /System/Orders/{id} answers it (expanded false).

    Expects an order from `orders_with_details()` (items, trackings and relations loaded).
    """
    return (serializer or wire_serializer()).to_representation(order)


def _text_cell(value) -> str:
    # A cell starting with = + - @ is a formula to spreadsheets: keep it text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def order_csv_row(order: Order) -> list:
    """One CSV row: the columns an operator reads, money rounded to the currency, text
    that a spreadsheet would run as a formula kept as text."""
    currency = order.order_currency_code
    return [
        order.pk,
        _datetime(order.date_order),
        _text_cell(order.name),
        _text_cell(order.email),
        _text_cell(order.phone),
        round_money(order.money, currency),
        round_money(order.money_base, currency),
        currency,
        round_money(order.paid, currency),
        _text_cell(order.status.name if order.status_id else ""),
        order.payment_state,
        *(str(flag).lower() for flag in (order.sent, order.delivered, order.done, order.canceled)),
        _text_cell(" ".join(tracking.tracking_number for tracking in order.trackings.all())),
        _text_cell(order.external_order_id),
    ]


# --- Writers ----------------------------------------------------------------------------


def import_key(order: Order) -> str:
    """What identifies the order to `import_orders`: its external_order_id, or for an order
    without one (made through the API or the back office) a key derived from its hash. The
    hash itself opens the customer's pages, so only a digest of it leaves in the key."""
    if order.external_order_id:
        return order.external_order_id
    return "order-office:" + hashlib.sha256(order.hash.encode()).hexdigest()[:24]


def _line(data: dict) -> str:
    # DRF's encoder writes decimals as JSON numbers, as the API's renderer does.
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False) + "\n"


def write_jsonl(orders: Iterable[Order], out, *, references: dict | None = None) -> int:
    """Write the references line (when given), then one Order wire object per line with
    its `import_key`; returns how many orders were written."""
    if references is not None:
        out.write(_line({"references": references}))
    serializer = wire_serializer()
    count = 0
    for order in orders:
        out.write(_line({**order_wire(order, serializer), "import_key": import_key(order)}))
        count += 1
    return count


def write_csv(orders: Iterable[Order], out) -> int:
    """Write a header and one row per order; returns how many orders were written."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for order in orders:
        writer.writerow(order_csv_row(order))
        count += 1
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv}
