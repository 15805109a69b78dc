"""Creating orders and changing their data."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from .. import events
from ..actors import Actor
from ..errors import InvalidInput, TransitionNotAllowed
from ..models import Channel, Company, Customer, ItemKind, Order, OrderItem
from ..money import currency_rate
from ._common import TOTAL_FIELDS, diff, lock_order, save_order, set_totals, snapshot
from .fees import METHODS, apply_method, fee_line, find_method
from .items import ItemData, item_values

# Protected fsm fields: set only by transitions, so never cleaned from input.
STATE_FIELDS = ("payment_state", "shipping_state", "closing_state")

DELIVERY_FIELDS = (
    "delivery_name",
    "delivery_street",
    "delivery_city",
    "delivery_zip",
    "delivery_state_code",
    "delivery_phone",
    "delivery_email",
)

# Fields a client may give when creating an order (relations by id).
CREATE_FIELDS = (
    "email",
    "name",
    "street",
    "city",
    "zip",
    "state_code",
    "phone",
    "company_nr",
    "company_vat",
    *DELIVERY_FIELDS,
    "ip",
    "domain",
    "date_order",
    "date_maturity",
    "order_currency_code",
    "currency_rate",
    "note",
    "our_note",
    "external_order_prefix",
    "external_order_id",
    "language",
)

# Fields staff may edit in the back office (money and states only through their services).
EDITABLE_FIELDS = (
    *CREATE_FIELDS,
    "customer",
    "company",
    "channel",
    "shipping",
    "payment",
    "external_payment_id",
    "external_payment_url",
)

RELATION_FIELDS = ("customer", "company", "channel", "shipping", "payment", "status")
# Checked here by id; the shipping and payment methods by services.fees (they add fees).
RELATIONS = {
    "channel_id": Channel,
    "customer_id": Customer,
    "company_id": Company,
}


def _check_relations(values: dict) -> dict:
    """Fetch the related objects given by id; an unknown id is invalid input."""
    found = {}
    for field, model in RELATIONS.items():
        pk = values.get(field)
        if pk is None:
            continue
        try:
            found[field] = model.objects.get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError):
            name = field.removesuffix("_id")
            raise InvalidInput(f"Unknown {name} {pk}.", field=name) from None
    return found


def _validate(order: Order) -> None:
    """Field rules of the model (e-mail, IP address, ISO 4217 codes, lengths), as InvalidInput."""
    try:
        # The state fields are protected (fsm) and set only by transitions.
        # Relations are checked by _check_relations (or the caller's form), so not again here.
        order.full_clean(
            exclude=["hash", *STATE_FIELDS, *RELATION_FIELDS],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise InvalidInput(
            f"{field}: {' '.join(messages)}", field=field, detail=error.message_dict
        ) from None


def _customer_for(email: str, name: str, fields: dict) -> Customer | None:
    """The buyer, found by e-mail or created, so a customer's orders stay together."""
    if not email:
        return None
    # Lower(email) matches the customer_email_lower_idx index (iexact would scan the table).
    customer = (
        Customer.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .order_by("id")
        .first()
    )
    if customer is None:
        customer = Customer.objects.create(
            email=email,
            # Without a name the customer goes by the e-mail, cut to fit the name column
            # (a valid e-mail may be up to 254 characters, a name up to 200).
            name=name or email[: Customer._meta.get_field("name").max_length],
            **{f: fields.get(f, "") for f in ("phone", "street", "city", "zip", "state_code")},
        )
    return customer


@transaction.atomic
def order_create(
    *,
    actor: Actor,
    items: list[ItemData] | tuple = (),
    channel_id: int | None = None,
    customer_id: int | None = None,
    company_id: int | None = None,
    shipping_id: int | None = None,
    payment_id: int | None = None,
    **fields,
) -> Order:
    """Create an order, with its items if given, in one transaction.

    The currency defaults to the channel's, the seller to the channel's company, the
    customer to the one with the same e-mail (created if new). A shipping or payment
    method adds its fee line (see services.fees). Money is computed from the lines; a
    client cannot set it.
    """
    unknown = set(fields) - set(CREATE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown order fields: {', '.join(sorted(unknown))}.")
    relations = {"channel_id": channel_id, "customer_id": customer_id, "company_id": company_id}
    related = _check_relations(relations)
    methods = {
        ItemKind.SHIPPING: find_method(ItemKind.SHIPPING, shipping_id),
        ItemKind.PAYMENT: find_method(ItemKind.PAYMENT, payment_id),
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    order = Order(**relations, **fields, shipping=methods[ItemKind.SHIPPING])
    order.payment = methods[ItemKind.PAYMENT]
    if channel := related.get("channel_id"):
        order.channel = channel
        if "order_currency_code" not in fields:
            order.order_currency_code = channel.currency_code
        if company_id is None and channel.company_id:
            order.company_id = channel.company_id
    if customer_id is None:
        customer = _customer_for(order.email, order.name, fields)
        order.customer_id = customer.pk if customer else None
    if "currency_rate" not in fields:
        order.currency_rate = currency_rate(order.order_currency_code, order.main_currency_code)
    _validate(order)
    if "date_maturity" not in fields:
        # Payment is due a set number of days after the order, also for a back-dated order.
        try:
            order_day = timezone.localtime(order.date_order).date()
            order.date_maturity = order_day + timedelta(days=settings.ORDER_MATURITY_DAYS)
        except OverflowError:
            raise InvalidInput(
                "date_order: the payment due date would fall outside the calendar.",
                field="date_order",
            ) from None
    # Items are checked before anything is written, so a bad item creates nothing.
    currency = order.order_currency_code
    lines = [OrderItem(order=order, **item_values(item, currency)) for item in items]
    fees = [fee_line(order, kind, method) for kind, method in methods.items()]
    lines_and_fees = [*lines, *filter(None, fees)]
    # The totals come from the lines in hand: one INSERT of the order, no UPDATE after.
    set_totals(order, lines_and_fees, discount=None)
    order.save()
    OrderItem.objects.bulk_create(lines_and_fees)
    events.record(
        order,
        actor=actor,
        history_type="created",
        name="Order created",
        event_type=events.ORDER_CREATED,
        changes={"items": [None, len(lines)], "money": [None, order.money]},
        customer_visible=True,
    )
    return order


@transaction.atomic
def order_update_delivery_address(*, order_id: int, actor: Actor, **address) -> Order:
    """Change where the order goes. Allowed until the order is sent, and not on a closed order."""
    unknown = set(address) - set(DELIVERY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown delivery fields: {', '.join(sorted(unknown))}.")
    order = lock_order(order_id)
    return _apply_changes(order, address, actor=actor, name="Delivery address changed")


@transaction.atomic
def order_update(*, order_id: int, actor: Actor, changes: dict) -> Order:
    """Change an order's data (staff edits). Money, payment and states change only through
    their own services; nothing is written when nothing changes."""
    unknown = {f.removesuffix("_id") for f in changes} - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    changes = dict(changes)
    # A new shipping or payment method changes the money: services.fees does that.
    methods = {}
    for kind, (relation, _, argument) in METHODS.items():
        for key in (relation, argument):
            if key in changes:
                value = changes.pop(key)
                methods[kind] = getattr(value, "pk", value)
    _check_relations(changes)
    order = lock_order(order_id)
    for kind, method_id in methods.items():
        apply_method(order, kind, method_id, actor=actor)
    return _apply_changes(order, changes, actor=actor, name="Order data changed")


def _is_text(field: str) -> bool:
    model_field = Order._meta.get_field(field.removesuffix("_id"))
    return isinstance(model_field, models.CharField | models.TextField) and not model_field.null


def _apply_changes(order: Order, changes: dict, *, actor: Actor, name: str) -> Order:
    """Apply field changes. The delivery address, whoever changes it, is locked once the
    order is sent or closed; the currency once the order has items."""
    before = snapshot(order, changes)
    for field, value in changes.items():
        if value is None and _is_text(field):
            value = ""
        setattr(order, field, value)
    changed = diff(before, order)
    if not changed:
        return order
    if "order_currency_code" in changed and order.items.exists():
        raise TransitionNotAllowed(
            f"Order {order.pk} currency cannot change: its items are priced in "
            f"{before['order_currency_code']}.",
            code="currency_locked",
            detail="The currency can change only while the order has no items.",
        )
    if set(changed) & set(DELIVERY_FIELDS) and not order.items_editable:
        raise TransitionNotAllowed(
            f"Order {order.pk} delivery address cannot change: the order is "
            f"{'sent' if order.sent else order.get_closing_state_display().lower()}.",
            code="address_locked",
            detail="The delivery address can change until the order is sent.",
        )
    _validate(order)
    save_order(order)
    events.record(
        order,
        actor=actor,
        history_type="updated",
        name=name,
        event_type=events.ORDER_UPDATED,
        changes=changed,
    )
    return order


__all__ = [
    "DELIVERY_FIELDS",
    "TOTAL_FIELDS",
    "order_create",
    "order_update",
    "order_update_delivery_address",
]
