"""The services' own bounds, whoever calls them (API, back office, import): a value that
cannot be stored is InvalidInput naming the field, before anything is written."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders import services
from orders.errors import InvalidInput
from orders.models import Customer, HistoryRecord, Order, OrderItem
from tests.factories import order_with_items

pytestmark = pytest.mark.django_db
BILLION = Decimal("999999999")


def gold(count: int, price: Decimal = BILLION) -> services.ItemData:
    return services.ItemData(name="Gold", count=count, vat=Decimal("0"), final_price=price)


def test_the_largest_amount_is_what_the_money_column_holds():
    field = Order._meta.get_field("money")
    assert (field.max_digits, field.decimal_places) == (14, 4)
    assert Decimal("9999999999.9999") == services.MAX_MONEY


def test_an_order_whose_total_does_not_fit_is_refused_naming_items(actor):
    with pytest.raises(InvalidInput) as error:
        services.order_create(actor=actor, email="a@mail.example", items=[gold(1)] * 11)
    assert (error.value.field, error.value.code) == ("items", "total_too_large")
    assert not Order.objects.exists()
    assert not Customer.objects.exists()


def test_an_item_that_would_push_the_total_past_the_column_is_refused_naming_count(actor):
    order = order_with_items(items=0, actor=actor)
    services.order_item_add(order_id=order.pk, actor=actor, item=gold(10))  # 9999999990
    history = HistoryRecord.objects.count()
    with pytest.raises(InvalidInput) as error:
        services.order_item_add(order_id=order.pk, actor=actor, item=gold(1, Decimal("10")))
    assert error.value.field == "count"
    assert OrderItem.objects.filter(order=order).count() == 1
    assert HistoryRecord.objects.count() == history
    assert Order.objects.get(pk=order.pk).money == Decimal("9999999990.00")


def test_an_order_date_whose_due_date_leaves_the_calendar_is_refused(actor, settings):
    settings.ORDER_MATURITY_DAYS = 14
    with pytest.raises(InvalidInput) as error:
        services.order_create(
            actor=actor, email="a@mail.example", date_order=datetime(9999, 12, 20, tzinfo=UTC)
        )
    assert error.value.field == "date_order"
    assert not Order.objects.exists()
    order = services.order_create(
        actor=actor, email="a@mail.example", date_order=datetime(9999, 12, 17, tzinfo=UTC)
    )
    assert order.date_maturity.isoformat() == "9999-12-31"


def test_a_customer_without_a_name_goes_by_the_email_cut_to_the_name_column(actor):
    email = "a" * 64 + "@" + ("b" * 63 + ".") * 2 + "c" * 5 + ".example"  # 206, valid
    order = services.order_create(actor=actor, email=email)
    assert Customer._meta.get_field("name").max_length == 200
    assert order.customer.name == email[:200]
    short = services.order_create(actor=actor, email="jana@mail.example")
    assert short.customer.name == "jana@mail.example"
