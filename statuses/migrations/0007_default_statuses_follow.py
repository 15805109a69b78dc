"""The default statuses (0002) follow their lifecycle events: Paid follows paid, Shipped
sent, Delivered delivered, Completed done, Canceled canceled.

A status is configured only where it is still what 0002 made (its name and flags), and
only for an event nothing follows yet, so a shop's own changes are left alone.
"""

from django.db import migrations

# name, complete_order, cancel_order, event
DEFAULT_FOLLOWS = [
    ("Paid", False, False, "paid"),
    ("Shipped", False, False, "sent"),
    ("Delivered", False, False, "delivered"),
    ("Completed", True, False, "done"),
    ("Canceled", False, True, "canceled"),
]


def configure(apps, schema_editor):
    OrderStatus = apps.get_model("statuses", "OrderStatus")
    for name, complete, cancel, event in DEFAULT_FOLLOWS:
        if OrderStatus.objects.filter(follows=event).exists():
            continue
        status = (
            OrderStatus.objects.filter(
                name=name, complete_order=complete, cancel_order=cancel, follows=""
            )
            .order_by("sort", "id")
            .first()
        )
        if status is not None:
            status.follows = event
            status.save(update_fields=["follows"])


def unconfigure(apps, schema_editor):
    OrderStatus = apps.get_model("statuses", "OrderStatus")
    for name, _complete, _cancel, event in DEFAULT_FOLLOWS:
        OrderStatus.objects.filter(name=name, follows=event).update(follows="")


class Migration(migrations.Migration):
    dependencies = [("statuses", "0006_status_follows")]
    operations = [migrations.RunPython(configure, unconfigure)]
