"""- An item's waiting_count is no longer stored: the wire's value is count - shipped_count
  for product lines (0 for fees and discounts), from the parcels (OrderItem.waiting_count).
  The stored column was never written by anything but its default and the client's input.
- 0010 gave every sent order a parcel, also one without product lines (sent as a whole):
  such a parcel holds nothing, and an empty parcel is not a parcel. It goes."""

from django.db import migrations


def drop_empty_parcels(apps, schema_editor):
    Shipment = apps.get_model("orders", "Shipment")
    Shipment.objects.filter(actor="migration", lines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("orders", "0011_channel_and_order_language")]

    operations = [
        migrations.RunPython(drop_empty_parcels, migrations.RunPython.noop),
        migrations.RemoveField(model_name="orderitem", name="waiting_count"),
    ]
