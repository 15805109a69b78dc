"""The staff groups' permissions on invoices: Order managers read every document and issue
invoices (`add_invoice`, the order page's button) and read the sellers' invoicing settings;
Support reads the documents. Nobody changes or deletes an issued document."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Order managers": [
        "view_invoice",
        "add_invoice",
        "view_invoiceline",
        "view_invoicesettings",
    ],
    "Support": ["view_invoice", "view_invoiceline"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("invoices")
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
            *Permission.objects.filter(content_type__app_label="invoices", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {code for codes in GROUPS.values() for code in codes}
    permissions = Permission.objects.filter(
        content_type__app_label="invoices", codename__in=codenames
    )
    for group in Group.objects.filter(name__in=list(GROUPS)):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial"), ("orders", "0003_staff_groups")]
    operations = [migrations.RunPython(grant, revoke)]
