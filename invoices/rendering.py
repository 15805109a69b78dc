"""What a document shows, for the customer's page and the PDF alike (one template,
templates/invoices/_document.html): an issued invoice or credit note from its snapshot,
or a proforma from the live order while no invoice has been issued."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from orders.models import Order
from orders.money import format_money, round_money

from . import qr, snapshots
from .models import DocumentKind, Invoice, InvoiceLine

ZERO = Decimal("0")


@dataclass
class Rendered:
    document: Invoice
    lines: list[InvoiceLine]
    proforma: bool = False


def issued(document: Invoice) -> Rendered:
    return Rendered(document, list(document.lines.all()))


def proforma(order: Order) -> Rendered:
    """The order as its invoice would be now (unsaved, unnumbered): a proforma, not a tax
    document. Its payment reference is the order id."""
    company = snapshots.seller_of(order)
    settings = snapshots.settings_of(company) if company else None
    seller = snapshots.seller(company, settings) if company else {"name": ""}
    lines = snapshots.order_lines(order)
    total_base, total = snapshots.totals(lines)
    today = timezone.localdate()
    document = Invoice(
        kind=DocumentKind.INVOICE,
        order=order,
        number=str(order.pk),
        issue_date=today,
        taxable_supply_date=snapshots.taxable_supply_date(order, today),
        due_date=order.date_maturity,
        currency_code=order.order_currency_code,
        main_currency_code=order.main_currency_code,
        currency_rate=order.currency_rate,
        total_base=total_base,
        total_vat=total - total_base,
        total=total,
        paid_at_issue=order.paid,
        amount_due=order.amount_due if not order.canceled else ZERO,
        seller=seller,
        buyer=snapshots.buyer(order),
        delivery=snapshots.delivery(order),
        payment=snapshots.payment(order, variable_symbol=str(order.pk)[-10:], seller_data=seller)
        if company
        else {"order_id": order.pk},
    )
    return Rendered(document, lines, proforma=True)


def converts(document: Invoice) -> bool:
    """In another currency than the books, with a known rate (a rate of 1 between two
    currencies means none was configured: orders/money.py), the VAT is also stated in the
    main currency."""
    return (
        bool(document.main_currency_code)
        and document.currency_code != document.main_currency_code
        and document.currency_rate != 1
    )


def _rate(rate: Decimal) -> Decimal:
    return rate.normalize() if rate == rate.to_integral() else rate


def context(rendered: Rendered) -> dict:
    """The template's context of a document."""
    document = rendered.document
    currency = document.currency_code

    def money(value):
        return format_money(round_money(value, currency), currency)

    rates = defaultdict(lambda: [ZERO, ZERO])
    for line in rendered.lines:
        rates[line.vat][0] += line.total_base
        rates[line.vat][1] += line.total_final
    if rendered.proforma:
        title = f"Proforma invoice {document.number}"
    else:
        title = f"{document.get_kind_display()} {document.number}"
    qr_text = qr.payment_text(document) if not rendered.proforma or document.seller else None
    in_main = None
    if converts(document):
        main, rate = document.main_currency_code, document.currency_rate
        in_main = {
            "rate": rate.normalize(),
            "currency": main,
            "vat": format_money(round_money(document.total_vat * rate, main), main),
            "total": format_money(round_money(document.total * rate, main), main),
        }
    return {
        "document": document,
        "proforma": rendered.proforma,
        "credit_note": document.is_credit_note,
        "title": title,
        "seller": document.seller,
        "buyer": document.buyer,
        "delivery": document.delivery,
        "payment": document.payment,
        "lines": [
            {
                "line": line,
                "count": line.count,
                "vat": _rate(line.vat),
                "unit_base": money(line.unit_base),
                "unit_final": money(line.unit_final),
                "total_base": money(line.total_base),
                "total_final": money(line.total_final),
            }
            for line in rendered.lines
        ],
        "vat_rates": [
            {
                "rate": _rate(rate),
                "base": money(base),
                "vat": money(final - base),
                "total": money(final),
            }
            for rate, (base, final) in sorted(rates.items(), reverse=True)
        ],
        "totals": {
            "base": money(document.total_base),
            "vat": money(document.total_vat),
            "total": money(document.total),
            "paid": money(document.paid_at_issue),
            "due": money(document.amount_due),
        },
        "in_main_currency": in_main,
        "qr": qr.svg_data_uri(qr_text) if qr_text else None,
        "qr_name": "QR Platba" if currency == "CZK" else "EPC QR code (SEPA)",
    }
