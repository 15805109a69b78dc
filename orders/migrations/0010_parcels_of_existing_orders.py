"""Existing orders get the parcels their whole-order flags stood for, so shipped and
returned counts, and check_orders, hold for old orders too:
- a sent or delivered order with product lines: one parcel with every unit of them (sent
  or delivered, on the order's dates), holding its first tracking number;
- a refund that marked products returned: a return in state refunded with those units.

Set-based SQL (a statement per table, the same on PostgreSQL and SQLite): a shop with a
million orders upgrades in seconds, not in a million round trips."""

from django.db import migrations

PARCELS = """
INSERT INTO orders_shipment
    (order_id, state, tracking_id, weight, date_sent, date_delivered, date_returned,
     actor, user_id, api_key_id, source, created_at)
SELECT o.id,
       CASE WHEN o.shipping_state = 'delivered' THEN 'delivered' ELSE 'sent' END,
       (SELECT MIN(t.id) FROM orders_tracking t WHERE t.order_id = o.id),
       o.weight,
       COALESCE(o.date_sent, o.updated_at),
       CASE WHEN o.shipping_state = 'delivered' THEN o.date_delivered END,
       NULL, 'migration', NULL, NULL, 'system',
       COALESCE(o.date_sent, o.updated_at)
FROM orders_order o
WHERE o.shipping_state IN ('sent', 'delivered')
  AND EXISTS (SELECT 1 FROM orders_orderitem i WHERE i.order_id = o.id AND i.kind = 'product')
"""

PARCEL_LINES = """
INSERT INTO orders_shipmentline (shipment_id, item_id, count)
SELECT s.id, i.id, i.count
FROM orders_shipment s
JOIN orders_orderitem i ON i.order_id = s.order_id AND i.kind = 'product'
WHERE s.actor = 'migration'
"""

SHIPPED_COUNTS = """
UPDATE orders_orderitem SET shipped_count = count
WHERE kind = 'product'
  AND order_id IN (SELECT order_id FROM orders_shipment WHERE actor = 'migration')
"""

RETURNS = """
INSERT INTO orders_return
    (order_id, state, reason, refund_id, date_received, date_refunded, date_rejected,
     actor, user_id, api_key_id, source, created_at)
SELECT r.order_id, 'refunded', r.reason, r.id, r.created_at, r.created_at, NULL,
       'migration', NULL, NULL, 'system', r.created_at
FROM orders_refund r
WHERE r.mark_returned
  AND EXISTS (
      SELECT 1 FROM orders_refundline l JOIN orders_orderitem i ON i.id = l.item_id
      WHERE l.refund_id = r.id AND i.kind = 'product'
  )
"""

RETURN_LINES = """
INSERT INTO orders_returnline (goods_return_id, item_id, count)
SELECT g.id, l.item_id, l.count
FROM orders_return g
JOIN orders_refundline l ON l.refund_id = g.refund_id
JOIN orders_orderitem i ON i.id = l.item_id AND i.kind = 'product'
WHERE g.actor = 'migration'
"""


def make_parcels(apps, schema_editor):
    for statement in (PARCELS, PARCEL_LINES, SHIPPED_COUNTS, RETURNS, RETURN_LINES):
        schema_editor.execute(statement)


def forget_them(apps, schema_editor):
    apps.get_model("orders", "Return").objects.filter(actor="migration").delete()
    apps.get_model("orders", "Shipment").objects.filter(actor="migration").delete()
    apps.get_model("orders", "OrderItem").objects.update(shipped_count=0)


class Migration(migrations.Migration):
    dependencies = [("orders", "0009_parcels_and_returns")]
    operations = [migrations.RunPython(make_parcels, forget_them)]
