"""The arithmetic of an order's lines (orders/totals.py): discount split, caps, thresholds."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from orders import totals

D = Decimal


def line(final, vat="21", count=1):
    return SimpleNamespace(unit_price_final=D(final), vat=D(vat), count=count)


@pytest.mark.parametrize(
    ("amount", "by_rate", "expected"),
    [
        # In proportion to each rate's goods: 100 and 50 share 10.00 as 6.67 and 3.33.
        ("10.00", {"21": "100", "12": "50"}, {"21": "6.67", "12": "3.33"}),
        # Three equal shares of 0.01: the cent goes to the largest (ties: the higher rate).
        ("0.01", {"21": "1", "12": "1", "0": "1"}, {"21": "0.01"}),
        # Every share rounded down: the missing cent goes on the largest.
        ("1.00", {"21": "1", "12": "1", "0": "1"}, {"21": "0.34", "12": "0.33", "0": "0.33"}),
        # Every share rounded up: the extra cent comes off the largest.
        ("2.00", {"21": "1", "12": "1", "0": "1"}, {"21": "0.66", "12": "0.67", "0": "0.67"}),
        # Never more than the goods: capped, and each rate at most its own goods.
        ("500", {"21": "100", "12": "50"}, {"21": "100", "12": "50"}),
        ("5", {"21": "0", "12": "50"}, {"12": "5"}),
        ("0", {"21": "10"}, {}),
    ],
)
def test_a_discount_is_split_over_the_rates_in_proportion(amount, by_rate, expected):
    shares = totals.split_by_rate(D(amount), {D(r): D(t) for r, t in by_rate.items()}, "EUR")
    assert shares == {D(r): D(v) for r, v in expected.items()}
    assert sum(shares.values()) == min(D(amount), sum(D(t) for t in by_rate.values()))


def test_a_split_in_a_currency_without_cents_rounds_to_whole_units():
    shares = totals.split_by_rate(
        D("100"), {D("10"): D("1000"), D("8"): D("1000"), D("0"): D("1000")}, "JPY"
    )
    assert shares == {D("10"): D("34"), D("8"): D("33"), D("0"): D("33")}


def test_percent_discount_lines_carry_their_vat():
    products = [line("100.00"), line("50.00", vat="12"), line("12.10", count=2)]

    shares = totals.discount_shares(
        type="percent", value=D("10"), products=products, currency="EUR"
    )

    # 10 % of 174.20 = 17.42: 21 % goods are 124.20 (71.3 %), 12 % goods 50.00.
    assert [(s.vat, s.final, s.base) for s in shares] == [
        (D("21"), D("12.42"), D("10.26")),
        (D("12"), D("5.00"), D("4.46")),
    ]
    assert sum(s.final for s in shares) == D("17.42")


def test_an_amount_discount_never_exceeds_the_goods():
    assert totals.discount_amount(
        type="amount", value=D("80"), goods_total=D("50"), currency="EUR"
    ) == D("50")
    assert totals.discount_amount(
        type="percent", value=D("100"), goods_total=D("50"), currency="EUR"
    ) == D("50")
    assert totals.discount_amount(
        type="percent", value=D("33.333"), goods_total=D("10"), currency="EUR"
    ) == D("3.33")


@pytest.mark.parametrize(
    ("free_from", "goods", "free"),
    [(None, "1000", False), ("100", "99.99", False), ("100", "100", True), ("0", "0", True)],
)
def test_a_fee_is_free_from_its_threshold(free_from, goods, free):
    threshold = None if free_from is None else D(free_from)
    assert totals.fee_is_free(threshold, D(goods)) is free
