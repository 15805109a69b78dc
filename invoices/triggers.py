"""The automatic documents, issued in the transaction of the change that calls for them
(registered with orders.events.listen by InvoicesConfig.ready):

- order paid in full (`order.paid` with the payment state paid) -> the invoice, for a
  seller whose settings say "when paid";
- order sent (`order.sent`) -> the invoice, for a seller whose settings say "when sent";
- a refund (`order.refunded`) of an invoiced order -> a credit note for it (not on a
  canceled order: its cancel credit note already took everything back);
- an invoiced order canceled (`order.canceled`, also through a status) -> a credit note
  for all that is still invoiced.

An automatic invoice that cannot be issued (no lines, an invalid buyer VAT number) must
not refuse the payment or the dispatch that triggered it: the refusal is written to the
order's history instead, and staff issue the invoice once the order is fixed. A failing
credit note does abort the refund or the cancel: the books must not lose a correction.
"""

from django.db import transaction

from orders import events
from orders.actors import Actor
from orders.errors import OrderError
from orders.models import Channel, Order, PaymentState

from . import services
from .models import DocumentKind, Invoice, InvoiceSettings, Occasion, Trigger


def register() -> None:
    events.listen(events.ORDER_PAID, on_paid)
    events.listen(events.ORDER_SENT, on_sent)
    events.listen(events.ORDER_REFUNDED, on_refunded)
    events.listen(events.ORDER_CANCELED, on_canceled)


def _company_id(order: Order) -> int | None:
    if order.company_id:
        return order.company_id
    if order.channel_id:
        return Channel.objects.filter(pk=order.channel_id).values_list("company_id", flat=True)[0]
    return None


def _invoiced(order: Order) -> bool:
    return Invoice.objects.filter(order=order, kind=DocumentKind.INVOICE).exists()


def _issue_automatically(order: Order, trigger: str, occasion: str) -> None:
    company_id = _company_id(order)
    wanted = InvoiceSettings.objects.filter(company_id=company_id, trigger=trigger).exists()
    if company_id is None or not wanted or _invoiced(order):
        return
    actor = Actor.system()
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the change itself intact
            services.invoice_issue(order_id=order.pk, actor=actor, occasion=occasion)
    except OrderError as error:
        events.record(
            order,
            actor=actor,
            history_type="invoice",
            name=f"Invoice not issued automatically: {error.message}"[:300],
            event_type=None,
        )


def on_paid(order: Order, event) -> None:
    if order.payment_state == PaymentState.PAID:
        _issue_automatically(order, Trigger.PAID, Occasion.PAID)


def on_sent(order: Order, event) -> None:
    _issue_automatically(order, Trigger.SENT, Occasion.SENT)


def on_refunded(order: Order, event) -> None:
    if order.canceled or not _invoiced(order):
        return
    services.credit_note_issue(
        order_id=order.pk, actor=Actor.system(), refund_id=event.payload["refund"]["id"]
    )


def on_canceled(order: Order, event) -> None:
    if _invoiced(order):
        services.credit_note_issue(order_id=order.pk, actor=Actor.system())
