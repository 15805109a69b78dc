"""Returns: goods the customer sends back from delivered parcels, and their refund.

Rules (each is a test in tests/orders/test_returns.py):
- A return is requested with lines (a product line of the order and a count) and the
  customer's reason (1 to 300 characters). Each line is at most the units of it in the
  order's delivered parcels less what is returned already (`returned_count`: the lines of
  its returns that are not rejected; services/returnable.py): otherwise 400
  `return_exceeds_delivered` naming `lines[i].count`. Fee and discount lines do not come
  back (400 naming `lines[i].item_id`), nor does a line listed twice; an item of another
  order is 404 `item_not_found`.
- A canceled order takes no return, nor does an order of which nothing is delivered yet
  (409). An open order with delivered parcels (partially delivered too) and a done order
  do: returns come after completion. A return changes none of the order's states.
- requested -> received -> refunded; requested or received -> rejected. Rejecting releases
  the return's units (they can be returned again); refunded and rejected are final. The
  return's own steps (receive, refund, reject) work in any closing state of the order.
- The refund pays the return's lines through services.refunds.order_refund in the same
  transaction, with its rules: the order must hold money (409), a product comes back at
  its price less its share of the order discount, never more than is paid and not yet
  refunded (400). An optional extra `amount` goes with it (return postage, goodwill). The
  shipping fee is not refunded with the goods: it paid for a delivery that happened (POST
  /refunds refunds it where the shop's policy says so). Units refunded before by a refund
  without a return are not refunded twice: 409, and the return stays received.
- Repeating a step the return already made (received on a received or refunded return,
  rejected on a rejected one, refund on a refunded one) succeeds and changes nothing; any
  other step is 409, naming the return's state and what it allows now.
- Every step locks the order row first (two returns at once cannot together exceed what
  was delivered), bumps the order's version, and writes its history record and outbox
  event in the same transaction: `order.return_requested`, `order.return_received`,
  `order.return_rejected`; the refund's own `order.refunded` names the return.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django_fsm import can_proceed

from .. import events
from ..actors import Actor
from ..errors import InvalidInput, NotFound, RefundTooLarge, TransitionNotAllowed
from ..models import Order, Return, ReturnState
from ..rules import can_take_return, return_actions
from ._common import is_whole, lock_order, requested_product, save_order
from .refunds import order_refund, refund_amount_of, refunded_counts
from .returnable import add_return, check_returnable, release_return, return_summary

MAX_REASON = Return._meta.get_field("reason").max_length


def _check_reason(reason) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"A return needs a reason of 1 to {MAX_REASON} characters.", field="reason"
        )
    return reason


def _return_of(order: Order, return_id) -> Return:
    goods_return = (
        Return.objects.filter(order=order, pk=return_id).first() if is_whole(return_id) else None
    )
    if goods_return is None:
        raise NotFound(f"Order {order.pk} has no return {return_id}.", code="return_not_found")
    return goods_return


def _refuse(goods_return: Return, verb: str) -> TransitionNotAllowed:
    allowed = return_actions(goods_return)
    return TransitionNotAllowed(
        f"Return {goods_return.pk} cannot be {verb}: it is "
        f"{goods_return.get_state_display().lower()}.",
        detail=f"Allowed now: {', '.join(allowed) if allowed else 'nothing'}.",
    )


def return_payload(goods_return: Return, lines: list[dict]) -> dict:
    return {
        "id": goods_return.pk,
        "state": goods_return.state,
        "reason": goods_return.reason,
        "lines": lines,
        "refund_id": goods_return.refund_id,
    }


def _record(
    order: Order,
    goods_return: Return,
    *,
    actor: Actor,
    name: str,
    event_type: str,
    changes: dict,
    lines: list[dict] | None = None,
    status: str = "",
) -> None:
    lines = return_summary(goods_return) if lines is None else lines
    events.record(
        order,
        actor=actor,
        history_type="return",
        name=name,
        status=status,
        event_type=event_type,
        changes=changes,
        customer_visible=True,
        payload={"return": return_payload(goods_return, lines)},
    )


@transaction.atomic
def return_request(
    *, order_id: int, actor: Actor, lines: Iterable[tuple[int, int]], reason: str
) -> Return:
    """Take goods back: `lines` (a product line's id and a count) with the customer's
    reason. Each line at most what was delivered and not yet returned; not on a canceled
    order, nor before anything is delivered."""
    reason = _check_reason(reason)
    lines = list(lines)
    if not lines:
        raise InvalidInput("A return needs lines: which products come back.", field="lines")
    order = lock_order(order_id)
    if not can_take_return(order):
        raise TransitionNotAllowed(
            f"Order {order.pk} cannot take a return: it is canceled.",
            detail="A canceled order takes no returns.",
        )
    items = {item.pk: item for item in order.items.all()}
    checked, seen = [], set()
    for n, (item_id, count) in enumerate(lines):
        field = f"lines[{n}]"
        item = requested_product(order, items, seen, n, item_id, use="come back")
        if not is_whole(count) or count < 1:
            raise InvalidInput(
                "count must be a whole number of at least 1.", field=f"{field}.count"
            )
        checked.append((f"{field}.count", item, count))
    check_returnable(order, checked)
    goods_return = add_return(
        order, actor=actor, reason=reason, lines=[(item, count) for _, item, count in checked]
    )
    save_order(order)
    summary = [
        {"item_id": item.pk, "name": item.name, "count": count} for _, item, count in checked
    ]
    described = ", ".join(f"{line['count']} x {line['name']}" for line in summary)
    _record(
        order,
        goods_return,
        actor=actor,
        name=f"Return {goods_return.pk} requested: {described}",
        status=reason[:200],
        event_type=events.ORDER_RETURN_REQUESTED,
        changes={"return": [None, {"id": goods_return.pk, "reason": reason, "lines": summary}]},
        lines=summary,
    )
    return goods_return


def _state_change(goods_return: Return, before: str) -> dict:
    return {
        "return": [
            {"id": goods_return.pk, "state": before},
            {"id": goods_return.pk, "state": goods_return.state},
        ]
    }


@transaction.atomic
def return_mark_received(*, order_id: int, return_id: int, actor: Actor) -> Return:
    """The goods of a requested return arrived back at the shop."""
    order = lock_order(order_id)
    goods_return = _return_of(order, return_id)
    if goods_return.state in (ReturnState.RECEIVED, ReturnState.REFUNDED):
        return goods_return
    if not can_proceed(goods_return.mark_received):
        raise _refuse(goods_return, "received")
    before = goods_return.state
    goods_return.mark_received()
    goods_return.save()
    save_order(order)
    _record(
        order,
        goods_return,
        actor=actor,
        name=f"Return {goods_return.pk} received",
        event_type=events.ORDER_RETURN_RECEIVED,
        changes=_state_change(goods_return, before),
    )
    return goods_return


@transaction.atomic
def return_reject(*, order_id: int, return_id: int, actor: Actor) -> Return:
    """Turn a requested or received return down: its units are no longer returned."""
    order = lock_order(order_id)
    goods_return = _return_of(order, return_id)
    if goods_return.state == ReturnState.REJECTED:
        return goods_return
    if not can_proceed(goods_return.reject):
        raise _refuse(goods_return, "rejected")
    before = goods_return.state
    release_return(goods_return)
    goods_return.reject()
    goods_return.save()
    save_order(order)
    _record(
        order,
        goods_return,
        actor=actor,
        name=f"Return {goods_return.pk} rejected",
        event_type=events.ORDER_RETURN_REJECTED,
        changes=_state_change(goods_return, before),
    )
    return goods_return


def return_refund_amount(goods_return: Return) -> Decimal:
    """What refunding the return's lines gives back (before any extra amount)."""
    lines = [(line.item, line.count) for line in goods_return.lines.all()]
    return refund_amount_of(goods_return.order, lines)


@transaction.atomic
def return_refund(
    *,
    order_id: int,
    return_id: int,
    actor: Actor,
    amount: Decimal | None = None,
    reason: str | None = None,
) -> Return:
    """Give the money back for a received return: its lines through the refund service
    (plus an optional extra `amount`), with the return's reason unless another is given."""
    order = lock_order(order_id)
    goods_return = _return_of(order, return_id)
    if goods_return.state == ReturnState.REFUNDED:
        return goods_return
    if not can_proceed(goods_return.mark_refunded):
        raise _refuse(goods_return, "refunded")
    lines = list(goods_return.lines.select_related("item").order_by("id"))
    refunded = refunded_counts(order)
    for line in lines:
        left = line.item.count - refunded.get(line.item_id, 0)
        if line.count > left:
            raise TransitionNotAllowed(
                f"Return {goods_return.pk} cannot be refunded: item {line.item_id} has "
                f"{left} of {line.item.count} units left to refund, not {line.count}.",
                detail="Those units were refunded before, by a refund without a return.",
            )
    try:
        order_refund(
            order_id=order.pk,
            actor=actor,
            reason=goods_return.reason if reason is None else reason,
            lines=[(line.item_id, line.count) for line in lines],
            amount=amount,
            goods_return=goods_return,
        )
    except RefundTooLarge as error:
        # The refund service names its own `lines`; here they are the return's.
        if error.field == "lines":
            error.field = None
        raise
    return goods_return
