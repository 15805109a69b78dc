from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import HistoryRecord, Order
from tests.factories import order_with_items

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def days_ago(monkeypatch, actor):
    """Make orders as if their services ran N days ago (the clock is the only thing moved)."""

    def make(days: int, *, paid: Decimal | None = None, delivered=True, done=False) -> Order:
        monkeypatch.setattr(timezone, "now", lambda: NOW - timedelta(days=days))
        order = order_with_items(items=1)
        services.order_mark_paid(order_id=order.pk, actor=actor, amount=paid)
        services.order_mark_sent(order_id=order.pk, actor=actor)
        if delivered:
            services.order_mark_delivered(order_id=order.pk, actor=actor)
        if done:
            services.order_mark_done(order_id=order.pk, actor=actor)
        monkeypatch.setattr(timezone, "now", lambda: NOW)
        return order

    return make


def test_closes_exactly_the_delivered_paid_open_orders_older_than_n_days(run, days_ago):
    old_paid = days_ago(10)
    old_paid_too = days_ago(8)
    recent = days_ago(6)
    partially_paid = days_ago(10, paid=Decimal("1.00"))
    only_sent = days_ago(10, delivered=False)
    already_done = days_ago(10, done=True)

    result = run("close_delivered_orders", "--after-days", "7", verbosity=0)

    assert result.stdout == "Closed 2 orders.\n"
    done = set(Order.objects.filter(closing_state="done").values_list("pk", flat=True))
    assert done == {old_paid.pk, old_paid_too.pk, already_done.pk}
    for untouched in (recent, partially_paid, only_sent):
        assert Order.objects.get(pk=untouched.pk).closing_state == "open"
    record = HistoryRecord.objects.get(order=old_paid, name="Order completed")
    assert (record.actor, record.source) == ("close_delivered_orders", "command")


def test_an_order_refunded_after_payment_is_closed_one_still_owing_is_not(run, days_ago, actor):
    returned = days_ago(10)  # paid in full, then a unit came back and was refunded
    services.order_refund(order_id=returned.pk, actor=actor, amount=Decimal("1.00"), reason="x")
    owing = days_ago(10, paid=Decimal("5.00"))  # paid in part, and some of that refunded
    services.order_refund(order_id=owing.pk, actor=actor, amount=Decimal("1.00"), reason="x")
    assert Order.objects.get(pk=owing.pk).payment_state == "partially_refunded"

    result = run("close_delivered_orders", "--after-days", "7", verbosity=0)

    assert result.stdout == "Closed 1 order.\n"
    assert Order.objects.get(pk=returned.pk).closing_state == "done"
    assert Order.objects.get(pk=owing.pk).closing_state == "open"


def test_dry_run_lists_the_orders_and_changes_nothing(run, days_ago):
    old = days_ago(10)
    days_ago(3)

    result = run("close_delivered_orders", "--after-days", "7", "--dry-run")

    day = (NOW - timedelta(days=10)).date().isoformat()
    assert result.stdout.splitlines() == [
        f"Order {old.pk}: delivered {day}, paid 12.10 EUR",
        "1 order would be closed (dry run, nothing changed).",
    ]
    assert not Order.objects.filter(closing_state="done").exists()


def test_zero_days_closes_every_order_delivered_before_now(run, days_ago, monkeypatch):
    order = days_ago(0)
    monkeypatch.setattr(timezone, "now", lambda: NOW + timedelta(minutes=1))

    run("close_delivered_orders", "--after-days", "0", verbosity=0)

    assert Order.objects.get(pk=order.pk).done


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "the following arguments are required: --after-days"),
        (["--after-days", "-1"], "--after-days must be 0 or more."),
        (["--after-days", "week"], "invalid int value: 'week'"),
    ],
)
def test_bad_arguments_are_refused(run_failing, args, message):
    assert message in str(run_failing("close_delivered_orders", *args).error)
