"""Money arithmetic: exact decimals, rounded per currency.

The rounding rule (one place, used by every caller):
- A unit price is given with VAT (`final`) or without (`base`) plus the VAT rate.
  The other one is computed as `base = final / (1 + vat/100)` or
  `final = base * (1 + vat/100)` and rounded ROUND_HALF_UP to the currency's
  minor unit (2 places for EUR and CZK, 0 for JPY, 3 for KWD, as ISO 4217 says).
- A line total is unit price x count of the rounded unit prices, so a line
  never carries more precision than the currency has.
- The order's money is the sum of its lines' totals with VAT; VAT is reported
  per line as final - base.

Amounts are written for people per currency and language (format_money): "€12.10" in
English, "12,10 €" and "258,26 Kč" in Czech (Babel's CLDR patterns; the space before the
currency is a no-break space).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import (
    format_currency,
    get_currency_precision,
    is_currency,
)
from django.conf import settings
from django.core.exceptions import ValidationError

from .language import babel_locale, current_language

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def validate_currency_code(code: str) -> None:
    """Accept an ISO 4217 code in upper case (EUR, CZK, USD)."""
    if not isinstance(code, str) or code != code.upper() or not is_currency(code):
        raise ValidationError(f"'{code}' is not an ISO 4217 currency code.", code="currency")


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def unit_prices(
    *, vat: Decimal, currency: str, final: Decimal | None = None, base: Decimal | None = None
) -> tuple[Decimal, Decimal]:
    """Return (base, final) of a unit price given one of them and the VAT rate in percent."""
    factor = 1 + Decimal(vat) / HUNDRED
    if final is not None:
        final = round_money(final, currency)
        return round_money(final / factor, currency), final
    if base is not None:
        base = round_money(base, currency)
        return base, round_money(base * factor, currency)
    raise ValueError("unit_prices needs final or base")


def format_money(amount: Decimal | None, currency: str, language: str | None = None) -> str | None:
    """The amount written for people in `language` (default: the active language), e.g.
    '€12.10' in English, '12,10 €' or '1 210,00 Kč' in Czech. The one formatter of money:
    a function of amount, currency and language alone."""
    if amount is None:
        return None
    return format_currency(amount, currency, locale=babel_locale(language or current_language()))


def currency_rate(currency: str, main: str) -> Decimal:
    """Units of the main currency per unit of `currency` (settings.CURRENCY_RATES), 1 if none."""
    if currency == main:
        return Decimal("1")
    try:
        return Decimal(settings.CURRENCY_RATES.get(currency, "1"))
    except InvalidOperation:
        return Decimal("1")


def convert(
    amount: Decimal, *, currency: str, to: str, main: str, rate_to_main: Decimal
) -> Decimal:
    """`amount` of `currency` in the currency `to`, whose rate to the main currency is
    `rate_to_main` (an order's currency_rate); a third currency goes through the main one
    at its configured rate. Not rounded: the caller rounds once, in `to`."""
    if currency == to:
        return amount
    in_main = amount if currency == main else amount * currency_rate(currency, main)
    return in_main / rate_to_main
