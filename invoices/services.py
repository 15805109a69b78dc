"""Issuing invoices and credit notes: the only writers of `Invoice` and `InvoiceLine`.

Like every service of the project, each runs in one transaction with the order row
locked, checks its rule, writes, and records a history record and an outbox event
(`order.invoiced`, `order.credit_note_issued`) through orders/events.py. Called by the
API, the back office, the commands and the automatic triggers (invoices/triggers.py).

Rules:
- An order has at most one invoice (also a database constraint). A canceled order, an
  order without a seller (its company, or its channel's) and an order without lines are
  not invoiced. The buyer's VAT and company numbers must be valid where their country is
  known (invoices/identifiers.py): an invoice carries no number we can show is wrong.
- The number is taken from the seller's series of the issue year in the same transaction
  (invoices/numbering.py); the taxable-supply date is the earlier of payment and dispatch,
  else the issue date; the due date is the issue date plus the seller's due days.
- A document is written in the order's language when it is issued (order_language: the
  order's own, else its channel's); the texts it stores (a credit note's reason and
  correction lines) are written in it too, so it reads the same whenever it is shown.
- A credit note corrects an invoice: for a refund (the refunded lines, its discount
  share and any extra amount; invoices/corrections.py) or for all that is still invoiced
  (the order was canceled). It has its own series. A refund made before the invoice
  existed gets its credit note when the invoice is issued.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from orders import events
from orders.actors import Actor
from orders.errors import InvalidInput, NotFound
from orders.language import order_language
from orders.models import HistorySource, Order, Refund
from orders.services._common import lock_order, refuse

from . import corrections, identifiers, numbering, snapshots
from .errors import AlreadyInvoiced, NotInvoiceable
from .models import DocumentKind, Invoice, InvoiceLine, Occasion

ZERO = Decimal("0")

# How a refused buyer number is named in the message (the API names the field too). Domain
# refusals stay English: they are the API's error messages (docs/api.md).
BUYER_NUMBER_NAMES = {"company_vat": "VAT number", "company_nr": "company number"}

OCCASION_BY_SOURCE = {
    HistorySource.ADMIN: Occasion.STAFF,
    HistorySource.API: Occasion.API,
    HistorySource.COMMAND: Occasion.COMMAND,
}


def order_invoice(order: Order) -> Invoice | None:
    return Invoice.objects.filter(order=order, kind=DocumentKind.INVOICE).first()


def summary(document: Invoice) -> dict:
    """A document in an event's payload."""
    return {
        "id": document.pk,
        "kind": document.kind,
        "number": document.number,
        "issue_date": document.issue_date,
        "total": document.total,
        "currency_code": document.currency_code,
    }


def _recorded_by(actor: Actor) -> dict:
    return {
        "actor": actor.name,
        "user": actor.user,
        "api_key": actor.api_key,
        "source": actor.source,
    }


def _save_lines(document: Invoice, lines: list[InvoiceLine]) -> None:
    for position, line in enumerate(lines, start=1):
        line.invoice = document
        line.position = position
    InvoiceLine.objects.bulk_create(lines)


@transaction.atomic
def invoice_issue(*, order_id: int, actor: Actor, occasion: str | None = None) -> Invoice:
    """Issue the order's invoice: a numbered snapshot of the seller, the buyer, the lines
    and the money as they are now. An order has one invoice; a canceled order, one without
    a seller or without lines, and one whose buyer numbers are invalid have none."""
    order = lock_order(order_id)
    existing = order_invoice(order)
    if existing is not None:
        raise AlreadyInvoiced(
            f"Order {order.pk} already has invoice {existing.number}.",
            detail="An invoice never changes: correct it with a credit note (refund or cancel).",
        )
    if order.canceled:
        raise refuse(order, "invoiced")
    company = snapshots.seller_of(order)
    if company is None:
        raise NotInvoiceable(
            f"Order {order.pk} has no seller.",
            code="no_seller",
            detail="Set the order's company (or its channel's company) first.",
        )
    lines = snapshots.order_lines(order)
    if not lines:
        raise NotInvoiceable(f"Order {order.pk} has no lines to invoice.", code="no_lines")
    errors = identifiers.party_errors(order)
    if errors:
        field = next(iter(errors))
        raise InvalidInput(
            f"The buyer's {BUYER_NUMBER_NAMES.get(field, field)} is not valid: fix the order "
            "first.",
            detail=errors,
            field=field,
        )
    settings = snapshots.settings_of(company)
    issue_date = timezone.localdate()
    sequence, number = numbering.take_number(
        company=company,
        kind=DocumentKind.INVOICE,
        year=issue_date.year,
        pattern=settings.invoice_number_format,
    )
    seller = snapshots.seller(company, settings)
    total_base, total = snapshots.totals(lines)
    paid = max(order.paid, ZERO)
    invoice = Invoice.objects.create(
        kind=DocumentKind.INVOICE,
        order=order,
        company=company,
        number=number,
        year=issue_date.year,
        sequence=sequence,
        occasion=occasion or OCCASION_BY_SOURCE.get(actor.source, Occasion.STAFF),
        issue_date=issue_date,
        taxable_supply_date=snapshots.taxable_supply_date(order, issue_date),
        due_date=issue_date + timedelta(days=settings.due_days),
        language=order_language(order),
        currency_code=order.order_currency_code,
        main_currency_code=order.main_currency_code,
        currency_rate=order.currency_rate,
        total_base=total_base,
        total_vat=total - total_base,
        total=total,
        paid_at_issue=paid,
        amount_due=max(total - order.refunded - paid, ZERO),
        seller=seller,
        buyer=snapshots.buyer(order),
        delivery=snapshots.delivery(order),
        payment=snapshots.payment(
            order, variable_symbol=numbering.variable_symbol(number), seller_data=seller
        ),
        **_recorded_by(actor),
    )
    _save_lines(invoice, lines)
    events.record(
        order,
        actor=actor,
        history_type="invoice",
        name=f"Invoice {number} issued",
        event_type=events.ORDER_INVOICED,
        changes={"invoice": [None, number]},
        customer_visible=True,
        payload={"invoice": summary(invoice)},
    )
    # Refunds made before the invoice existed are documented now.
    for refund in order.refunds.filter(credit_notes__isnull=True).order_by("id"):
        _issue_credit_note(order, invoice, actor, refund=refund)
    return invoice


@transaction.atomic
def credit_note_issue(
    *, order_id: int, actor: Actor, refund_id: int | None = None, reason: str = ""
) -> Invoice | None:
    """Correct the order's invoice with a credit note: for the refund `refund_id`, or for
    all that is still invoiced. None when there is nothing left to take back."""
    order = lock_order(order_id)
    invoice = order_invoice(order)
    if invoice is None:
        raise NotInvoiceable(f"Order {order.pk} has no invoice to correct.", code="no_invoice")
    refund = None
    if refund_id is not None:
        refund = Refund.objects.filter(pk=refund_id, order=order).first()
        if refund is None:
            raise NotFound(f"Order {order.pk} has no refund {refund_id}.", code="refund_not_found")
        if refund.credit_notes.exists():
            raise AlreadyInvoiced(f"Refund {refund.pk} already has its credit note.")
    return _issue_credit_note(order, invoice, actor, refund=refund, reason=reason)


def _issue_credit_note(order, invoice, actor, *, refund=None, reason="") -> Invoice | None:
    language = order_language(order)
    with translation.override(language):  # the texts the credit note stores
        if refund is not None:
            lines = corrections.refund_lines(invoice, refund)
            reason = reason or gettext("Refund: %(reason)s") % {"reason": refund.reason}
            occasion = Occasion.REFUND
        else:
            lines = corrections.remaining_lines(invoice)
            reason = reason or gettext("Order canceled")
            occasion = Occasion.CANCEL if order.canceled else OCCASION_BY_SOURCE.get(actor.source)
    total_base, total = snapshots.totals(lines)
    if not lines or total > ZERO:
        return None
    company = invoice.company
    settings = snapshots.settings_of(company)
    issue_date = timezone.localdate()
    sequence, number = numbering.take_number(
        company=company,
        kind=DocumentKind.CREDIT_NOTE,
        year=issue_date.year,
        pattern=settings.credit_note_number_format,
    )
    note = Invoice.objects.create(
        kind=DocumentKind.CREDIT_NOTE,
        order=order,
        company=company,
        number=number,
        year=issue_date.year,
        sequence=sequence,
        corrects=invoice,
        refund=refund,
        occasion=occasion or Occasion.STAFF,
        reason=reason[:300],
        language=language,
        issue_date=issue_date,
        taxable_supply_date=issue_date,
        due_date=None,
        currency_code=invoice.currency_code,
        main_currency_code=invoice.main_currency_code,
        currency_rate=invoice.currency_rate,
        total_base=total_base,
        total_vat=total - total_base,
        total=total,
        seller=snapshots.seller(company, settings),
        buyer=invoice.buyer,
        delivery=invoice.delivery,
        payment={**invoice.payment, "corrects": invoice.number},
        **_recorded_by(actor),
    )
    _save_lines(note, lines)
    events.record(
        order,
        actor=actor,
        history_type="invoice",
        name=f"Credit note {number} issued for invoice {invoice.number}",
        status=reason[:200],
        event_type=events.ORDER_CREDIT_NOTE_ISSUED,
        changes={"credit_note": [None, number]},
        customer_visible=True,
        payload={
            "credit_note": summary(note),
            "invoice": {"id": invoice.pk, "number": invoice.number},
            "refund_id": refund.pk if refund else None,
        },
    )
    return note
