"""The staff groups' permissions on returns: Order managers may request them (add), receive
and reject them (change) and read them; refunding one also needs `orders.add_refund`, which
they have. Support may read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["return", "returnline"]
GROUPS = {
    "Order managers": [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")
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
    dependencies = [("orders", "0013_parcel_permissions")]
    operations = [migrations.RunPython(grant, revoke)]
