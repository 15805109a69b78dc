"""Existing orders get the parcels their whole-order flags stood for, so shipped and
returned counts, and check_orders, hold for old orders too:
- a sent or delivered order: one parcel with every unit of its product lines (sent or
  delivered, on the order's dates), holding its first tracking number;
- a refund that marked products returned: a return in state refunded with those units."""

from django.db import migrations
from django.db.models import F

BATCH = 1000


def make_parcels(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderItem = apps.get_model("orders", "OrderItem")
    Shipment = apps.get_model("orders", "Shipment")
    ShipmentLine = apps.get_model("orders", "ShipmentLine")
    Tracking = apps.get_model("orders", "Tracking")
    Refund = apps.get_model("orders", "Refund")
    Return = apps.get_model("orders", "Return")
    ReturnLine = apps.get_model("orders", "ReturnLine")
    sent = Order.objects.filter(shipping_state__in=["sent", "delivered"]).order_by("pk")
    for order in sent.iterator(chunk_size=BATCH):
        delivered = order.shipping_state == "delivered"
        when = order.date_sent or order.updated_at
        shipment = Shipment.objects.create(
            order=order,
            state="delivered" if delivered else "sent",
            tracking=Tracking.objects.filter(order=order).order_by("id").first(),
            weight=order.weight,
            date_sent=when,
            date_delivered=order.date_delivered if delivered else None,
            actor="migration",
            source="system",
            created_at=when,
        )
        items = OrderItem.objects.filter(order=order, kind="product")
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, item_id=item.pk, count=item.count) for item in items
        )
        items.update(shipped_count=F("count"))
    for refund in Refund.objects.filter(mark_returned=True).order_by("pk").iterator():
        lines = [line for line in refund.lines.all() if line.item.kind == "product"]
        if not lines:
            continue
        goods_return = Return.objects.create(
            order_id=refund.order_id,
            state="refunded",
            reason=refund.reason,
            refund=refund,
            date_received=refund.created_at,
            date_refunded=refund.created_at,
            actor="migration",
            source="system",
            created_at=refund.created_at,
        )
        ReturnLine.objects.bulk_create(
            ReturnLine(goods_return=goods_return, item_id=line.item_id, count=line.count)
            for line in lines
        )


def forget_them(apps, schema_editor):
    apps.get_model("orders", "Return").objects.filter(actor="migration").delete()
    apps.get_model("orders", "Shipment").objects.filter(actor="migration").delete()
    apps.get_model("orders", "OrderItem").objects.update(shipped_count=0)


class Migration(migrations.Migration):
    dependencies = [("orders", "0009_parcels_and_returns")]
    operations = [migrations.RunPython(make_parcels, forget_them)]
