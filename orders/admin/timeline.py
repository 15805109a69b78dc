"""An order's timeline in words, for the back office.

History records store their `changes` as plain JSON ({field: [old, new]}, with foreign
keys as ids and states as their codes) and that stays as it is: the API and the outbox
read it. Only here, when a page shows it, do field names become words, ids the related
object's name and states their labels: `Status: New → Paid`, not `status_id: 1 → 2`.
Used by the order page's history panel and by the HISTORY page (OrderAdmin.history_view).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Order, ShipmentState, Shipper
from ..money import format_money
from ..selectors import order_history
from .display import EMPTY

# Keys whose field name alone would be ambiguous or is not an Order field (the extra keys
# the services write: the item, the discount, the fees, a tracking, a refund, a document).
LABELS = {
    "status_id": _("Status"),
    "payment_state": _("Payment"),
    "shipping_state": _("Shipping"),
    "closing_state": _("Closing"),
    "shipping_id": _("Shipping method"),
    "payment_id": _("Payment method"),
    "money": _("Total"),
    "money_base": _("Total without VAT"),
    "item": _("Item"),
    "items": _("Items"),
    "discount": _("Discount"),
    "tracking": _("Tracking"),
    "refund": _("Refund"),
    "invoice": _("Invoice"),
    "credit_note": _("Credit note"),
    "shipping_fee": _("Shipping fee"),
    "payment_fee": _("Payment fee"),
    "shipment": _("Parcel"),
    # keys inside the item, tracking and refund summaries
    "shipper_id": _("Shipper"),
    "tracking_number": _("Number"),
    "unit_price_final": _("Unit price"),
    "vat": _("VAT %"),
    "count": _("Count"),
    "amount": _("Amount"),
    "lines": _("Lines"),
}
# Amounts, shown in the order's currency like everywhere else in the back office.
MONEY_KEYS = {
    "money",
    "money_base",
    "paid",
    "refunded",
    "shipping_fee",
    "payment_fee",
    "unit_price_final",
    "amount",
}
# Ids inside summaries that mean nothing to a reader (the name is beside them).
HIDDEN_KEYS = {"id", "item_id", "tracking_url"}
# Foreign keys by the key they are stored under -> the related model.
RELATED = {
    **{f.attname: f.related_model for f in Order._meta.concrete_fields if f.is_relation},
    "shipper_id": Shipper,
}
# Labels stay lazy: they are read in the staff member's language when a page shows them.
CHOICES = {
    f.name: {str(value): label for value, label in f.flatchoices}
    for f in Order._meta.concrete_fields
    if f.choices
}
# A parcel's state, inside its summary.
CHOICES["state"] = {str(value): str(label) for value, label in ShipmentState.choices}
DATE_FIELDS = {f.name for f in Order._meta.concrete_fields if isinstance(f, models.DateField)}


def label(key: str) -> str:
    """A stored key in words: the Order field's verbose name, or our own label."""
    if key in LABELS:
        return LABELS[key]
    try:
        return capfirst(Order._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:  # a key of an older record shows as it is
        return capfirst(key.replace("_", " "))


def order_timeline(order: Order) -> list[dict]:
    """The order's history, newest first, each record with its changes in words as
    (label, old, new) rows (None where there was no value). The names of related objects
    are read with one query per related model, however many records there are."""
    records = list(order_history(order.pk))
    names = _related_names(records)
    currency = order.order_currency_code
    return [
        {
            "record": record,
            "diff": [
                (
                    label(key),
                    _text(key, old, names, currency),
                    _text(key, new, names, currency),
                )
                for key, (old, new) in ((k, _pair(v)) for k, v in (record.changes or {}).items())
            ],
        }
        for record in records
    ]


def _pair(change):
    if isinstance(change, list | tuple) and len(change) == 2:
        return change[0], change[1]
    return None, change


def _walk(key, value):
    """(key, value) for the value and every value nested in it."""
    yield key, value
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _walk(inner_key, inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _walk(key, inner)


def _related_names(records) -> dict:
    """{model: {id: name}} for every foreign-key id the records mention."""
    wanted: dict = {}
    for record in records:
        for key, value in _walk(None, record.changes or {}):
            model = RELATED.get(key)
            if model is not None and isinstance(value, int) and not isinstance(value, bool):
                wanted.setdefault(model, set()).add(value)
    return {
        model: {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
        for model, ids in wanted.items()
    }


def _text(key, value, names, currency) -> str | None:
    """One stored value in words; None when there is none."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict):
        parts = [
            f"{label(inner_key)}: {_text(inner_key, inner, names, currency) or EMPTY}"
            for inner_key, inner in value.items()
            if inner_key not in HIDDEN_KEYS
        ]
        return ", ".join(parts)
    if isinstance(value, list | tuple):
        return "; ".join(filter(None, (_text(key, inner, names, currency) for inner in value)))
    model = RELATED.get(key)
    if model is not None:
        name = names.get(model, {}).get(value)
        # A deleted reference (PROTECT makes this rare) still says what it was.
        return name if name is not None else gettext("#%(id)s (deleted)") % {"id": value}
    if key in CHOICES:
        return str(CHOICES[key].get(str(value), value))
    if key in MONEY_KEYS:
        try:
            return format_money(Decimal(str(value)), currency)
        except (InvalidOperation, ValueError):
            return str(value)
    if key in DATE_FIELDS and isinstance(value, str):
        return _date_text(value)
    return str(value)


def _date_text(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if "T" not in value:
        return date_format(moment, "Y-m-d")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "Y-m-d H:i")
