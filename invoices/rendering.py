"""What a document shows, for the customer's page and the PDF alike (one template,
invoices/templates/invoices/_document.html): an issued invoice or credit note from its
snapshot, or a proforma from the live order while no invoice has been issued.

A document is written in its language (Invoice.language: the order's at issue; a proforma
in the order's language now): its texts, amounts ("258,26 Kč"), rates and dates
("5. 1. 2026"). The template switches to that language itself, so the page around it may
be in another one."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from orders.language import babel_locale, default_language, format_day, order_language
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
        language=order_language(order),
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


def _number(value: Decimal, language: str) -> str:
    """A rate written in the language: 21, 12,5 (Czech) or 12.5, 0,04 or 0.04."""
    return format_decimal(value.normalize(), locale=babel_locale(language))


def title(document: Invoice, proforma: bool = False) -> str:
    """The document's title in the active language: "Invoice 2026-000001"."""
    number = {"number": document.number}
    if proforma:
        return pgettext("invoice", "Proforma invoice %(number)s") % number
    if document.is_credit_note:
        # Czech law's name of a corrective tax document.
        return pgettext("invoice", "Credit note %(number)s") % number
    return pgettext("invoice", "Invoice %(number)s") % number


def context(rendered: Rendered) -> dict:
    """The template's context of a document, written in its language."""
    with translation.override(rendered.document.language or default_language()):
        return _context(rendered)


def _context(rendered: Rendered) -> dict:
    document = rendered.document
    currency = document.currency_code
    language = translation.get_language()

    def money(value):
        return format_money(round_money(value, currency), currency, language)

    def day(value):
        return format_day(value, language)

    rates = defaultdict(lambda: [ZERO, ZERO])
    for line in rendered.lines:
        rates[line.vat][0] += line.total_base
        rates[line.vat][1] += line.total_final
    qr_text = qr.payment_text(document) if not rendered.proforma or document.seller else None
    in_main = None
    if converts(document):
        main, rate = document.main_currency_code, document.currency_rate
        in_main = {
            "rate": _number(rate, language),
            "currency": main,
            "vat": format_money(round_money(document.total_vat * rate, main), main, language),
            "total": format_money(round_money(document.total * rate, main), main, language),
        }
    return {
        "document": document,
        "language": language,
        "proforma": rendered.proforma,
        "credit_note": document.is_credit_note,
        "title": title(document, rendered.proforma),
        "dates": {
            "issue": day(document.issue_date),
            "taxable_supply": day(document.taxable_supply_date),
            "due": day(document.due_date),
            "corrects": day(document.corrects.issue_date) if document.corrects_id else "",
        },
        "seller": document.seller,
        "buyer": document.buyer,
        "delivery": document.delivery,
        "payment": document.payment,
        "lines": [
            {
                "line": line,
                "count": line.count,
                "vat": _number(line.vat, language),
                "unit_base": money(line.unit_base),
                "unit_final": money(line.unit_final),
                "total_base": money(line.total_base),
                "total_final": money(line.total_final),
            }
            for line in rendered.lines
        ],
        "vat_rates": [
            {
                "rate": _number(rate, language),
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
        # QR Platba is the Czech standard's own name, in every language.
        "qr_name": "QR Platba" if currency == "CZK" else gettext("EPC QR code (SEPA)"),
    }
