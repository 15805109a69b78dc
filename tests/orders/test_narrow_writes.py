"""Writes touch what they change: an order read by lock_order is saved with an UPDATE of the
columns that changed, and order_create inserts the order once, with its totals."""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orders import services
from orders.models import Order
from orders.services._common import lock_order, save_order
from statuses.models import LifecycleEvent, OrderStatus
from tests.factories import (
    ChannelFactory,
    OrderFactory,
    OrderStatusFactory,
    ShippingMethodFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def order_writes(queries) -> list[str]:
    """The INSERTs and UPDATEs of orders_order among the captured queries."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r'(INSERT INTO|UPDATE) "orders_order"\s', q["sql"])
    ]


def set_columns(sql: str) -> set[str]:
    """The columns an UPDATE statement sets."""
    assignments = sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return set(re.findall(r'"(\w+)" = ', assignments))


def test_a_status_change_writes_the_status_and_the_version(actor):
    order, status = OrderFactory(), OrderStatusFactory()
    with CaptureQueriesContext(connection) as queries:
        services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    [update] = order_writes(queries)
    assert set_columns(update) == {"status_id", "version", "updated_at"}
    order.refresh_from_db()
    assert (order.status_id, order.version) == (status.pk, 2)


def test_a_transition_and_the_status_that_follows_it_write_what_each_changed(actor):
    follower_status = OrderStatus.objects.get(follows=LifecycleEvent.SENT)  # seeded
    order = OrderFactory()
    with CaptureQueriesContext(connection) as queries:
        services.order_mark_sent(order_id=order.pk, actor=actor)
    sent, follower = order_writes(queries)
    assert set_columns(sent) == {"shipping_state", "date_sent", "version", "updated_at"}
    assert set_columns(follower) == {"status_id", "version", "updated_at"}
    order.refresh_from_db()
    assert (order.shipping_state, order.status_id, order.version) == (
        "sent",
        follower_status.pk,
        3,
    )
    assert order.date_sent is not None


def test_a_column_the_service_did_not_change_is_not_written_back(actor):
    """A full save would write the note as it was read; the narrow one leaves it."""
    order, status = OrderFactory(note="as read"), OrderStatusFactory()
    with transaction.atomic():
        locked = lock_order(order.pk)
        Order.objects.filter(pk=order.pk).update(note="changed meanwhile")
        locked.status = status
        save_order(locked)
    order.refresh_from_db()
    assert (order.note, order.status_id) == ("changed meanwhile", status.pk)


def test_an_order_not_read_by_lock_order_is_saved_whole():
    order = OrderFactory(city="Praha")
    Order.objects.filter(pk=order.pk).update(city="Brno")
    order.note = "new"
    save_order(order)
    order.refresh_from_db()
    assert (order.note, order.city, order.version) == ("new", "Praha", 2)


def test_item_changes_write_the_totals_and_the_version(actor):
    order = order_with_items(items=1)
    with CaptureQueriesContext(connection) as queries:
        services.order_item_add(
            order_id=order.pk,
            actor=actor,
            item=services.ItemData(name="Tea", count=2, vat=Decimal("21"), final_price=Decimal(5)),
        )
    [update] = order_writes(queries)
    assert set_columns(update) == {"money", "money_base", "version", "updated_at"}


def test_create_inserts_the_order_once_with_its_totals(actor):
    channel = ChannelFactory()
    shipping = ShippingMethodFactory(
        channel=channel, price=Decimal("4"), vat=Decimal("21"), free_from=Decimal("30")
    )
    with CaptureQueriesContext(connection) as queries:
        order = services.order_create(
            actor=actor,
            channel_id=channel.pk,
            email="jana@mail.example",
            shipping_id=shipping.pk,
            items=[
                services.ItemData(
                    name="Mug", count=3, vat=Decimal("21"), final_price=Decimal("12.10")
                )
            ],
        )
    [insert] = order_writes(queries)
    assert insert.startswith('INSERT INTO "orders_order"')
    stored = Order.objects.get(pk=order.pk)
    # 3 x 12.10 reaches the shipping's free_from: the fee line is there, at 0.
    assert (stored.money, stored.payment_state) == (Decimal("36.30"), "unpaid")
    fee = stored.items.get(kind="shipping")
    assert (fee.unit_price_final, fee.original_price_final) == (0, Decimal("4"))
