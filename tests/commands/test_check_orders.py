from decimal import Decimal

import pytest

from orders import services
from orders.models import HistoryRecord, Order
from tests.factories import order_with_items

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
