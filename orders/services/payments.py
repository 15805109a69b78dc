"""The payments ledger: every payment, correction and refund is a `Payment` record, and the
order's `paid` and `refunded` are only ever the sums of its successful records.

Rules of `order_mark_paid` (the wire's PATCH paid: the total paid so far):
- Refused on a canceled order (a canceled order's money goes back by a refund).
- Without an amount, the order is paid in full: its money not refunded. It never lowers
  what is paid.
- A higher total records the difference as a payment; a lower one records it as a
  correction, which needs a reason and is refused on a done order (refund instead).
- The gateway's status text is kept on the order (`payment_status`) and the record. When
  it is `denied`, `canceled` or `unknown` (the wire's enum, any case), a higher total is
  recorded as an attempt with that status that does not count: paid stays. Any other
  text (or none) is a successful payment.
- The same total again records nothing (a retry); only the gateway's fields may change.
- When the payment state becomes paid, the order gets the status that follows "paid"
  (lifecycle.follow_event has the rule).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from statuses.models import LifecycleEvent

from .. import events
from ..actors import Actor
from ..errors import InvalidInput
from ..models import Order, Payment, PaymentKind, PaymentState, PaymentStatus
from ..money import round_money
from ..rules import can_pay
from ._common import diff, lock_order, refuse, save_order, snapshot
from .lifecycle import follow_event

ZERO = Decimal("0")
MAX_REASON = Payment._meta.get_field("reason").max_length
LEDGER_FIELDS = ("paid", "refunded", "payment_state")
GATEWAY_FIELDS = ("external_payment_id", "payment_status", "external_payment_url")


def ledger_sums(order: Order) -> tuple[Decimal, Decimal]:
    """(paid, refunded) from the order's successful records (each already in the
    currency's minor unit, so the sums are exact; the rounding only drops the database's
    trailing zeros)."""
    sums = Payment.objects.filter(order=order, status=PaymentStatus.SUCCESS).aggregate(
        paid=Sum("amount"), refunded=Sum("amount", filter=Q(kind=PaymentKind.REFUND))
    )
    currency = order.order_currency_code
    refunded = ZERO - round_money(sums["refunded"] or ZERO, currency)  # never "-0.00"
    return round_money(sums["paid"] or ZERO, currency), refunded


def record_payment(
    order: Order,
    *,
    actor: Actor,
    kind: str,
    amount: Decimal,
    status: str = PaymentStatus.SUCCESS,
    external_id: str = "",
    url: str = "",
    gateway_status: str = "",
    reason: str = "",
) -> Payment:
    """Append a record to the locked order's ledger and bring paid, refunded, date_paid
    and the payment state in line with the ledger. The caller saves and records history."""
    payment = Payment.objects.create(
        order=order,
        kind=kind,
        status=status,
        amount=amount,
        currency_code=order.order_currency_code,
        method_id=order.payment_id,
        external_id=external_id or "",
        url=url or "",
        gateway_status=gateway_status or "",
        reason=reason or "",
        actor=actor.name,
        user=actor.user,
        api_key=actor.api_key,
        source=actor.source,
    )
    order.paid, order.refunded = ledger_sums(order)
    # date_paid: when money last came in; none once nothing was ever held (corrected to 0).
    if order.paid + order.refunded <= ZERO:
        order.date_paid = None
    elif status == PaymentStatus.SUCCESS and amount > ZERO:
        order.date_paid = payment.created_at
    # A canceled order's payment state still follows its refunds.
    if order.canceled:
        order.settle_refund()
    else:
        order.settle_payment()
    return payment


def record_status(text: str | None) -> str:
    """The record's status from the gateway's text: the wire's enum values that are not
    success are kept; anything else reports a successful payment."""
    value = (text or "").strip().lower()
    if value in (PaymentStatus.DENIED, PaymentStatus.CANCELED, PaymentStatus.UNKNOWN):
        return value
    return PaymentStatus.SUCCESS


@transaction.atomic
def order_mark_paid(
    *,
    order_id: int,
    actor: Actor,
    amount: Decimal | None = None,
    payment_id: str | None = None,
    payment_status: str | None = None,
    payment_url: str | None = None,
    reason: str | None = None,
) -> Order:
    """Record what the customer has paid so far (the total, not an increment).

    Without an amount the order is paid in full. The difference to what is paid now is
    recorded as a payment or, downwards, as a correction that needs a `reason` (refused
    on a done order: refund instead). Refused on a canceled order. The payment state
    follows: unpaid, partially paid, or paid once the amount reaches the order's money.
    """
    order = lock_order(order_id)
    if not can_pay(order):
        raise refuse(order, "paid")
    if amount is not None and (
        not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0
    ):
        raise InvalidInput("paid must be an amount of 0 or more.", field="paid")
    currency = order.order_currency_code
    if amount is None:
        total = max(order.money - order.refunded, order.paid)
    else:
        total = round_money(amount, currency)
    difference = total - order.paid
    status = record_status(payment_status)
    reason = reason.strip() if isinstance(reason, str) else ""
    if difference < 0 and status == PaymentStatus.SUCCESS:
        if order.done:
            raise refuse(order, f"given a lower paid amount ({total} {currency})")
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput(
                f"Lowering paid from {round_money(order.paid, currency)} to {total} {currency} "
                f"is a correction: it needs a reason of 1 to {MAX_REASON} characters.",
                field="paid",
                code="reason_required",
                detail="To give money back, record a refund instead.",
            )
    before = snapshot(order, (*LEDGER_FIELDS, *GATEWAY_FIELDS))
    if payment_id is not None:
        order.external_payment_id = payment_id
    if payment_status is not None:
        order.payment_status = payment_status
    if payment_url is not None:
        order.external_payment_url = payment_url
    payment = None
    # A payment that did not succeed is kept as evidence only when it tried to add money.
    if difference > 0 or (difference < 0 and status == PaymentStatus.SUCCESS):
        payment = record_payment(
            order,
            actor=actor,
            kind=PaymentKind.PAYMENT if difference > 0 else PaymentKind.CORRECTION,
            amount=difference,
            status=status,
            external_id=order.external_payment_id,
            url=order.external_payment_url,
            gateway_status=order.payment_status,
            reason=reason if difference < 0 else "",
        )
    changed = diff(before, order)
    if not changed and payment is None:
        return order
    save_order(order)
    paid = f"{round_money(order.paid, currency)} {currency}"
    if payment is None:
        name = f"Payment details updated: {paid} paid"
    elif status != PaymentStatus.SUCCESS:
        name = f"Payment {status}: {round_money(difference, currency)} {currency} not paid"
    elif difference < 0:
        name = f"Payment corrected to {paid}: {reason}"[:300]
    else:
        name = f"Payment recorded: {paid}"
    events.record(
        order,
        actor=actor,
        history_type="payment",
        name=name,
        status=order.payment_status,
        event_type=events.ORDER_PAID,
        changes=changed,
        customer_visible=payment is not None and payment.kind == PaymentKind.PAYMENT,
        payload={
            "paid": order.paid,
            "payment_state": order.payment_state,
            "payment": None
            if payment is None
            else {
                "id": payment.pk,
                "kind": payment.kind,
                "status": payment.status,
                "amount": payment.amount,
            },
        },
    )
    if before["payment_state"] != PaymentState.PAID and order.payment_state == PaymentState.PAID:
        follow_event(order, event=LifecycleEvent.PAID, actor=actor)
    return order
