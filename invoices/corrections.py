"""The lines of a credit note: what it takes back from its invoice. Their names are
written in the active language (the credit note's: invoices/services.py).

Rules:
- A refund's lines are taken back at the invoice's unit prices, as negative counts of
  the invoice lines they came from. The order discount's share of them (the refund gives
  back the price after the discount) is a positive "discount" line per VAT rate, so each
  rate's correction is exactly what the refund gave back on it.
- A refund's extra amount (beyond the lines) is split over the VAT rates of what is still
  invoiced, in proportion, like the order discount (orders/totals.py), as "adjustment"
  lines.
- Canceling takes back everything still invoiced: each invoice line's count not yet
  taken back, then per VAT rate an adjustment that brings the rate's base and total to
  exactly zero (earlier credit notes may have taken back money that no line shows).
- Nothing is ever taken back beyond what is still invoiced at a rate: a credit note never
  makes an invoice negative. What is left over (an overpayment refunded, a line that was
  not on the invoice) is money, not a correction of the supply, and is not documented.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext

from orders.models import Refund
from orders.money import unit_prices
from orders.totals import split_by_rate

from . import snapshots
from .models import Invoice, InvoiceLine, LineKind

ZERO = Decimal("0")
CORRECTABLE = (LineKind.PRODUCT, LineKind.SHIPPING, LineKind.PAYMENT)


def _still_invoiced(invoice: Invoice) -> tuple[dict, dict]:
    """(invoice line -> count not yet taken back, rate -> [base, final] still invoiced)."""
    lines = list(invoice.lines.all())
    taken = defaultdict(int)
    credited = InvoiceLine.objects.filter(invoice__corrects=invoice)
    for line in credited:
        if line.corrects_id is not None:
            taken[line.corrects_id] -= line.count
    counts = {line: line.count - taken[line.pk] for line in lines}
    rates = snapshots.by_rate(lines)
    for rate, (base, final) in snapshots.by_rate(credited).items():
        rates.setdefault(rate, [ZERO, ZERO])
        rates[rate][0] += base
        rates[rate][1] += final
    return counts, rates


def _taking_back(source: InvoiceLine, count: int) -> InvoiceLine:
    return InvoiceLine(
        kind=source.kind,
        order_item_id=source.order_item_id,
        corrects=source,
        name=source.name,
        code=source.code,
        count=-count,
        unit_base=source.unit_base,
        unit_final=source.unit_final,
        vat=source.vat,
        total_base=-source.unit_base * count,
        total_final=-source.unit_final * count,
    )


def _money_line(kind: str, name: str, vat: Decimal, final: Decimal, currency: str, base=None):
    if base is None:
        base, final = unit_prices(vat=vat, currency=currency, final=final)
    return InvoiceLine(
        kind=kind,
        name=name[:300],
        count=1,
        unit_base=base,
        unit_final=final,
        vat=vat,
        total_base=base,
        total_final=final,
    )


def refund_lines(invoice: Invoice, refund: Refund) -> list[InvoiceLine]:
    """The lines of the credit note that documents `refund` (unsaved, unnumbered)."""
    currency = invoice.currency_code
    counts, rates = _still_invoiced(invoice)
    by_item = {line.order_item_id: line for line in counts if line.kind in CORRECTABLE}
    left = {rate: final for rate, (_, final) in rates.items()}
    result, discount_back, extra_by_rate = [], defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for refund_line in refund.lines.select_related("item").order_by("id"):
        source = by_item.get(refund_line.item_id)
        count = min(refund_line.count, counts.get(source, 0)) if source else 0
        if count <= 0:
            # Not on the invoice (added later) or already taken back: money only.
            extra_by_rate[refund_line.item.vat] += refund_line.amount
            continue
        counts[source] -= count
        line = _taking_back(source, count)
        result.append(line)
        left[source.vat] = left.get(source.vat, ZERO) + line.total_final
        # The refund gave back the price after the discount: the rest is the discount's.
        given_back = refund_line.amount * count / refund_line.count
        discount_back[source.vat] += -line.total_final - given_back
    for rate, amount in sorted(discount_back.items(), reverse=True):
        taken_back = -sum(line.total_final for line in result if line.vat == rate)
        amount = min(max(amount, ZERO), taken_back)
        if amount > ZERO:
            result.append(
                _money_line(
                    LineKind.DISCOUNT,
                    gettext("Order discount on the goods taken back"),
                    rate,
                    amount,
                    currency,
                )
            )
            left[rate] += amount
    weights = {rate: value for rate, value in left.items() if value > ZERO}
    if refund.extra_amount > ZERO:
        for rate, share in split_by_rate(refund.extra_amount, weights, currency).items():
            extra_by_rate[rate] += share
    for rate, amount in sorted(extra_by_rate.items(), reverse=True):
        amount = min(amount, left.get(rate, ZERO))
        if amount > ZERO:
            result.append(
                _money_line(
                    LineKind.ADJUSTMENT,
                    gettext("Refund: %(reason)s") % {"reason": refund.reason},
                    rate,
                    -amount,
                    currency,
                )
            )
            left[rate] -= amount
    return result


def remaining_lines(invoice: Invoice) -> list[InvoiceLine]:
    """The lines of the credit note that takes back all that is still invoiced."""
    counts, rates = _still_invoiced(invoice)
    if not any(base or final for base, final in rates.values()):
        return []  # earlier credit notes took everything back already
    # Discount lines too: -1 x a negative price gives the discount back to the seller.
    result = [_taking_back(line, count) for line, count in counts.items() if count > 0]
    after = snapshots.by_rate(result)
    for rate, (base, final) in sorted(rates.items(), reverse=True):
        taken_base, taken_final = after.get(rate, (ZERO, ZERO))
        rest_base, rest_final = base + taken_base, final + taken_final
        if rest_base or rest_final:
            result.append(
                _money_line(
                    LineKind.ADJUSTMENT,
                    gettext("Correction of earlier credit notes"),
                    rate,
                    -rest_final,
                    invoice.currency_code,
                    base=-rest_base,
                )
            )
    return result
