"""How an order's lines add up: the arithmetic behind `services._common.recompute_totals`.

An order's money is the sum of all its lines (products, fees, discounts), each line's
total being its rounded unit price times its count (see orders/money.py). The fee and
discount lines are derived here from the product lines, with these rules:

- **Goods** are the product lines; the goods total is their sum with VAT.
- **The order discount** is an amount (with VAT, in the order's currency) or a
  percentage of the goods total, rounded once to the currency's minor unit and capped
  at the goods total, so the goods never go below zero. It is split over the VAT rates
  of the goods in proportion to each rate's share of the goods total (the EU rule, so
  the VAT recap stays right): each rate's share is rounded, and the rounding remainder
  goes to the largest share (then the next), never beyond a rate's own goods. One
  negative discount line per rate; its price without VAT is the share / (1 + rate),
  rounded. Fees are not discounted: a discount is on goods, and a shop that waives a
  fee does it on the method (`free_from`).
- **A fee line** (shipping, payment) charges the price of its method as it was when
  the method was set, or 0 while the goods total after the discount reaches the
  method's `free_from` as it was then. This is re-evaluated whenever the goods change,
  which happens only while the order is open and not sent.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .money import round_money, unit_prices

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class DiscountShare:
    """One discount line: the part of the discount on goods of one VAT rate (positive
    amounts; the line stores them negated)."""

    vat: Decimal
    final: Decimal
    base: Decimal


def goods_by_rate(products: Iterable) -> dict[Decimal, Decimal]:
    """The goods total with VAT per VAT rate (lines with unit_price_final, vat, count)."""
    totals = defaultdict(lambda: ZERO)
    for line in products:
        totals[line.vat] += line.unit_price_final * line.count
    return dict(totals)


def discount_amount(*, type: str, value: Decimal, goods_total: Decimal, currency: str) -> Decimal:
    """The discount in money: `value` percent of the goods, or `value` itself; rounded
    once and never more than the goods."""
    amount = goods_total * value / HUNDRED if type == "percent" else value
    return min(round_money(amount, currency), max(goods_total, ZERO))


def split_by_rate(
    amount: Decimal, by_rate: dict[Decimal, Decimal], currency: str
) -> dict[Decimal, Decimal]:
    """Split `amount` over the rates in proportion to their totals, each share rounded,
    the remainder on the largest shares; no share exceeds its rate's total."""
    rates = {rate: total for rate, total in by_rate.items() if total > ZERO}
    whole = sum(rates.values(), ZERO)
    if amount <= ZERO or whole <= ZERO:
        return {}
    amount = min(amount, whole)
    shares = {rate: round_money(amount * total / whole, currency) for rate, total in rates.items()}
    shares = {rate: min(share, rates[rate]) for rate, share in shares.items()}
    remainder = amount - sum(shares.values(), ZERO)
    # Largest share first; ties by the higher rate, so the split is repeatable.
    for rate in sorted(rates, key=lambda r: (rates[r], r), reverse=True):
        if remainder == ZERO:
            break
        room = rates[rate] - shares[rate] if remainder > ZERO else shares[rate]
        step = min(abs(remainder), room)
        step = step if remainder > ZERO else -step
        shares[rate] += step
        remainder -= step
    return {rate: share for rate, share in shares.items() if share > ZERO}


def discount_shares(
    *, type: str, value: Decimal, products: Iterable, currency: str
) -> list[DiscountShare]:
    """The order discount's lines for these products, highest rate first."""
    by_rate = goods_by_rate(products)
    goods_total = sum(by_rate.values(), ZERO)
    amount = discount_amount(type=type, value=value, goods_total=goods_total, currency=currency)
    shares = split_by_rate(amount, by_rate, currency)
    result = []
    for rate in sorted(shares, reverse=True):
        base, final = unit_prices(vat=rate, currency=currency, final=shares[rate])
        result.append(DiscountShare(vat=rate, final=final, base=base))
    return result


def fee_is_free(free_from: Decimal | None, goods_after_discount: Decimal) -> bool:
    return free_from is not None and goods_after_discount >= free_from


def line_totals(lines: Iterable, currency: str) -> tuple[Decimal, Decimal]:
    """(money, money_base) of lines: the sums of their totals with and without VAT."""
    money = money_base = ZERO
    for line in lines:
        money += line.unit_price_final * line.count
        money_base += line.unit_price_base * line.count
    return round_money(money, currency), round_money(money_base, currency)
