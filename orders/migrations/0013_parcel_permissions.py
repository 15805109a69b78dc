"""The staff groups' permissions on parcels: Order managers may do everything (packing a
parcel needs `orders.add_shipment`, moving or canceling one `orders.change_shipment`),
Support may read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["shipment", "shipmentline"]
GROUPS = {
    "Order managers": [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")
    ],
    "Support": [f"view_{model}" for model in MODELS],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("orders")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="orders", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {code for codes in GROUPS.values() for code in codes}
    permissions = Permission.objects.filter(
        content_type__app_label="orders", codename__in=codenames
    )
    for group in Group.objects.filter(name__in=list(GROUPS)):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("orders", "0012_waiting_count_from_parcels")]
    operations = [migrations.RunPython(grant, revoke)]
