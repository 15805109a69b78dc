"""Data migrations, run forwards on rows made in the schema before them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orders", "0006_money")]
AFTER = [("orders", "0007_payments_of_existing_orders")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_order_with_something_paid_gets_one_payment_of_that_amount():
    apps = migrate(BEFORE)
    Order = apps.get_model("orders", "Order")
    paid = Order.objects.create(
        paid=Decimal("36.30"),
        money=Decimal("36.30"),
        external_payment_id="GP-1",
        payment_status="PAID",
        hash="a",
    )
    Order.objects.create(hash="b")  # nothing paid: no payment

    apps = migrate(AFTER)
    try:
        Payment = apps.get_model("orders", "Payment")
        payment = Payment.objects.get()
        assert (payment.order_id, payment.amount, payment.kind, payment.status) == (
            paid.pk,
            Decimal("36.30"),
            "payment",
            "success",
        )
        assert (payment.external_id, payment.gateway_status, payment.currency_code) == (
            "GP-1",
            "PAID",
            "EUR",
        )
    finally:
        migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
