"""The order counters (orders/counts.py) on PostgreSQL: kept by triggers in the order's own
transaction, merged now and then, exact at every moment, also under concurrent writes."""

import contextlib
import itertools
import threading

import pytest
from django.db import connection, transaction
from django.db.models import Max

from orders import counts, services
from orders.errors import TransitionNotAllowed
from orders.models import ClosingState, Order, OrderCount
from tests.factories import (
    ChannelFactory,
    OrderCountFactory,
    OrderFactory,
    OrderStatusFactory,
    order_with_items,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DONE, CANCELED = ClosingState.DONE, ClosingState.CANCELED


def real_total(*, channel_id=None, company_id=None, status_id=None, done=None, canceled=None):
    """COUNT(*) with the listing's conditions (orders/api/filters.py)."""
    orders = Order.objects.all()
    for name, value in (
        ("channel_id", channel_id),
        ("company_id", company_id),
        ("status_id", status_id),
    ):
        if value is not None:
            orders = orders.filter(**{name: value})
    for state, value in ((DONE, done), (CANCELED, canceled)):
        if value is not None:
            orders = (
                orders.filter(closing_state=state) if value else orders.exclude(closing_state=state)
            )
    return orders.count()


def every_filter():
    """Every combination of the counted filters over the values in the database."""
    orders = Order.objects.order_by()
    channels = [None, *orders.values_list("channel_id", flat=True).distinct()]
    statuses = [None, *orders.values_list("status_id", flat=True).distinct()]
    for channel_id, status_id, done, canceled in itertools.product(
        channels, statuses, (None, True, False), (None, True, False)
    ):
        yield {"channel_id": channel_id, "status_id": status_id, "done": done, "canceled": canceled}


def made(status, actor) -> Order:
    """An order made by the services, given `status`."""
    order = order_with_items(items=1)
    return services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)


def assert_exact():
    for filters in every_filter():
        assert counts.order_total(**filters) == real_total(**filters), filters
    assert counts.count_problems() == []


def test_counters_follow_every_insert_change_and_delete(actor, no_status_follows):
    paid, packed = OrderStatusFactory(), OrderStatusFactory()
    orders = [made(paid, actor) for _ in range(4)]
    other_channel = OrderFactory(channel=ChannelFactory(), status=None)
    assert_exact()

    services.order_status_assign(order_id=orders[0].pk, status_id=packed.pk, actor=actor)
    services.order_mark_done(order_id=orders[1].pk, actor=actor)
    services.order_cancel(order_id=orders[2].pk, actor=actor)
    Order.objects.filter(pk=other_channel.pk).update(channel=orders[3].channel)
    assert_exact()

    Order.objects.filter(pk=other_channel.pk).delete()
    assert counts.order_total() == 4
    assert_exact()


def test_a_change_elsewhere_in_the_order_writes_no_counter(actor):
    order = order_with_items(items=1)
    rows = OrderCount.objects.count()
    services.order_update_delivery_address(order_id=order.pk, actor=actor, delivery_city="Olomouc")
    assert OrderCount.objects.count() == rows


def test_the_rows_are_merged_without_changing_a_sum(no_status_follows):
    statuses = [OrderStatusFactory() for _ in range(3)]
    channel = ChannelFactory()
    Order.objects.bulk_create([Order(channel=channel, status=statuses[n % 3]) for n in range(700)])
    # 700 inserts and 2 x 700 changes: at least two merges on the way.
    Order.objects.filter(status=statuses[0]).update(status=statuses[1])
    Order.objects.filter(status=statuses[1]).update(status=statuses[2])
    Order.objects.filter(status=statuses[2]).update(status=statuses[0])
    assert OrderCount.objects.count() < counts_rows_bound()
    assert counts.order_total(status_id=statuses[0].pk) == 700
    assert_exact()


def counts_rows_bound() -> int:
    """After a merge: one row per key, plus the rows written since (fewer than 1000)."""
    keys = Order.objects.order_by().values(*counts.KEY).distinct().count()
    return keys + 1000


def test_truncate_empties_the_counters():
    OrderFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred key checks pending
        cursor.execute("TRUNCATE orders_order CASCADE")
    assert counts.order_total() == 0
    assert counts.count_problems() == []


def test_rebuild_sets_the_counters_from_the_orders():
    OrderFactory.create_batch(3)
    OrderCountFactory(orders=5)
    assert counts.count_problems() == [
        "Order counters: channel None, company None, status None, open: 0 orders, "
        "the counters say 5"
    ]
    counts.rebuild()
    assert counts.count_problems() == []
    assert counts.order_total() == 3


WRITERS, STEPS = 3, 10


@pytest.mark.django_db(transaction=True)
def test_counts_are_exact_under_concurrent_writes(actor, no_status_follows):
    """Writers create orders and change statuses and closing states on several threads,
    with merges forced often, while a reader compares the counters with COUNT(*) inside
    one REPEATABLE READ snapshot: the two agree every time, and at the end."""
    statuses = [OrderStatusFactory() for _ in range(3)]
    orders = [made(statuses[n % 3], actor) for n in range(12)]
    stop = threading.Event()
    errors, comparisons = [], []

    def guarded(work):
        def run():
            try:
                work()
            except Exception as error:  # reported by the assertion below
                errors.append(error)
                stop.set()
            finally:
                connection.close()

        return run

    def writer(offset: int):
        for step in range(STEPS):
            order = orders[(offset + step) % len(orders)]
            status = statuses[(offset + step) % 3]
            # A done order keeps its status and stays done: refused, and fine.
            with contextlib.suppress(TransitionNotAllowed):
                services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
            if step % 5 == offset % 5:
                with contextlib.suppress(TransitionNotAllowed):
                    services.order_mark_done(order_id=order.pk, actor=actor)
            made(status, actor)

    merging_ids = []

    def merge_often():
        # The next counter row lands on a multiple of 1000, so the write that gets it merges.
        while not stop.is_set():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('orders_ordercount', 'id'), "
                    "(nextval(pg_get_serial_sequence('orders_ordercount', 'id')) / 1000 + 1) "
                    "* 1000 - 1)"
                )
                merging_ids.append(cursor.fetchone()[0] + 1)
            stop.wait(0.05)

    def reader():
        while not stop.is_set():
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                for status in statuses:
                    for done in (None, False):
                        filters = {"status_id": status.pk, "done": done}
                        comparisons.append(
                            (filters, counts.order_total(**filters), real_total(**filters))
                        )
                comparisons.append(({}, counts.order_total(), real_total()))

    writers = [threading.Thread(target=guarded(lambda n=n: writer(n))) for n in range(WRITERS)]
    helpers = [threading.Thread(target=guarded(f)) for f in (merge_often, reader)]
    for thread in writers + helpers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in helpers:
        thread.join()

    assert errors == []
    assert len(comparisons) > 10
    assert [c for c in comparisons if c[1] != c[2]] == []
    assert counts.order_total() == 12 + WRITERS * STEPS
    # Merges ran among the writes: a row was written past the first id that merges.
    assert OrderCount.objects.aggregate(last=Max("id"))["last"] > merging_ids[0]
    assert_exact()
