"""Data migrations, run forwards on rows made in the schema before them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

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


def test_sent_orders_get_their_parcel_and_orders_without_products_none():
    """0010 gives a sent order the parcel its flags stood for; 0012 takes away the empty
    one it gave an order without product lines (sent as a whole)."""
    apps = migrate([("orders", "0009_parcels_and_returns")])
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    Shipper = apps.get_model("orders", "Shipper")
    Tracking = apps.get_model("orders", "Tracking")
    now = timezone.now()
    shipped = Order.objects.create(hash="a", shipping_state="sent", date_sent=now)
    price = {"unit_price_base": Decimal("10"), "unit_price_final": Decimal("12.10")}
    mug = OrderItem.objects.create(
        order=shipped, name="Mug", count=2, vat=Decimal("21"), waiting_count=0, **price
    )
    OrderItem.objects.create(
        order=shipped, kind="shipping", name="Courier", count=1, vat=Decimal("21"), **price
    )
    tracking = Tracking.objects.create(
        order=shipped, shipper=Shipper.objects.create(name="PPL"), tracking_number="T1"
    )
    fees_only = Order.objects.create(hash="b", shipping_state="sent", date_sent=now)
    Order.objects.create(hash="c")  # not sent: no parcel

    apps = migrate([("orders", "0012_waiting_count_from_parcels")])
    try:
        Shipment = apps.get_model("orders", "Shipment")
        parcel = Shipment.objects.get()
        assert (parcel.order_id, parcel.state, parcel.tracking_id) == (
            shipped.pk,
            "sent",
            tracking.pk,
        )
        assert [(line.item_id, line.count) for line in parcel.lines.all()] == [(mug.pk, 2)]
        items = apps.get_model("orders", "OrderItem").objects.order_by("id")
        assert [(i.kind, i.shipped_count) for i in items] == [("product", 2), ("shipping", 0)]
        assert not Shipment.objects.filter(order_id=fees_only.pk).exists()
    finally:
        migrate(executor_leaf())
