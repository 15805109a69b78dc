"""The reference objects an export carries and an import finds or creates: channels,
companies, carriers, ways of shipping and paying, order statuses.

An order line names them by id, and ids differ between instances. So `export_orders
--format jsonl` starts with one line `{"references": {...}}` that lists every object its
orders use (their fields as kept here, relations by id), and `import_orders` matches each
to an object of this instance by what identifies it in words (REFERENCE_KINDS' `natural`
fields: a channel by its name, a way of shipping by its name and channel, ...). With
`--create-missing` the ones this instance lacks are created from the line; without it,
the orders that need them are refused and the references line says what is missing.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet

from statuses.models import OrderStatus

from .models import Channel, Company, Order, PaymentMethod, Shipper, ShippingMethod, Tracking


@dataclass(frozen=True)
class Kind:
    key: str  # the key in the references line
    model: type[Model]
    label: str  # in messages: "channel 'Web shop'"
    fields: tuple[str, ...]  # plain fields, copied as they are
    relations: dict[str, str]  # field -> the kind it points to (written as that kind's id)
    natural: tuple[str, ...]  # what identifies an object across instances


# In creation order: an object comes after the kinds it points to.
REFERENCE_KINDS = (
    Kind(
        "companies",
        Company,
        "company",
        (
            "name",
            "street",
            "city",
            "zip",
            "state_code",
            "company_nr",
            "company_vat",
            "email",
            "phone",
            "bank_account",
        ),
        {},
        ("name", "company_nr"),
    ),
    Kind(
        "channels",
        Channel,
        "channel",
        ("name", "domain", "currency_code", "language"),
        {"company": "companies"},
        ("name",),
    ),
    Kind("shippers", Shipper, "carrier", ("name", "tracking_url_template"), {}, ("name",)),
    Kind(
        "shipping_methods",
        ShippingMethod,
        "way of shipping",
        ("name", "price", "vat"),
        {"channel": "channels", "shipper": "shippers"},
        ("name", "channel"),
    ),
    Kind(
        "payment_methods",
        PaymentMethod,
        "way of paying",
        ("name", "price", "vat"),
        {"channel": "channels"},
        ("name", "channel"),
    ),
    Kind(
        "statuses",
        OrderStatus,
        "status",
        ("name", "icon", "color", "sort", "complete_order", "cancel_order"),
        {},
        ("name",),
    ),
)
KINDS = {kind.key: kind for kind in REFERENCE_KINDS}
# What an order line's fields point to.
ORDER_RELATIONS = {
    "channel": "channels",
    "company": "companies",
    "shipping": "shipping_methods",
    "payment": "payment_methods",
    "status": "statuses",
}


# --- Export -------------------------------------------------------------------------------


def used_by(orders: QuerySet[Order]) -> dict[str, QuerySet]:
    """Every reference object the orders use, directly or through another one (a way of
    shipping's channel and carrier, a channel's company): one query per kind."""
    order_ids = orders.values("pk")
    shipping = ShippingMethod.objects.filter(pk__in=orders.values("shipping_id"))
    payment = PaymentMethod.objects.filter(pk__in=orders.values("payment_id"))
    channels = Channel.objects.filter(
        Q(pk__in=orders.values("channel_id"))
        | Q(pk__in=shipping.values("channel_id"))
        | Q(pk__in=payment.values("channel_id"))
    )
    return {
        "companies": Company.objects.filter(
            Q(pk__in=orders.values("company_id")) | Q(pk__in=channels.values("company_id"))
        ),
        "channels": channels,
        "shippers": Shipper.objects.filter(
            Q(pk__in=Tracking.objects.filter(order__in=order_ids).values("shipper_id"))
            | Q(pk__in=shipping.values("shipper_id"))
        ),
        "shipping_methods": shipping,
        "payment_methods": payment,
        "statuses": OrderStatus.objects.filter(pk__in=orders.values("status_id")),
    }


def as_reference(kind: Kind, obj: Model) -> dict:
    row = {"id": obj.pk, **{name: getattr(obj, name) for name in kind.fields}}
    row.update({name: getattr(obj, f"{name}_id") for name in kind.relations})
    return row


def references_for(orders: QuerySet[Order]) -> dict:
    """The references line's content for these orders: kind -> list of objects, by id."""
    used = used_by(orders)
    return {
        kind.key: [as_reference(kind, obj) for obj in used[kind.key].order_by("pk")]
        for kind in REFERENCE_KINDS
    }


# --- Import -------------------------------------------------------------------------------


class ReferenceError(Exception):
    """The references line is not what export_orders writes."""


@dataclass(frozen=True)
class Missing:
    """An object of the export that this instance does not have."""

    kind: Kind
    export_id: int
    name: str

    def __str__(self) -> str:
        return f"{self.kind.label} {self.name!r} (id {self.export_id} in the export)"


@dataclass
class ReferenceMap:
    """The export's ids -> this instance's, per kind; and what was missing or created."""

    local: dict[tuple[str, int], int] = field(default_factory=dict)
    missing: dict[tuple[str, int], Missing] = field(default_factory=dict)
    matched: int = 0
    created: list[str] = field(default_factory=list)

    def local_id(self, kind_key: str, export_id: int | None) -> int | None:
        """This instance's id for an id of the export. An id the export did not list is
        taken as it is (a line written by hand). Raises LookupError when it is missing."""
        if export_id is None:
            return None
        key = (kind_key, export_id)
        if key in self.missing:
            raise LookupError(f"{self.missing[key]} does not exist here")
        return self.local.get(key, export_id)


def _rows(references: dict, kind: Kind) -> list[dict]:
    rows = references.get(kind.key, [])
    if not isinstance(rows, list) or not all(
        isinstance(row, dict) and isinstance(row.get("id"), int) for row in rows
    ):
        raise ReferenceError(f"references.{kind.key} must be a list of objects with an id")
    return rows


def _values(kind: Kind, row: dict, refs: ReferenceMap) -> tuple[dict, Missing | None]:
    """The row's field values for this instance (relations mapped to local ids)."""
    values = {}
    for name in kind.fields:
        if name in row and row[name] is not None:
            value = row[name]
            values[name] = Decimal(str(value)) if isinstance(value, float) else value
    for name, target in kind.relations.items():
        export_id = row.get(name)
        if export_id is None:
            values[f"{name}_id"] = None
            continue
        if (target, export_id) in refs.missing:
            return values, refs.missing[(target, export_id)]
        values[f"{name}_id"] = refs.local.get((target, export_id), export_id)
    return values, None


def _find(kind: Kind, values: dict, export_id: int) -> int | None:
    """This instance's object with the same natural key; the one with the same id first."""
    natural = {}
    for name in kind.natural:
        key = f"{name}_id" if name in kind.relations else name
        natural[key] = values.get(key, "" if name in kind.fields else None)
    ids = list(kind.model.objects.filter(**natural).order_by("pk").values_list("pk", flat=True))
    if export_id in ids:
        return export_id
    return ids[0] if ids else None


def apply_references(references, *, create_missing: bool) -> ReferenceMap:
    """Match every object of a references line to one of this instance; with
    `create_missing`, create those that have no match (all in one transaction).
    Raises ReferenceError for a malformed line and ValidationError for an object that
    cannot be created as it is."""
    if not isinstance(references, dict):
        raise ReferenceError("references must be an object")
    refs = ReferenceMap()
    with transaction.atomic():
        for kind in REFERENCE_KINDS:
            for row in _rows(references, kind):
                export_id = row["id"]
                name = str(row.get("name", ""))
                values, missing_target = _values(kind, row, refs)
                if missing_target is not None:
                    # It points to a missing object: it cannot be matched or created either.
                    refs.missing[(kind.key, export_id)] = Missing(kind, export_id, name)
                    continue
                local = _find(kind, values, export_id)
                if local is not None:
                    refs.local[(kind.key, export_id)] = local
                    refs.matched += 1
                elif create_missing:
                    obj = kind.model(**values)
                    try:
                        obj.full_clean()
                    except ValidationError as error:
                        reasons = (f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
                        raise ValidationError(
                            f"{kind.label} {name!r} cannot be created: {'; '.join(reasons)}"
                        ) from error
                    obj.save()
                    refs.local[(kind.key, export_id)] = obj.pk
                    refs.created.append(f"{kind.label} {name!r}")
                else:
                    refs.missing[(kind.key, export_id)] = Missing(kind, export_id, name)
    return refs
