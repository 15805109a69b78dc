from django.db import migrations

DEFAULTS = [
    # name, icon, color, sort, complete_order, cancel_order
    ("New", "🆕", "#0d6efd", 10, False, False),
    ("Awaiting payment", "⏳", "#fd7e14", 20, False, False),
    ("Paid", "💳", "#20c997", 30, False, False),
    ("Processing", "⚙️", "#6f42c1", 40, False, False),
    ("Shipped", "🚚", "#0dcaf0", 50, False, False),
    ("Delivered", "📦", "#198754", 60, False, False),
    ("Completed", "✅", "#146c43", 70, True, False),
    ("Canceled", "❌", "#dc3545", 80, False, True),
]


def create_defaults(apps, schema_editor):
    OrderStatus = apps.get_model("statuses", "OrderStatus")
    if OrderStatus.objects.exists():
        return
    OrderStatus.objects.bulk_create(
        OrderStatus(name=n, icon=i, color=c, sort=s, complete_order=done, cancel_order=cancel)
        for n, i, c, s, done, cancel in DEFAULTS
    )


class Migration(migrations.Migration):
    dependencies = [("statuses", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
