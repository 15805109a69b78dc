"""Staff groups: "Order managers" run the orders, "Support" reads them and adds notes.

Permissions are created here first: on a fresh database Django makes them only after
all migrations (post_migrate), too late for this one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORDERS_MODELS = [
    "order",
    "orderitem",
    "tracking",
    "historyrecord",
    "orderevent",
    "channel",
    "customer",
    "company",
    "shipper",
    "shippingmethod",
    "paymentmethod",
    "apikey",
    "idempotencyrecord",
]
# What Support may see: the orders and everything around them, not the API keys.
SUPPORT_VIEWS = [m for m in ORDERS_MODELS if m not in ("apikey", "idempotencyrecord")]

GROUPS = {
    "Order managers": [
        *(
            f"orders.{action}_{model}"
            for model in ORDERS_MODELS
            for action in ("add", "change", "delete", "view")
        ),
        "statuses.view_orderstatus",
    ],
    "Support": [
        *(f"orders.view_{model}" for model in SUPPORT_VIEWS),
        "orders.add_historyrecord",
        "statuses.view_orderstatus",
    ],
}


def create_groups(apps, schema_editor):
    for label in ("orders", "statuses"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [code.split(".") for code in codes]
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in wanted
        ]
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_event_txid"),
        ("statuses", "0002_default_statuses"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, remove_groups)]
