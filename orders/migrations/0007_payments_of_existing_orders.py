"""Every existing order with something paid gets one payment record of that amount, so
`paid` equals the sum of its payments for old orders too (checked by check_orders)."""

from django.db import migrations

BATCH = 2000


def record_paid_amounts(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Payment = apps.get_model("orders", "Payment")
    orders = (
        Order.objects.filter(paid__gt=0)
        .order_by("pk")
        .values(
            "pk",
            "paid",
            "order_currency_code",
            "payment_id",
            "external_payment_id",
            "external_payment_url",
            "payment_status",
            "date_paid",
            "updated_at",
        )
    )
    batch = []
    for order in orders.iterator(chunk_size=BATCH):
        batch.append(
            Payment(
                order_id=order["pk"],
                kind="payment",
                status="success",
                amount=order["paid"],
                currency_code=order["order_currency_code"],
                method_id=order["payment_id"],
                external_id=order["external_payment_id"],
                url=order["external_payment_url"],
                gateway_status=order["payment_status"],
                reason="Paid before the payments ledger existed.",
                actor="migration",
                source="system",
                created_at=order["date_paid"] or order["updated_at"],
            )
        )
        if len(batch) == BATCH:
            Payment.objects.bulk_create(batch)
            batch = []
    Payment.objects.bulk_create(batch)


def forget_them(apps, schema_editor):
    apps.get_model("orders", "Payment").objects.filter(actor="migration").delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_money")]
    operations = [migrations.RunPython(record_paid_amounts, forget_them)]
