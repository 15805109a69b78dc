"""The demo commands make real orders that keep every invariant."""

import pytest
from django.core.management import CommandError, call_command

from orders.models import ApiKey, HistoryRecord, Order, OrderDiscount, OrderItem, Refund

pytestmark = pytest.mark.django_db


def test_seed_demo_data_makes_consistent_orders(capsys):
    call_command("seed_demo_data", orders=40, batch=15, verbosity=0)
    assert Order.objects.count() == 40
    states = set(Order.objects.values_list("closing_state", "shipping_state"))
    assert len(states) > 2  # orders at several points of their lifecycle
    assert HistoryRecord.objects.filter(type="created").count() == 40
    # The money a shop books: fees (some free above the threshold), discounts, deposits,
    # refunds of returned goods and of canceled orders.
    fees = OrderItem.objects.filter(kind__in=["shipping", "payment"])
    assert fees.filter(unit_price_final__gt=0).exists()
    assert fees.filter(unit_price_final=0, original_price_final__gt=0).exists()
    assert set(OrderDiscount.objects.values_list("type", flat=True)) == {"amount", "percent"}
    assert Order.objects.filter(payment_state="partially_paid").exists()
    assert Refund.objects.filter(order__closing_state="done", lines__isnull=False).exists()
    assert Order.objects.filter(closing_state="canceled", payment_state="refunded").exists()
    capsys.readouterr()
    call_command("check_orders")  # raises CommandError on any broken invariant
    assert capsys.readouterr().out.strip().endswith("no problems.")


def test_seed_demo_data_refuses_bad_counts():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo_data", orders=0, verbosity=0)
    assert not Order.objects.exists()


def test_setup_demo_prints_a_login_and_a_key_once(capsys, django_user_model):
    call_command("setup_demo", orders=3)
    first = capsys.readouterr().out
    call_command("setup_demo", orders=3)
    second = capsys.readouterr().out

    assert "demo / demo-orders" in first
    key_line = next(line for line in first.splitlines() if "API key" in line)
    assert "." in key_line.split()[-1]  # the plain key itself
    assert "was shown when first made" in second
    assert Order.objects.count() == 3  # the second run adds nothing
    assert ApiKey.objects.count() == 1
    assert django_user_model.objects.get(username="demo").is_staff
