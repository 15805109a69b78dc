"""Races on one order, on PostgreSQL (row locks are what this tests)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from orders import services
from orders.errors import RefundTooLarge, ShipmentTooLarge, TransitionNotAllowed
from orders.models import Order, Shipment, ShipmentLine
from tests.factories import order_with_items

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    """Start all functions at once; return what each returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_cancel_and_done_race_exactly_one_wins(actor):
    for _ in range(5):
        order = order_with_items(items=1)
        results = run_together(
            [
                lambda o=order: services.order_cancel(order_id=o.pk, actor=actor),
                lambda o=order: services.order_mark_done(order_id=o.pk, actor=actor),
            ]
        )
        refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
        assert len(refused) == 1, results
        final = Order.objects.get(pk=order.pk)
        assert final.done != final.canceled
        assert final.history.filter(type="state").count() == 1


def test_twenty_concurrent_item_adds_keep_money_right(actor):
    order = order_with_items(items=0)
    prices = [Decimal(n) + Decimal("0.99") for n in range(20)]
    results = run_together(
        [
            lambda p=price: services.order_item_add(
                order_id=order.pk,
                actor=actor,
                item=services.ItemData(name=f"Item {p}", count=1, vat=Decimal("21"), final_price=p),
            )
            for price in prices
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    final = Order.objects.get(pk=order.pk)
    assert final.items.count() == 20
    assert final.money == sum(prices)
    assert final.money == sum(i.total_final for i in final.items.all())
    assert final.version == order.version + 20


def test_two_refunds_at_once_never_exceed_what_was_paid(actor):
    for _ in range(5):
        order = order_with_items(items=2)  # 36.30
        services.order_mark_paid(order_id=order.pk, actor=actor)
        results = run_together(
            [
                lambda o=order: services.order_refund(
                    order_id=o.pk, actor=actor, amount=Decimal("20"), reason="Returned"
                ),
                lambda o=order: services.order_refund(
                    order_id=o.pk, actor=actor, amount=Decimal("20"), reason="Returned too"
                ),
            ]
        )
        refused = [r for r in results if isinstance(r, RefundTooLarge)]
        assert len(refused) == 1, results
        final = Order.objects.get(pk=order.pk)
        assert (final.paid, final.refunded) == (Decimal("16.30"), Decimal("20.00"))
        assert final.payments.filter(kind="refund").count() == 1
        assert final.history.filter(type="refund").count() == 1


def test_two_parcels_at_once_never_ship_more_than_was_ordered(actor):
    for _ in range(5):
        order = order_with_items(items=2)  # Article 0 x 1, Article 1 x 2
        item = order.items.get(name="Article 1")
        results = run_together(
            [
                lambda o=order, i=item: services.shipment_create(
                    order_id=o.pk, actor=actor, lines=[(i.pk, 2)]
                ),
                lambda o=order, i=item: services.shipment_create(
                    order_id=o.pk, actor=actor, lines=[(i.pk, 1)]
                ),
            ]
        )
        refused = [r for r in results if isinstance(r, ShipmentTooLarge)]
        assert len(refused) == 1, results
        item.refresh_from_db()
        assert item.shipped_count == sum(
            line.count for line in ShipmentLine.objects.filter(item=item)
        )
        assert item.shipped_count in (1, 2)
        assert Shipment.objects.filter(order=order).count() == 1
