"""Importing orders from JSON Lines: one order per line in the API's Order wire shape (what
`export_orders --format jsonl` writes).

Each order is made through the services, all or nothing: created, its trackings added,
then paid, sent, delivered, given its status, done or canceled, in one transaction, so
a line the services refuse leaves nothing behind. Lines are idempotent by
`external_order_id`: an order whose external id already exists is skipped. An order that
has none (made through the API or the back office) is exported with `import_key`, a key
derived from its hash; it is imported with that key as its external_order_id, so importing
it again is a no-op too.

What is taken from a line: the customer, billing and delivery data, currency and rate,
notes, dates of the order and its maturity, external ids, the channel, company,
shipping and payment, the carriers of the trackings and the status (by id, through the
file's references line when it has one: see orders/reference_data.py; without one they
must exist here with those ids), the items (name, count, unit price with `final_price` or
`base_price` and `vat`, original price, note, article id), the trackings, the amount paid
and the flags. Ids of the order, its items and its customer, the hash, the links and the
dates of payment and shipping are not: the order gets new ones, the customer is matched
by e-mail, and the lifecycle dates are those of the import.

Fees are what the line charged, not what the methods charge here today: an item of `kind`
`shipping` or `payment` is that method's fee (its price and VAT rate); a method with no
such item was charged nothing (a line without `kind`, as the Retailys API writes it,
has only product items, so its money is the sum of its items as before). Its items of
`kind` `discount` together become an order discount of that amount ("As imported").
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from . import services
from .actors import Actor
from .errors import OrderError
from .models import FEE_KINDS, ItemKind, Order
from .money import round_money
from .reference_data import (
    ORDER_RELATIONS,
    ReferenceError,
    ReferenceMap,
    apply_references,
)

CREATED, SKIPPED, FAILED, REFERENCES = "created", "skipped", "failed", "references"

# Order fields taken as text, with their wire names.
TEXT_FIELDS = (
    "email",
    "name",
    "street",
    "city",
    "zip",
    "state_code",
    "phone",
    "company_nr",
    "company_vat",
    *services.DELIVERY_FIELDS,
    "ip",
    "domain",
    "order_currency_code",
    "note",
    "our_note",
    "external_order_prefix",
)
RELATIONS = ("channel", "company", "shipping", "payment")
NO_REFERENCES = ReferenceMap()  # a file without a references line: ids are this instance's
FLAGS = ("sent", "delivered", "done", "canceled")


class BadLine(Exception):
    """The line is not an order in the wire shape (not a service refusal)."""


@dataclass(frozen=True)
class LineOutcome:
    number: int
    outcome: str  # created | skipped | failed | references
    order_id: int | None = None
    reason: str = ""


# --- Reading the wire shape -------------------------------------------------------------


def parse_line(text: str) -> dict:
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise BadLine(f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    return data


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadLine(f"{key} must be text")


def _id(value, key: str) -> int | None:
    """A related object's id: `{"id": 3, ...}` or a bare 3."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadLine(f"{key} must be an id or an object with an id")


def _decimal(value, key: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise BadLine(f"{key} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BadLine(f"{key} must be a number") from None
    if not number.is_finite():
        raise BadLine(f"{key} must be a finite number")
    return number


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadLine(f"{key} must be true or false")
    return value


def external_id(data: dict) -> str:
    """The line's key: its external_order_id, else the import_key the export gave it."""
    for key in ("external_order_id", "import_key"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise BadLine("external_order_id is missing (it makes the import safe to repeat)")


def _local(refs: ReferenceMap, kind: str, export_id: int | None) -> int | None:
    try:
        return refs.local_id(kind, export_id)
    except LookupError as missing:
        raise BadLine(f"{missing}; run with --create-missing to create it") from None


def order_fields(data: dict, refs: ReferenceMap = NO_REFERENCES) -> dict:
    """The keyword arguments of `services.order_create` from a wire-shape order."""
    fields = {key: _text(data, key) for key in TEXT_FIELDS if data.get(key) is not None}
    if data.get("date_order") is not None:
        moment = parse_datetime(str(data["date_order"]))
        if moment is None:
            raise BadLine("date_order must be an ISO 8601 date-time")
        # Without an offset the time is read in the shop's time zone (TIME_ZONE).
        fields["date_order"] = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    if data.get("date_maturity") is not None:
        day = parse_date(str(data["date_maturity"]))
        if day is None:
            raise BadLine("date_maturity must be a date (YYYY-MM-DD)")
        fields["date_maturity"] = day
    if data.get("currency_rate") is not None:
        fields["currency_rate"] = _decimal(data["currency_rate"], "currency_rate")
    for relation in RELATIONS:
        pk = _local(refs, ORDER_RELATIONS[relation], _id(data.get(relation), relation))
        if pk is not None:
            fields[f"{relation}_id"] = pk
    return fields


def _price(value, key: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadLine(f"{key} must be a Price object")
    return value


def item_data(item, number: int) -> services.ItemData:
    """An item of the line as the services take it (unit prices; final_price wins)."""
    key = f"items[{number}]"
    if not isinstance(item, dict):
        raise BadLine(f"{key} must be an object")
    price = _price(item.get("price"), f"{key}.price")
    original = _price(item.get("price_original"), f"{key}.price_original")
    # waiting_count is read from the parcels here (the lifecycle flags make them): ignored.
    count, ordered, waiting = item.get("count"), item.get("ordered"), item.get("waiting_count")
    for value, name in ((count, "count"), (ordered, "ordered"), (waiting, "waiting_count")):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise BadLine(f"{key}.{name} must be a whole number")
    return services.ItemData(
        name=_text(item, "name") or "",
        count=count,
        vat=_decimal(price.get("vat"), f"{key}.price.vat"),
        final_price=_decimal(price.get("final_price"), f"{key}.price.final_price"),
        base_price=_decimal(price.get("base_price"), f"{key}.price.base_price"),
        original_final_price=_decimal(original.get("final_price"), f"{key}.price_original"),
        original_base_price=_decimal(original.get("base_price"), f"{key}.price_original"),
        article_id=_id(item.get("article"), f"{key}.article"),
        code=_text(item, "code") or "",
        note=_text(item, "note") or "",
        weight=_decimal(item.get("weight"), f"{key}.weight") or Decimal("0"),
        ordered=ordered,
    )


def _kind(item, number: int) -> str:
    kind = item.get("kind", ItemKind.PRODUCT) if isinstance(item, dict) else ItemKind.PRODUCT
    if kind is None:
        return ItemKind.PRODUCT
    if kind not in ItemKind.values:
        raise BadLine(f"items[{number}].kind must be one of {', '.join(ItemKind.values)}")
    return kind


def fee_data(item: dict, number: int) -> services.FeeData:
    """A fee or discount item's unit price with VAT and its rate."""
    key = f"items[{number}]"
    price = _price(item.get("price"), f"{key}.price")
    final = _decimal(price.get("final_price"), f"{key}.price.final_price")
    vat = _decimal(price.get("vat"), f"{key}.price.vat")
    if final is None or vat is None:
        raise BadLine(f"{key}.price needs final_price and vat")
    return services.FeeData(final_price=final, vat=vat)


def _list(data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise BadLine(f"{key} must be a list")
    return value


# --- Making the order ---------------------------------------------------------------------


def import_order(data: dict, *, actor: Actor, refs: ReferenceMap = NO_REFERENCES) -> Order | None:
    """Create the order a wire-shape line describes, all or nothing.

    Returns None when an order with the line's external_order_id (or import_key) exists
    already, or the order itself does (its hash: a file exported here, imported here).
    Raises BadLine for a malformed line and OrderError when the services refuse.
    """
    external = external_id(data)
    if Order.objects.filter(external_order_id=external).exists():
        return None
    if isinstance(data.get("hash"), str) and Order.objects.filter(hash=data["hash"]).exists():
        return None
    fields = order_fields(data, refs)
    items, fees, discount = [], {}, Decimal("0")
    for n, item in enumerate(_list(data, "items")):
        kind = _kind(item, n)
        if kind in FEE_KINDS:
            fees[kind] = fee_data(item, n)
        elif kind == ItemKind.DISCOUNT:
            line = fee_data(item, n)  # one line per VAT rate, count 1, never positive
            if line.final_price > 0:
                raise BadLine(f"items[{n}] is a discount: its price cannot be positive")
            discount -= line.final_price
        else:
            items.append(item_data(item, n))
    # The methods are set after the order exists, with the fee the line charged (or none).
    methods = {
        ItemKind.SHIPPING: fields.pop("shipping_id", None),
        ItemKind.PAYMENT: fields.pop("payment_id", None),
    }
    for kind in fees:
        if methods[kind] is None:
            raise BadLine(f"a {kind} fee needs the order's {kind} method")
    trackings = _list(data, "trackings")
    paid = _decimal(data.get("paid"), "paid")
    flags = {flag: _flag(data, flag) for flag in FLAGS}
    status_id = _local(refs, "statuses", _id(data.get("status"), "status"))
    expected_money = _decimal(data.get("money"), "money")

    with transaction.atomic():
        order = services.order_create(
            actor=actor, items=items, external_order_id=external, **fields
        )
        if discount > 0:
            order = services.order_discount_set(
                order_id=order.pk, actor=actor, type="amount", value=discount, reason="As imported"
            )
        for kind, method_id in methods.items():
            if method_id is None:
                continue
            fee = fees.get(kind) or services.FeeData(final_price=Decimal("0"), vat=Decimal("0"))
            set_method = (
                services.order_set_shipping_method
                if kind == ItemKind.SHIPPING
                else services.order_set_payment_method
            )
            order = set_method(order_id=order.pk, actor=actor, **{f"{kind}_id": method_id}, fee=fee)
        if expected_money is not None:
            money = round_money(expected_money, order.order_currency_code)
            if money != order.money:
                raise BadLine(f"money is {money} but the items add up to {order.money}")
        for n, tracking in enumerate(trackings):
            if not isinstance(tracking, dict):
                raise BadLine(f"trackings[{n}] must be an object")
            services.order_tracking_add(
                order_id=order.pk,
                actor=actor,
                shipper_id=_local(
                    refs, "shippers", _id(tracking.get("shipper_id"), f"trackings[{n}].shipper_id")
                ),
                tracking_number=_text(tracking, "tracking_number") or "",
            )
        payment_id = _text(data, "external_payment_id") or None
        payment_url = _text(data, "external_payment_url") or None
        if paid or payment_id or payment_url:
            services.order_mark_paid(
                order_id=order.pk,
                actor=actor,
                amount=paid or Decimal("0"),
                payment_id=payment_id,
                payment_url=payment_url,
            )
        # The lifecycle in the order it happens; the services refuse what is not allowed.
        if flags["sent"]:
            services.order_mark_sent(order_id=order.pk, actor=actor)
        if flags["delivered"]:
            services.order_mark_delivered(order_id=order.pk, actor=actor)
        if status_id is not None:
            services.order_status_assign(order_id=order.pk, status_id=status_id, actor=actor)
        if flags["done"]:
            services.order_mark_done(order_id=order.pk, actor=actor)
        if flags["canceled"]:
            services.order_cancel(order_id=order.pk, actor=actor)
    order.refresh_from_db()
    return order


def read_references(data: dict, *, create_missing: bool) -> tuple[ReferenceMap, str]:
    """The references line: this instance's objects for the export's, and what became of
    them in words. Raises BadLine for a malformed line or an object that cannot be made."""
    try:
        refs = apply_references(data["references"], create_missing=create_missing)
    except ReferenceError as error:
        raise BadLine(str(error)) from None
    except ValidationError as error:
        raise BadLine(" ".join(error.messages)) from None
    summary = f"{refs.matched} reference objects found here"
    if refs.created:
        summary += f", {len(refs.created)} created: {', '.join(refs.created)}"
    return refs, summary + "."


def import_lines(
    lines: Iterable[bytes | str], *, actor: Actor, create_missing: bool = False
) -> Iterator[LineOutcome]:
    """Import each line and say what became of it. Blank lines are passed over; a
    references line (what export_orders writes first) maps the ids of the lines after it,
    creating the objects this instance lacks when `create_missing`."""
    refs = NO_REFERENCES
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            yield LineOutcome(number, FAILED, reason="not UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            data = parse_line(text)
            if "references" in data:
                refs, summary = read_references(data, create_missing=create_missing)
                if refs.missing:
                    missing = ", ".join(str(m) for m in refs.missing.values())
                    yield LineOutcome(
                        number,
                        FAILED,
                        reason=f"not here: {missing}. The orders that need them are refused; "
                        "run with --create-missing to create them.",
                    )
                else:
                    yield LineOutcome(number, REFERENCES, reason=summary)
                continue
            order = import_order(data, actor=actor, refs=refs)
        except BadLine as error:
            yield LineOutcome(number, FAILED, reason=str(error))
        except OrderError as error:
            reason = error.message + (f" {error.detail}" if isinstance(error.detail, str) else "")
            yield LineOutcome(number, FAILED, reason=reason)
        except DatabaseError as error:
            # The transaction was rolled back; report the database's words and go on.
            yield LineOutcome(number, FAILED, reason=f"database refused it: {error}")
        else:
            if order is None:
                yield LineOutcome(number, SKIPPED, reason="external_order_id exists already")
            else:
                yield LineOutcome(number, CREATED, order_id=order.pk)
