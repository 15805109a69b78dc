"""Returns racing on one order, on PostgreSQL: the order's row lock keeps them within what
was delivered."""

from decimal import Decimal

import pytest

from orders import services
from orders.errors import ReturnTooLarge
from orders.models import OrderItem, Return
from tests.factories import OrderItemFactory, delivered_parcel, order_with_items
from tests.orders.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _delivered_order(units: int):
    order = order_with_items(items=0)
    tea = OrderItemFactory(order=order, name="Tea", count=units, ordered=units)
    delivered_parcel(order, [(tea, units)])
    return order, tea


def test_two_returns_at_once_never_exceed_what_was_delivered(actor):
    for _ in range(5):
        order, tea = _delivered_order(3)
        results = run_together(
            [
                lambda o=order, t=tea, why=why: services.return_request(
                    order_id=o.pk, actor=actor, lines=[(t.pk, 2)], reason=why
                )
                for why in ("Too small", "Wrong colour")
            ]
        )
        refused = [r for r in results if isinstance(r, ReturnTooLarge)]
        assert len(refused) == 1, results
        assert (
            refused[0].message == f"Item {tea.pk} has 1 of 3 delivered units left to return, not 2."
        )
        assert OrderItem.objects.get(pk=tea.pk).returned_count == 2
        assert Return.objects.filter(order=order).count() == 1


def test_a_return_and_a_refund_marking_goods_returned_at_once_share_the_units(actor):
    for _ in range(5):
        order, tea = _delivered_order(2)
        services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("100"))
        results = run_together(
            [
                lambda o=order, t=tea: services.return_request(
                    order_id=o.pk, actor=actor, lines=[(t.pk, 2)], reason="Too small"
                ),
                lambda o=order, t=tea: services.order_refund(
                    order_id=o.pk, actor=actor, lines=[(t.pk, 1)], reason="x", mark_returned=True
                ),
            ]
        )
        assert len([r for r in results if isinstance(r, ReturnTooLarge)]) == 1, results
        returns = Return.objects.filter(order=order)
        assert sum(line.count for r in returns for line in r.lines.all()) <= 2
        assert OrderItem.objects.get(pk=tea.pk).returned_count in (1, 2)
        assert returns.count() == 1
