"""The database refuses rows that break the rules, whoever writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from statuses.models import OrderStatus
from tests.factories import OrderItemFactory, OrderStatusFactory, TrackingFactory

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
