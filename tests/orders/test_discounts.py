"""The order discount and line discounts (orders/services/discounts.py, orders/totals.py)."""

from decimal import Decimal

import pytest

from orders import services
from orders.errors import DerivedLine, InvalidInput, TransitionNotAllowed
from orders.models import Order, OrderEvent
from orders.pages import vat_breakdown
from tests.factories import ShippingMethodFactory

pytestmark = pytest.mark.django_db
D = Decimal


def product(name, price, vat="21", count=1):
    return services.ItemData(name=name, count=count, vat=D(vat), final_price=D(price))


@pytest.fixture
def mixed(actor):
    """121.00 at 21 % and 56.00 at 12 %: 177.00 of goods."""
    return services.order_create(
        actor=actor,
        email="eva@mail.example",
        items=[product("Lamp", "121.00"), product("Book", "28.00", vat="12", count=2)],
    )


def discount_lines(order) -> list[tuple]:
    return list(
        order.items.filter(kind="discount")
        .order_by("-vat")
        .values_list("vat", "unit_price_final", "unit_price_base", "count")
    )


def test_a_percentage_is_split_over_the_vat_rates(mixed, actor):
    order = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("10"), reason="Loyal customer"
    )

    # 10 % of each rate's goods: 12.10 (10.00 + 2.10 VAT) and 5.60 (5.00 + 0.60 VAT).
    assert discount_lines(order) == [
        (D("21.00"), D("-12.1000"), D("-10.0000"), 1),
        (D("12.00"), D("-5.6000"), D("-5.0000"), 1),
    ]
    assert (order.money, order.money_base) == (D("159.30"), D("135.00"))
    # The VAT recap per rate is net of the discount and adds up to the totals.
    assert [(r["rate"], r["base"], r["vat"], r["total"]) for r in vat_breakdown(order)] == [
        (D("21"), "€90.00", "€18.90", "€108.90"),
        (D("12"), "€45.00", "€5.40", "€50.40"),
    ]
    assert order.items.filter(kind="discount").first().name == "Discount 10 %: Loyal customer"


def test_an_amount_is_split_in_proportion_and_sums_exactly(mixed, actor):
    order = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="amount", value=D("10"), reason="Late delivery"
    )
    # 121/177 of 10.00 = 6.836 -> 6.84; 56/177 = 3.164 -> 3.16.
    assert [line[1] for line in discount_lines(order)] == [D("-6.8400"), D("-3.1600")]
    assert order.money == D("167.00")


def test_a_discount_never_takes_the_goods_below_zero_and_fees_are_not_discounted(actor):
    order = services.order_create(
        actor=actor,
        items=[product("Tea", "5.90")],
        shipping_id=ShippingMethodFactory(price=D("4.90")).pk,
    )
    order = services.order_discount_set(
        order_id=order.pk, actor=actor, type="amount", value=D("50"), reason="Voucher"
    )
    assert discount_lines(order) == [(D("21.00"), D("-5.9000"), D("-4.8800"), 1)]
    assert order.money == D("4.90")  # only the fee is left


def test_the_discount_follows_the_items(mixed, actor):
    order = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("10"), reason="Loyal customer"
    )
    line_21 = order.items.get(kind="discount", vat=D("21"))
    book = order.items.get(name="Book")

    services.order_item_remove(order_id=order.pk, item_id=book.pk, actor=actor)
    services.order_item_add(order_id=order.pk, actor=actor, item=product("Mug", "12.10"))

    order.refresh_from_db()
    assert discount_lines(order) == [(D("21.00"), D("-13.3100"), D("-11.0000"), 1)]
    assert order.items.get(kind="discount").pk == line_21.pk  # the same line, changed
    assert order.money == D("119.79")  # 133.10 - 13.31


def test_a_free_shipping_threshold_counts_the_goods_after_the_discount(actor):
    courier = ShippingMethodFactory(price=D("4.90"), free_from=D("100"))
    order = services.order_create(
        actor=actor, items=[product("Lamp", "105")], shipping_id=courier.pk
    )
    assert order.money == D("105.00")  # free shipping

    order = services.order_discount_set(
        order_id=order.pk, actor=actor, type="amount", value=D("10"), reason="Voucher"
    )

    assert order.money == D("99.90")  # 95.00 of goods: the fee is charged again


def test_removing_the_discount_restores_the_money(mixed, actor):
    services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("10"), reason="Loyal customer"
    )
    order = services.order_discount_remove(order_id=mixed.pk, actor=actor)
    assert (order.money, discount_lines(order)) == (D("177.00"), [])
    assert not Order.objects.get(pk=mixed.pk).items.filter(kind="discount").exists()
    record = order.history.first()
    assert (record.type, record.name) == ("discount", "Discount 10 % removed")
    assert record.changes["discount"] == ["10 %", None]


def test_setting_a_discount_is_recorded_with_its_actor_and_an_event(mixed, actor):
    order = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="amount", value=D("5"), reason="Sorry"
    )
    record = order.history.first()
    assert (record.type, record.actor, record.name) == (
        "discount",
        "tests",
        "Discount 5.00 EUR: Sorry",
    )
    assert record.changes["discount"] == [None, "5.00 EUR"]
    assert record.changes["money"] == ["177.0000", "172.00"]
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.type, event.payload["discount_total"]) == ("order.updated", "-5.00")
    assert (order.discount.actor, order.discount.source) == ("tests", "command")


def test_the_same_discount_again_changes_nothing(mixed, actor):
    first = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("10"), reason="Loyal"
    )
    again = services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("10.00"), reason="Loyal"
    )
    assert again.version == first.version
    assert (
        services.order_discount_remove(order_id=mixed.pk, actor=actor).version == first.version + 1
    )
    assert (
        services.order_discount_remove(order_id=mixed.pk, actor=actor).version == first.version + 1
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"type": "gift"}, "type"),
        ({"value": D("0")}, "value"),
        ({"value": D("-5")}, "value"),
        ({"value": "NaN"}, "value"),
        ({"type": "percent", "value": D("100.01")}, "value"),
        ({"value": D("0.001")}, "value"),  # less than a cent
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
    ],
)
def test_bad_discounts_are_invalid_input_and_change_nothing(mixed, actor, values, field):
    arguments = {"type": "amount", "value": D("5"), "reason": "Voucher", **values}
    with pytest.raises(InvalidInput) as error:
        services.order_discount_set(order_id=mixed.pk, actor=actor, **arguments)
    assert error.value.field == field
    assert Order.objects.get(pk=mixed.pk).money == D("177.00")


def test_the_discount_is_locked_once_the_order_is_sent(mixed, actor):
    services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("5"), reason="x"
    )
    services.order_mark_sent(order_id=mixed.pk, actor=actor)
    for call in (
        lambda: services.order_discount_set(
            order_id=mixed.pk, actor=actor, type="percent", value=D("10"), reason="x"
        ),
        lambda: services.order_discount_remove(order_id=mixed.pk, actor=actor),
    ):
        with pytest.raises(TransitionNotAllowed) as refused:
            call()
        assert refused.value.code == "discount_locked"
    assert Order.objects.get(pk=mixed.pk).discount.value == D("5")


def test_the_item_services_refuse_discount_lines(mixed, actor):
    services.order_discount_set(
        order_id=mixed.pk, actor=actor, type="percent", value=D("5"), reason="x"
    )
    line = mixed.items.filter(kind="discount").first()
    with pytest.raises(DerivedLine) as refused:
        services.order_item_remove(order_id=mixed.pk, item_id=line.pk, actor=actor)
    assert refused.value.detail == "It follows the order's discount: change that instead."


def test_a_line_discount_is_its_original_price_above_its_price(actor):
    order = services.order_create(
        actor=actor,
        items=[
            services.ItemData(
                name="Mug",
                count=2,
                vat=D("21"),
                final_price=D("9.68"),
                original_final_price=D("12.10"),
            )
        ],
    )
    mug = order.items.get()
    assert (mug.unit_price_final, mug.original_price_final, mug.original_price_base) == (
        D("9.6800"),
        D("12.1000"),
        D("10.0000"),
    )
    assert order.money == D("19.36")  # the price after the line discount counts
