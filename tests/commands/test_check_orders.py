from decimal import Decimal

import pytest
from django.db import connection

from orders import services
from orders.models import (
    HistoryRecord,
    Order,
    OrderDiscount,
    OrderItem,
    Payment,
    Refund,
    Shipment,
    ShipmentLine,
)
from tests.factories import (
    OrderCountFactory,
    PaymentFactory,
    ShippingMethodFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders_in_every_state(actor):
    """Orders through the services: new, empty, partly paid, sent, delivered, done, canceled."""
    new = order_with_items(items=2)
    order_with_items(items=0)
    partly = order_with_items(items=1)
    services.order_mark_paid(order_id=partly.pk, actor=actor, amount=Decimal("5"))
    delivered = order_with_items(items=3)
    services.order_mark_paid(order_id=delivered.pk, actor=actor)
    services.order_mark_sent(order_id=delivered.pk, actor=actor)
    services.order_mark_delivered(order_id=delivered.pk, actor=actor)
    services.order_mark_done(order_id=delivered.pk, actor=actor)
    sent_then_canceled = order_with_items(items=1)
    services.order_mark_sent(order_id=sent_then_canceled.pk, actor=actor)
    services.order_cancel(order_id=sent_then_canceled.pk, actor=actor)
    emptied = order_with_items(items=1)
    services.order_item_remove(order_id=emptied.pk, item_id=emptied.items.get().pk, actor=actor)
    return {"new": new, "delivered": delivered, "sent": sent_then_canceled}


def test_clean_data_passes(run, orders_in_every_state):
    result = run("check_orders", verbosity=0)

    assert result.stdout == "Checked 6 orders: no problems.\n"


@pytest.mark.parametrize(
    ("which", "corruption", "problem"),
    [
        ("new", {"money": Decimal("1.00")}, "money is 1.00 but its items add up to 36.30"),
        ("new", {"money_base": Decimal("0")}, "money_base is 0.00 but its items add up to 30.00"),
        ("new", {"weight": Decimal("2.5")}, "weight is 2.500 kg but its items weigh 0.000 kg"),
        (
            "new",
            {"payment_state": "paid"},
            "payment state is paid but paid 0.0000 of 36.3000 means unpaid",
        ),
        ("sent", {"date_sent": None}, "is sent but has no date_sent"),
        ("delivered", {"date_delivered": None}, "is delivered but has no date_delivered"),
        ("delivered", {"date_done": None}, "is done but has no date_done"),
        ("new", {"date_canceled": "2025-01-01T00:00:00Z"}, "is open but has a date_canceled"),
        ("delivered", {"date_paid": None}, "paid 72.6000 but has no date_paid"),
    ],
)
def test_finds_a_planted_inconsistency(
    run_failing, orders_in_every_state, which, corruption, problem
):
    order = orders_in_every_state[which]
    # Simulate corruption behind the services' back.
    Order.objects.filter(pk=order.pk).update(**corruption)

    result = run_failing("check_orders", verbosity=0)

    assert result.stdout == f"Order {order.pk}: {problem}\n"
    assert str(result.error) == "1 problems in 1 of 6 orders."


def test_finds_an_order_without_its_created_record(run_failing, orders_in_every_state):
    order = orders_in_every_state["new"]
    HistoryRecord.objects.filter(order=order, type="created").delete()

    result = run_failing("check_orders", "--chunk-size", "1", verbosity=0)

    assert result.stdout == f'Order {order.pk}: has no history record of type "created"\n'


def test_checks_every_chunk(run_failing, orders_in_every_state):
    ids = list(Order.objects.order_by("pk").values_list("pk", flat=True))
    Order.objects.filter(pk__in=[ids[0], ids[-1]]).update(weight=Decimal("9"))

    result = run_failing("check_orders", "--chunk-size", "4", verbosity=0)

    reported = [line.split(":")[0] for line in result.stdout.splitlines()]
    assert reported == [f"Order {ids[0]}", f"Order {ids[-1]}"]
    assert str(result.error) == "2 problems in 2 of 6 orders."


# --- money: fees, discounts, the payments ledger, refunds ------------------------------------


@pytest.fixture
def money_orders(actor):
    """A partly paid order with a fee and a discount, a done order partly refunded by a line
    and an amount, and a canceled order refunded in full."""
    courier = ShippingMethodFactory(price=Decimal("4.90"))
    discounted = order_with_items(items=2, shipping_id=courier.pk)  # 36.30 + 4.90
    services.order_discount_set(
        order_id=discounted.pk, actor=actor, type="percent", value=Decimal("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=discounted.pk, actor=actor, amount=Decimal("20"))
    refunded = order_with_items(items=2, shipping_id=courier.pk)
    services.order_mark_paid(order_id=refunded.pk, actor=actor)
    services.order_mark_done(order_id=refunded.pk, actor=actor)
    tea = refunded.items.get(name="Article 1")
    services.order_refund(
        order_id=refunded.pk, actor=actor, lines=[(tea.pk, 1)], amount=Decimal("1"), reason="x"
    )
    canceled = order_with_items(items=1)
    services.order_mark_paid(order_id=canceled.pk, actor=actor)
    services.order_cancel(order_id=canceled.pk, actor=actor)
    services.order_refund(
        order_id=canceled.pk, actor=actor, amount=Decimal("12.10"), reason="Canceled"
    )
    return {"discounted": discounted, "refunded": refunded, "canceled": canceled}


def test_orders_with_fees_discounts_and_refunds_pass(run, money_orders):
    result = run("check_orders", verbosity=0)

    assert result.stdout == "Checked 3 orders: no problems.\n"


def _corrupt(which, orders):
    order = orders[which]
    return {
        "discount": lambda: OrderDiscount.objects.filter(order=order).update(value=Decimal("20")),
        "payment_gone": lambda: Payment.objects.filter(order=order).delete(),
        "refund_row": lambda: Refund.objects.filter(order=order).update(amount=Decimal("1")),
        "refunded_column": lambda: Order.objects.filter(pk=order.pk).update(refunded=0),
        "fee_without_method": lambda: Order.objects.filter(pk=order.pk).update(shipping=None),
        "date_paid": lambda: Order.objects.filter(pk=order.pk).update(date_paid=None),
        "discount_line": lambda: OrderItem.objects.filter(order=order, kind="discount").update(
            unit_price_final=Decimal("-50"), unit_price_base=Decimal("-41.32")
        ),
        "precision": lambda: OrderItem.objects.filter(order=order, name="Article 0").update(
            unit_price_final=Decimal("12.105")
        ),
        "over_refund": lambda: PaymentFactory(order=order, kind="refund", amount=Decimal("-100")),
    }


@pytest.mark.parametrize(
    ("which", "corruption", "problem"),
    [
        (
            "discounted",
            "discount",
            "discount lines add up to -3.63 but a 20 % discount of 36.30 is -7.26",
        ),
        ("discounted", "payment_gone", "paid is 20.00 but its payments add up to 0.00"),
        (
            "refunded",
            "refund_row",
            "its refunds add up to 1.00 but its refund payments to 13.10",
        ),
        (
            "refunded",
            "refunded_column",
            "refunded is 0.00 but its refund payments add up to 13.10",
        ),
        ("discounted", "fee_without_method", "has a shipping fee line but no shipping method"),
        ("canceled", "date_paid", "paid 0.0000 but has no date_paid"),
        ("discounted", "discount_line", "lines at 21 % VAT come to -8.80 below 0"),
        ("refunded", "precision", "lines at 21 % VAT come to 41.205, finer than EUR allows"),
        ("canceled", "over_refund", "refunded 112.10 of only 12.10 paid in"),
    ],
)
def test_finds_broken_money(run_failing, money_orders, which, corruption, problem):
    _corrupt(which, money_orders)[corruption]()

    result = run_failing("check_orders", verbosity=0)

    order = money_orders[which]
    assert f"Order {order.pk}: {problem}\n" in result.stdout
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {f"Order {order.pk}"}


# --- parcels ------------------------------------------------------------------------------


@pytest.fixture
def parcel_orders(actor):
    """An order shipped in two parcels (one delivered), one partly sent with a parcel
    returned to sender and a packed one, and one without products sent as a whole."""
    split = order_with_items(items=2)  # Article 0 x 1, Article 1 x 2
    first, second = split.items.order_by("id")
    one = services.shipment_create(order_id=split.pk, actor=actor, lines=[(first.pk, 1)])
    services.shipment_mark_sent(order_id=split.pk, shipment_id=one.pk, actor=actor)
    services.order_mark_sent(order_id=split.pk, actor=actor)
    services.shipment_mark_delivered(order_id=split.pk, shipment_id=one.pk, actor=actor)
    partial = order_with_items(items=2)
    first, second = partial.items.order_by("id")
    back = services.shipment_create(order_id=partial.pk, actor=actor, lines=[(second.pk, 2)])
    services.shipment_mark_sent(order_id=partial.pk, shipment_id=back.pk, actor=actor)
    services.shipment_mark_returned(order_id=partial.pk, shipment_id=back.pk, actor=actor)
    gone = services.shipment_create(order_id=partial.pk, actor=actor, lines=[(first.pk, 1)])
    services.shipment_mark_sent(order_id=partial.pk, shipment_id=gone.pk, actor=actor)
    services.shipment_create(order_id=partial.pk, actor=actor, lines=[(second.pk, 1)])
    whole = order_with_items(items=0)
    services.order_mark_sent(order_id=whole.pk, actor=actor)
    return {"split": split, "partial": partial, "whole": whole}


def test_orders_with_parcels_pass(run, parcel_orders):
    assert Order.objects.get(pk=parcel_orders["split"].pk).shipping_state == "partially_delivered"
    assert Order.objects.get(pk=parcel_orders["partial"].pk).shipping_state == "partially_sent"

    result = run("check_orders", verbosity=0)

    assert result.stdout == "Checked 3 orders: no problems.\n"


def _corrupt_parcels(order):
    second = order.items.order_by("id").last()
    return {
        "shipped_count": lambda: OrderItem.objects.filter(pk=second.pk).update(shipped_count=2),
        "line_count": lambda: ShipmentLine.objects.filter(
            item=second, shipment__state="packed"
        ).update(count=2),
        "state": lambda: Order.objects.filter(pk=order.pk).update(shipping_state="sent"),
        "returned_counted": lambda: Shipment.objects.filter(order=order, state="returned").update(
            state="sent"
        ),
        "empty": lambda: ShipmentLine.objects.filter(shipment__order=order, item=second).delete(),
        "fee_shipped": lambda: OrderItem.objects.filter(pk=second.pk).update(
            kind="shipping", shipped_count=0
        ),
        "over_count": lambda: _without_check(
            "item_shipped_within_count",
            lambda: OrderItem.objects.filter(pk=second.pk).update(count=1),
        ),
    }


def _without_check(constraint: str, change) -> None:
    """Plant what a database constraint refuses (as an older database or a manual edit
    could hold): the constraint is off for this change only (or, on PostgreSQL, dropped
    in the test's transaction, which rolls back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = 1")
            try:
                change()
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = 0")
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"ALTER TABLE orders_orderitem DROP CONSTRAINT {constraint}")
            change()


@pytest.mark.parametrize(
    ("which", "corruption", "problems"),
    [
        (
            "partial",
            "shipped_count",
            ["item {second} has shipped_count 2 but its parcels not returned to sender hold 1"],
        ),
        (
            "partial",
            "line_count",
            ["item {second} has shipped_count 1 but its parcels not returned to sender hold 2"],
        ),
        ("partial", "state", ["shipping state is sent but its parcels say partially_sent"]),
        (
            "partial",
            "returned_counted",
            [
                "item {second} has shipped_count 1 but its parcels not returned to sender hold 3",
                "shipping state is partially_sent but its parcels say sent",
            ],
        ),
        ("split", "state", ["shipping state is sent but its parcels say partially_delivered"]),
        ("split", "over_count", ["item {second} has shipped_count 2 of only 1"]),
        (
            "split",
            "empty",
            [
                "item {second} has shipped_count 2 but its parcels not returned to sender hold 0",
                "parcel {parcel} holds nothing",
            ],
        ),
        ("partial", "fee_shipped", ["item {second} is a shipping line but in parcels"]),
    ],
)
def test_finds_broken_parcels(run_failing, parcel_orders, which, corruption, problems):
    order = parcel_orders[which]
    second = order.items.order_by("id").last()
    parcel = ShipmentLine.objects.filter(item=second).order_by("id").last().shipment_id
    _corrupt_parcels(order)[corruption]()

    result = run_failing("check_orders", verbosity=0)

    for problem in problems:
        expected = problem.format(second=second.pk, parcel=parcel)
        assert f"Order {order.pk}: {expected}\n" in result.stdout
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {f"Order {order.pk}"}


@pytest.mark.postgres
def test_finds_order_counters_that_differ_from_the_orders(run_failing, orders_in_every_state):
    new = orders_in_every_state["new"]
    # Written behind the triggers' back: the counters no longer match the orders.
    OrderCountFactory(
        channel_id=new.channel_id,
        company_id=new.company_id,
        status_id=new.status_id,
        closing_state=new.closing_state,
        orders=2,
    )

    result = run_failing("check_orders", verbosity=0)

    assert result.stdout == (
        f"Order counters: channel {new.channel_id}, company {new.company_id}, status "
        f"{new.status_id}, open: 1 orders, the counters say 3\n"
    )
    assert str(result.error) == "1 order counters differ from the orders."
