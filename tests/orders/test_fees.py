"""Shipping and payment methods and their fee lines (orders/services/fees.py)."""

from decimal import Decimal

import pytest
from django.test import override_settings

from orders import services
from orders.errors import DerivedLine, InvalidInput, TransitionNotAllowed
from orders.models import Order, OrderEvent
from tests.factories import (
    ChannelFactory,
    PaymentMethodFactory,
    ShippingMethodFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db
D = Decimal


def fee_lines(order) -> list[tuple]:
    return list(
        order.items.exclude(kind="product")
        .order_by("kind")
        .values_list("kind", "name", "unit_price_final", "unit_price_base", "vat")
    )


def product(price="12.10", count=1, vat="21"):
    return services.ItemData(name="Mug", count=count, vat=D(vat), final_price=D(price))


def test_an_order_created_with_methods_is_charged_their_fees(actor):
    channel = ChannelFactory()
    courier = ShippingMethodFactory(channel=channel, name="Courier", price=D("4.90"), vat=D("21"))
    cod = PaymentMethodFactory(
        channel=channel, name="Cash on delivery", price=D("1.50"), vat=D("21")
    )

    order = order_with_items(items=2, channel=channel, shipping_id=courier.pk, payment_id=cod.pk)

    assert fee_lines(order) == [
        ("payment", "Cash on delivery", D("1.5000"), D("1.2400"), D("21.00")),
        ("shipping", "Courier", D("4.9000"), D("4.0500"), D("21.00")),
    ]
    # 36.30 of goods and 6.40 of fees; without VAT 30.00 + 4.05 + 1.24.
    assert (order.money, order.money_base) == (D("42.70"), D("35.29"))
    assert (order.shipping, order.payment) == (courier, cod)


def test_a_later_price_change_of_the_method_does_not_touch_the_order(actor):
    courier = ShippingMethodFactory(price=D("4.90"))
    order = order_with_items(items=1, shipping_id=courier.pk)
    courier.price = D("9.90")
    courier.save()

    services.order_item_add(order_id=order.pk, actor=actor, item=product())

    order.refresh_from_db()
    assert order.money == D("12.10") * 2 + D("4.90")


@override_settings(MAIN_CURRENCY="EUR", CURRENCY_RATES={"USD": "0.5"})
@pytest.mark.parametrize(
    ("method_currency", "fee"),
    [
        ("CZK", "125.00"),  # the order's own currency: as it is
        ("EUR", "122.50"),  # 4.90 EUR at 0.04 EUR per CZK
        ("USD", "61.25"),  # 4.90 USD = 2.45 EUR (configured rate), then to CZK
    ],
)
def test_a_fee_is_converted_to_the_order_currency_with_the_order_rate(actor, method_currency, fee):
    price = D("125.00") if method_currency == "CZK" else D("4.90")
    courier = ShippingMethodFactory(
        channel=ChannelFactory(currency_code=method_currency), price=price
    )

    order = order_with_items(
        items=1, currency="CZK", currency_rate=D("0.04"), shipping_id=courier.pk
    )

    assert order.items.get(kind="shipping").unit_price_final == D(fee)
    assert order.money == D("12.10") + D(fee)


def test_a_method_of_no_channel_is_priced_in_the_main_currency(actor, settings):
    settings.MAIN_CURRENCY = "EUR"
    courier = ShippingMethodFactory(channel=None, price=D("5"))
    order = order_with_items(
        items=1, currency="CZK", currency_rate=D("0.04"), shipping_id=courier.pk
    )
    assert order.items.get(kind="shipping").unit_price_final == D("125")


def test_a_fee_is_free_from_the_threshold_while_the_goods_reach_it(actor):
    courier = ShippingMethodFactory(price=D("4.90"), free_from=D("30"))
    order = order_with_items(items=2, shipping_id=courier.pk)  # 36.30 of goods

    fee = order.items.get(kind="shipping")
    assert (fee.unit_price_final, fee.original_price_final) == (D("0"), D("4.9000"))
    assert order.money == D("36.30")

    # Below the threshold the fee comes back, and goes again above it.
    two = order.items.get(name="Article 1")
    services.order_item_remove(order_id=order.pk, item_id=two.pk, actor=actor)
    order.refresh_from_db()
    assert order.money == D("12.10") + D("4.90")
    assert order.items.get(kind="shipping").original_price_final is None
    services.order_item_add(order_id=order.pk, actor=actor, item=product("20"))
    assert Order.objects.get(pk=order.pk).money == D("32.10")


def test_changing_the_method_replaces_the_fee_and_is_recorded(actor):
    courier, pickup = ShippingMethodFactory(price=D("4.90")), ShippingMethodFactory(price=D("2"))
    order = order_with_items(items=1, shipping_id=courier.pk)

    changed = services.order_set_shipping_method(
        order_id=order.pk, actor=actor, shipping_id=pickup.pk
    )

    assert changed.money == D("14.10")
    assert [line[2] for line in fee_lines(changed)] == [D("2.0000")]
    record = changed.history.first()
    assert record.name == f"Shipping method set to {pickup.name}"
    assert record.changes == {
        "shipping_id": [courier.pk, pickup.pk],
        "money": ["17.0000", "14.10"],  # as stored, then as computed
        "money_base": ["14.0500", "11.65"],
        "shipping_fee": ["4.90", "2.00"],
    }
    assert OrderEvent.objects.filter(order=order).last().type == "order.updated"
    assert changed.version == order.version + 1


def test_removing_the_method_removes_its_fee(actor):
    order = order_with_items(items=1, payment_id=PaymentMethodFactory(price=D("1")).pk)
    changed = services.order_set_payment_method(order_id=order.pk, actor=actor, payment_id=None)
    assert (changed.payment, changed.money, fee_lines(changed)) == (None, D("12.10"), [])


def test_setting_the_same_method_again_changes_nothing(actor):
    courier = ShippingMethodFactory()
    order = order_with_items(items=1, shipping_id=courier.pk)
    again = services.order_set_shipping_method(
        order_id=order.pk, actor=actor, shipping_id=courier.pk
    )
    assert again.version == order.version
    assert order.history.count() == 1


def test_a_method_that_charges_nothing_adds_no_line(actor):
    card = PaymentMethodFactory(price=D("0"))
    order = order_with_items(items=1, payment_id=card.pk)
    assert (order.payment, fee_lines(order)) == (card, [])


def test_a_known_fee_is_charged_as_given(actor):
    courier = ShippingMethodFactory(price=D("4.90"), free_from=D("1"))
    order = order_with_items(items=1)
    changed = services.order_set_shipping_method(
        order_id=order.pk,
        actor=actor,
        shipping_id=courier.pk,
        fee=services.FeeData(final_price=D("3.30"), vat=D("10")),
    )
    assert fee_lines(changed) == [("shipping", courier.name, D("3.3000"), D("3.0000"), D("10.00"))]


@pytest.mark.parametrize("state", ["sent", "done", "canceled"])
def test_methods_are_locked_unless_open_and_not_sent(actor, state):
    order = order_with_items(items=1)
    {
        "sent": services.order_mark_sent,
        "done": services.order_mark_done,
        "canceled": services.order_cancel,
    }[state](order_id=order.pk, actor=actor)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_set_shipping_method(
            order_id=order.pk, actor=actor, shipping_id=ShippingMethodFactory().pk
        )
    assert refused.value.code == "fees_locked"
    assert Order.objects.get(pk=order.pk).shipping is None


@pytest.mark.parametrize("service", ["order_set_shipping_method", "order_create"])
def test_an_unknown_method_is_invalid_input_and_changes_nothing(actor, service):
    if service == "order_create":
        call = lambda: services.order_create(actor=actor, shipping_id=98765)  # noqa: E731
    else:
        order = order_with_items(items=1)
        call = lambda: services.order_set_shipping_method(  # noqa: E731
            order_id=order.pk, actor=actor, shipping_id=98765
        )
    with pytest.raises(InvalidInput) as error:
        call()
    assert (error.value.field, error.value.code) == ("shipping_id", "unknown_method")


def test_the_item_services_refuse_fee_lines(actor):
    order = order_with_items(items=1, shipping_id=ShippingMethodFactory().pk)
    fee = order.items.get(kind="shipping")
    with pytest.raises(DerivedLine) as refused:
        services.order_item_remove(order_id=order.pk, item_id=fee.pk, actor=actor)
    assert refused.value.code == "derived_line"
    assert refused.value.detail == "It follows the order's shipping method: change that instead."
    with pytest.raises(DerivedLine):
        services.order_item_update(order_id=order.pk, item_id=fee.pk, actor=actor, item=product())
    assert order.items.filter(kind="shipping").exists()


def test_order_update_changes_the_method_through_its_fee(actor):
    courier = ShippingMethodFactory(price=D("4.90"))
    order = order_with_items(items=1)
    updated = services.order_update(
        order_id=order.pk, actor=actor, changes={"shipping_id": courier.pk, "note": "Call me"}
    )
    assert (updated.shipping, updated.money, updated.note) == (courier, D("17.00"), "Call me")
