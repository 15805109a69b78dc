"""The database refuses rows that break the rules, whoever writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from statuses.models import OrderStatus
from tests.factories import (
    OrderDiscountFactory,
    OrderItemFactory,
    OrderStatusFactory,
    PaymentFactory,
    TrackingFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "values",
    [
        {"count": 0},
        {"unit_price_base": Decimal("-1"), "unit_price_final": Decimal("-1")},
        {"vat": Decimal("100.01")},
        {"vat": Decimal("-1")},
        {"unit_price_base": Decimal("10"), "unit_price_final": Decimal("9")},
    ],
)
def test_bad_items_are_refused(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(**values)


DISCOUNT = {"kind": "discount", "unit_price_base": Decimal("-10"), "vat": Decimal("21")}


@pytest.mark.parametrize(
    "values",
    [
        # Only discount lines are negative, and they never are positive.
        {"kind": "shipping", "unit_price_base": Decimal("-1"), "unit_price_final": Decimal("-1")},
        {**DISCOUNT, "unit_price_final": Decimal("1")},
        {**DISCOUNT, "unit_price_final": Decimal("-9")},  # smaller with VAT than without
        {**DISCOUNT, "unit_price_final": Decimal("-12.10"), "count": 2},
        {"kind": "gift"},
        {"returned_count": 2, "count": 1},
    ],
)
def test_bad_fee_and_discount_lines_are_refused(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(**values)


def test_a_discount_line_is_negative_with_its_vat():
    line = OrderItemFactory(**DISCOUNT, unit_price_final=Decimal("-12.10"))
    assert line.total_vat == Decimal("-2.10")


@pytest.mark.parametrize(
    ("line", "another"),
    [
        ({"kind": "shipping"}, {"kind": "payment"}),
        (
            {**DISCOUNT, "unit_price_final": Decimal("-12.10")},
            {**DISCOUNT, "unit_price_final": Decimal("-11.20"), "vat": Decimal("12")},
        ),
    ],
)
def test_one_fee_line_per_kind_and_one_discount_line_per_rate(line, another):
    first = OrderItemFactory(**line)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderItemFactory(order=first.order, **line)
    OrderItemFactory(order=first.order, **another)


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "payment", "amount": Decimal("-1")},
        {"kind": "refund", "amount": Decimal("1")},
        {"kind": "correction", "amount": Decimal("0")},
    ],
)
def test_a_payment_amount_has_the_sign_of_its_kind(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(**values)


def test_payments_are_append_only():
    payment = PaymentFactory()
    payment.amount = Decimal("1")
    with pytest.raises(ValueError, match="append-only"):
        payment.save()


@pytest.mark.parametrize(
    "values", [{"value": Decimal("0")}, {"type": "percent", "value": Decimal("100.5")}]
)
def test_a_discount_is_positive_and_at_most_100_percent(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderDiscountFactory(**values)


def test_a_status_cannot_both_complete_and_cancel():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderStatusFactory(complete_order=True, cancel_order=True)


def test_a_tracking_number_is_unique_per_shipper():
    first = TrackingFactory(tracking_number="X1")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackingFactory(tracking_number="X1", shipper=first.shipper)
    TrackingFactory(tracking_number="X1")  # another carrier may reuse it


def test_a_new_instance_has_default_statuses():
    names = list(OrderStatus.objects.values_list("name", flat=True))
    assert names[0] == "New"
    assert OrderStatus.objects.get(complete_order=True).name == "Completed"
    assert OrderStatus.objects.get(cancel_order=True).name == "Canceled"
