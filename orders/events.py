"""The only place that writes an order's history and its outbox events.

Called by the services inside their transaction, so the change, its history
record and its event commit together or not at all. Listeners of
`order_event_committed` (webhook and e-mail delivery) hear of an event only
after the commit.
"""

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.dispatch import Signal
from django.utils.text import Truncator

from .actors import Actor
from .models import HistoryRecord, Order, OrderEvent

NAME_LENGTH = HistoryRecord._meta.get_field("name").max_length

# Sent after commit with `event` (an OrderEvent).
order_event_committed = Signal()

# Event types (also the webhook subscription choices).
ORDER_CREATED = "order.created"
ORDER_UPDATED = "order.updated"
ORDER_STATUS_CHANGED = "order.status_changed"
ORDER_PAID = "order.paid"
ORDER_SENT = "order.sent"
ORDER_DELIVERED = "order.delivered"
ORDER_DONE = "order.done"
ORDER_CANCELED = "order.canceled"
ORDER_ITEM_CHANGED = "order.item_changed"
ORDER_TRACKING_ADDED = "order.tracking_added"
ORDER_HISTORY_ADDED = "order.history_added"
ORDER_REFUNDED = "order.refunded"
ORDER_INVOICED = "order.invoiced"
ORDER_CREDIT_NOTE_ISSUED = "order.credit_note_issued"
# Parcels (orders/services/shipments.py): one event per parcel; order.sent and
# order.delivered still mark the whole order reaching sent and delivered.
ORDER_SHIPMENT_CREATED = "order.shipment_created"
ORDER_SHIPMENT_SENT = "order.shipment_sent"
ORDER_SHIPMENT_DELIVERED = "order.shipment_delivered"
ORDER_SHIPMENT_RETURNED = "order.shipment_returned"
ORDER_SHIPMENT_CANCELED = "order.shipment_canceled"
# Returns (orders/services/returns.py); a return's refund is order.refunded.
ORDER_RETURN_REQUESTED = "order.return_requested"
ORDER_RETURN_RECEIVED = "order.return_received"
ORDER_RETURN_REJECTED = "order.return_rejected"

EVENT_TYPES = [
    ORDER_CREATED,
    ORDER_UPDATED,
    ORDER_STATUS_CHANGED,
    ORDER_PAID,
    ORDER_SENT,
    ORDER_DELIVERED,
    ORDER_DONE,
    ORDER_CANCELED,
    ORDER_ITEM_CHANGED,
    ORDER_TRACKING_ADDED,
    ORDER_HISTORY_ADDED,
    ORDER_REFUNDED,
    ORDER_INVOICED,
    ORDER_CREDIT_NOTE_ISSUED,
    ORDER_SHIPMENT_CREATED,
    ORDER_SHIPMENT_SENT,
    ORDER_SHIPMENT_DELIVERED,
    ORDER_SHIPMENT_RETURNED,
    ORDER_SHIPMENT_CANCELED,
    ORDER_RETURN_REQUESTED,
    ORDER_RETURN_RECEIVED,
    ORDER_RETURN_REJECTED,
]

# In-transaction listeners: event type -> functions called as f(order, event) right after
# `emit` writes an event of that type, inside the same transaction (so what they write
# commits or rolls back with the change). The invoices app registers its triggers here
# (issue the invoice when paid or sent, a credit note on a refund or a cancel) instead of
# every service calling it. A listener's exception aborts the change; one that must not
# fail the change catches its own errors.
_listeners: dict[str, list] = {}


def listen(event_type: str, listener) -> None:
    """Call `listener(order, event)` in the transaction of every `event_type` event."""
    if listener not in _listeners.setdefault(event_type, []):
        _listeners[event_type].append(listener)


def jsonable(value):
    """History diffs and payloads hold plain JSON: decimals and dates become strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def record(
    order: Order,
    *,
    actor: Actor,
    history_type: str,
    name: str,
    event_type: str | None,
    status: str = "",
    changes: dict | None = None,
    customer_visible: bool = False,
    payload: dict | None = None,
) -> HistoryRecord:
    """Write one history record and, if `event_type` is given, one outbox event."""
    changes = jsonable(changes or {})
    entry = HistoryRecord.objects.create(
        order=order,
        type=history_type,
        # "Item added: 3 x <a 300-character name>" must fit the column on every database.
        name=Truncator(name).chars(NAME_LENGTH),
        status=status,
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
        changes=changes,
        customer_visible=customer_visible,
    )
    if event_type:
        emit(order, event_type, {"changes": changes, "actor": actor.name, **(payload or {})})
    return entry


def emit(order: Order, event_type: str, data: dict) -> OrderEvent:
    # PostgreSQL: stamp the writing transaction's id in the INSERT itself (no extra query),
    # so the change feed can serve events in commit order. The value is read back lazily.
    on_postgres = connection.vendor == "postgresql"
    event = OrderEvent.objects.create(
        order=order,
        type=event_type,
        txid=RawSQL("pg_current_xact_id()::text::bigint", ()) if on_postgres else None,
        payload=jsonable(
            {
                "order_id": order.pk,
                "version": order.version,
                "status_id": order.status_id,
                **data,
            }
        ),
    )
    if on_postgres:
        del event.txid  # deferred: loads from the row if anyone reads it
    transaction.on_commit(lambda: order_event_committed.send(sender=OrderEvent, event=event))
    for listener in _listeners.get(event_type, ()):
        listener(order, event)
    return event
