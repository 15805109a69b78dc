"""Money: decimals, the rounding rule, and totals that always match the items."""

from decimal import Decimal

import pytest
from django.utils import translation

from orders import services
from orders.models import Order
from orders.money import format_money, minor_unit, round_money, unit_prices
from tests.factories import ChannelFactory, order_with_items

D = Decimal


@pytest.mark.parametrize(
    ("given", "vat", "currency", "expected_base", "expected_final"),
    [
        ({"final": D("12.10")}, D("21"), "EUR", D("10.00"), D("12.10")),
        ({"base": D("10")}, D("21"), "EUR", D("10.00"), D("12.10")),
        ({"final": D("1.00")}, D("21"), "EUR", D("0.83"), D("1.00")),  # 0.8264... -> 0.83
        ({"base": D("0.125")}, D("0"), "EUR", D("0.13"), D("0.13")),  # half up, not to even
        ({"base": D("0.045")}, D("10"), "EUR", D("0.05"), D("0.06")),  # 0.055 -> 0.06
        ({"final": D("1210")}, D("21"), "CZK", D("1000.00"), D("1210.00")),
        ({"final": D("1000")}, D("10"), "JPY", D("909"), D("1000")),  # no minor unit
        ({"base": D("1.2345")}, D("5"), "KWD", D("1.235"), D("1.297")),  # three places
    ],
)
def test_unit_price_rounding(given, vat, currency, expected_base, expected_final):
    base, final = unit_prices(vat=vat, currency=currency, **given)
    assert (base, final) == (expected_base, expected_final)
    assert base.as_tuple().exponent == minor_unit(currency).as_tuple().exponent


def test_round_money_is_half_up():
    assert round_money(D("2.675"), "EUR") == D("2.68")
    assert round_money(D("2.665"), "EUR") == D("2.67")


def test_money_is_written_for_people():
    assert format_money(D("12.1"), "EUR") == "€12.10"
    assert format_money(None, "EUR") is None


NBSP = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "written"),
    [
        (D("258.26"), "CZK", "cs", f"258,26{NBSP}Kč"),
        (D("258.26"), "CZK", "en", "CZK258.26"),
        (D("12.10"), "EUR", "en", "€12.10"),
        (D("12.10"), "EUR", "cs", f"12,10{NBSP}€"),
        (D("1234567.5"), "EUR", "en", "€1,234,567.50"),
        (D("1234567.5"), "EUR", "cs", f"1{NBSP}234{NBSP}567,50{NBSP}€"),
        (D("-4.13"), "EUR", "cs", f"-4,13{NBSP}€"),  # a discount line
        (D("4400"), "JPY", "cs", f"4{NBSP}400{NBSP}JP¥"),
        (D("4400"), "JPY", "en", "¥4,400"),
        (D("12.10"), "EUR", "en-us", "€12.10"),  # a regional variant of a language
    ],
)
def test_money_is_written_per_currency_and_language(amount, currency, language, written):
    assert format_money(amount, currency, language) == written


def test_money_without_a_language_follows_the_active_one():
    with translation.override("cs"):
        assert format_money(D("258.26"), "CZK") == f"258,26{NBSP}Kč"
    with translation.override("en"):
        assert format_money(D("258.26"), "CZK") == "CZK258.26"


@pytest.mark.django_db
def test_order_money_is_the_sum_of_the_lines(actor):
    # given 1 x 12.10 and 2 x 12.10
    order = order_with_items(items=2)
    assert order.money == D("36.30")
    assert order.money_base == D("30.00")
    assert order.money_vat == D("6.30")

    # when an item changes and another is removed
    first, second = order.items.order_by("id")
    services.order_item_update(
        order_id=order.pk,
        item_id=first.pk,
        actor=actor,
        item=services.ItemData(name="Changed", count=3, vat=D("10"), base_price=D("2.50")),
    )
    services.order_item_remove(order_id=order.pk, item_id=second.pk, actor=actor)

    # then money follows: 3 x 2.75
    order = Order.objects.get(pk=order.pk)
    assert (order.money, order.money_base) == (D("8.25"), D("7.50"))


@pytest.mark.django_db
def test_weight_is_the_sum_of_unit_weights(actor):
    order = order_with_items(items=0)
    for weight, count in ((D("0.250"), 2), (D("1.5"), 1)):
        services.order_item_add(
            order_id=order.pk,
            actor=actor,
            item=services.ItemData(
                name="W", count=count, vat=D("21"), final_price=D("1"), weight=weight
            ),
        )
    assert Order.objects.get(pk=order.pk).weight == D("2.000")


@pytest.mark.django_db
def test_order_currency_comes_from_the_channel(actor):
    channel = ChannelFactory(currency_code="CZK")
    order = services.order_create(actor=actor, channel_id=channel.pk, email="a@b.example")
    assert order.order_currency_code == "CZK"
    assert order.main_currency_code == "EUR"
    assert order.company == channel.company


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["eur", "EURO", "XYZ", ""])
def test_currency_codes_must_be_iso_4217(code, actor):
    from orders.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        services.order_create(actor=actor, order_currency_code=code or "   ")
    assert error.value.field == "order_currency_code"
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_currency_rate_comes_from_settings_unless_given(actor, settings):
    settings.CURRENCY_RATES = {"CZK": "0.0400"}
    configured = services.order_create(actor=actor, order_currency_code="CZK")
    given = services.order_create(actor=actor, order_currency_code="CZK", currency_rate=D("0.05"))
    unknown = services.order_create(actor=actor, order_currency_code="USD")
    assert configured.currency_rate == D("0.0400")
    assert given.currency_rate == D("0.05")
    assert unknown.currency_rate == D("1")
