"""format_money() writes exactly what Babel's format_currency writes, from patterns looked
up once per (currency, locale) (orders.money.money_formatter)."""

import random
from decimal import Decimal as D

import pytest
from babel.numbers import format_currency
from django.utils import translation

from orders.money import MoneyFormat, format_money, money_formatter

LOCALES = [
    "en_US",
    "cs_CZ",
    "cs",
    "sk_SK",
    "de_DE",
    "de_CH",  # U+2019 as the group symbol
    "fr_FR",  # narrow no-break space
    "nl_NL",  # "¤ -1,00": the sign after the symbol
    "sv_SE",  # U+2212 minus
    "ja_JP",
    "hi_IN",  # groups of 3, then 2
    "en_IN",
    "es_CO",
    "ar_EG",
    "he_IL",
    "fa_IR",
    "pt_BR",
    "pl_PL",
]
CURRENCIES = ["EUR", "CZK", "JPY", "USD", "GBP", "KWD", "BHD", "CLF", "HUF", "INR", "CHF"]


def amounts() -> list:
    """Rounded and unrounded amounts: signs, -0, halves (Babel rounds half to even), large."""
    fixed = [
        "0",
        "-0",
        "-0.00",
        "0.005",
        "0.015",
        "0.025",
        "0.5",
        "1.5",
        "2.5",
        "-2.5",
        "7",
        "12.1",
        "12.10000",
        "999.995",
        "1000",
        "1E+3",
        "-1234567.891",
        "12345678901.2345",
        "-99999999999.9999",
        "0.0001",
        "1E-10",
    ]
    rng = random.Random(12)
    drawn = [
        D(rng.randrange(-(10**13), 10**13)).scaleb(-rng.choice([0, 1, 2, 3, 4])) for _ in range(60)
    ]
    return [D(text) for text in fixed] + drawn


AMOUNTS = amounts()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_amount_is_written_as_babel_writes_it(locale):
    for currency in CURRENCIES:
        formatter = money_formatter(currency, locale)
        # The fast path is the one under test, not Babel answering for it.
        assert isinstance(formatter, MoneyFormat)
        assert formatter.rebuilt
        for amount in AMOUNTS:
            assert formatter(amount) == format_currency(amount, currency, locale=locale), (
                amount,
                currency,
            )


def test_examples_people_read():
    assert format_money(D("12.1"), "EUR") == "€12.10"
    assert format_money(D("-1234.5"), "EUR", "en_US") == "-€1,234.50"
    assert format_money(D("1210"), "CZK", "cs_CZ") == "1\xa0210,00\xa0Kč"
    assert format_money(D("1234.5"), "JPY", "ja_JP") == "￥1,234"
    assert format_money(D("1234.5"), "JPY", "en_US") == "¥1,234"
    assert format_money(D("123456.5"), "INR", "hi_IN") == "₹1,23,456.50"
    assert format_money(None, "EUR") is None


def test_other_inputs_are_read_as_babel_reads_them():
    for amount in (5, 12.1, "3.14", D("NaN"), D("-Infinity")):
        assert format_money(amount, "EUR", "de_DE") == format_currency(
            amount, "EUR", locale="de_DE"
        )


def test_the_default_is_the_active_language():
    with translation.override("cs"):
        assert format_money(D("12.1"), "EUR") == format_currency(D("12.1"), "EUR", locale="cs")


def test_an_unknown_currency_is_written_as_babel_writes_it():
    assert format_money(D("12.1"), "XYZ", "en_US") == format_currency(
        D("12.1"), "XYZ", locale="en_US"
    )
