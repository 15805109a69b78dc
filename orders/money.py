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

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
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


@lru_cache(maxsize=256)
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
    a function of amount, currency and language alone; Babel's format_currency to the
    letter (money_formatter)."""
    if amount is None:
        return None
    return _formatter(currency, language or current_language())(amount)


@lru_cache(maxsize=1024)
def _formatter(currency: str, language: str) -> Callable[[Decimal], str]:
    # Naming the Babel locale of a language code costs more than writing the amount.
    return money_formatter(currency, str(babel_locale(language)))


# Babel's NumberPattern.apply() unquotes 'text' in the finished string.
_QUOTED = re.compile(r"'([^']*)'")


@lru_cache(maxsize=1024)
def money_formatter(currency: str, locale: str) -> Callable[[Decimal], str]:
    """format_currency(amount, currency, locale=locale) as a function of the amount.

    Babel finds the locale's pattern, the currency's symbol and digits, and the separators
    again on every call (about 0.1 ms; an order list writes a thousand amounts). Here they
    are looked up once per (currency, locale) and the amount is rounded and grouped by the
    same steps as Babel's NumberPattern.apply(); a pattern outside those steps (scientific,
    significant digits, the currency's long name) is left to Babel itself.
    tests/orders/test_money_words.py checks the two agree.
    """
    try:
        return MoneyFormat(currency, locale)
    except Exception:  # whatever Babel makes of this input, let it do it per call
        return lambda amount: format_currency(amount, currency, locale=locale)


class MoneyFormat:
    """One (currency, locale)'s format_currency, its pieces looked up once."""

    def __init__(self, currency: str, locale: str):
        self.currency, self.locale = currency, locale
        parsed = Locale.parse(locale)
        pattern = parsed.currency_formats["standard"]
        # Babel's steps for a plain pattern, as NumberPattern.apply() takes them.
        self.rebuilt = not (
            pattern.exp_prec
            or "@" in pattern.pattern
            or pattern.scale
            or pattern.number_pattern == ""
            or "¤¤¤" in "".join(pattern.prefix + pattern.suffix)
        )
        symbol = get_currency_symbol(currency, parsed)

        def affix(text: str) -> str:
            return text.replace("¤¤", currency.upper()).replace("¤", symbol)

        self.prefix = tuple(affix(text) for text in pattern.prefix)
        self.suffix = tuple(affix(text) for text in pattern.suffix)
        self.group = get_group_symbol(parsed, numbering_system="latn")
        self.decimal = get_decimal_symbol(parsed, numbering_system="latn")
        self.quantum = Decimal(10) ** -get_currency_precision(currency)
        self.min_integer = pattern.int_prec[0]
        self.grouping = pattern.grouping
        # Python's own grouping (",f") when it is the pattern's: groups of 3, no zero padding.
        self.python_grouping = self.grouping == (3, 3) and self.min_integer <= 1
        self.separators = str.maketrans({",": self.group, ".": self.decimal})
        self.unquote = "'" in "".join((*self.prefix, *self.suffix, self.group, self.decimal))

    def __call__(self, amount) -> str:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        if not self.rebuilt or not value.is_finite():
            return format_currency(amount, self.currency, locale=self.locale)
        negative = int(value.is_signed())  # -0 too, as Babel does
        rounded = abs(value).normalize().quantize(self.quantum)
        if self.python_grouping:
            number = format(rounded, ",f").translate(self.separators)
        else:
            integer, _, fraction = format(rounded, "f").partition(".")
            number = self._group(integer) + (self.decimal + fraction if fraction else "")
        text = self.prefix[negative] + number + self.suffix[negative]
        return _QUOTED.sub(lambda m: m.group(1) or "'", text) if self.unquote else text

    def _group(self, digits: str) -> str:
        """Babel's NumberPattern._format_int()."""
        digits = digits.rjust(self.min_integer, "0")
        size, grouped = self.grouping[0], ""
        while len(digits) > size:
            grouped = self.group + digits[-size:] + grouped
            digits = digits[:-size]
            size = self.grouping[1]
        return digits + grouped


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
