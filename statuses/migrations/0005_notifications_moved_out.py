"""Webhooks, status notifications, deliveries and the outbox cursor leave this app for the
`notifications` app (issue 13).

State only: the models leave this app's state here and enter the notifications app's in
notifications/0001_initial, which renames their tables (statuses_* -> notifications_*) and
moves their content types, so rows and permissions stay. Nothing happens to the database
in this migration.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("statuses", "0004_email_body_help")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Those that point at others first.
                migrations.DeleteModel(name="DeliveryAttempt"),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="StatusNotification"),
                migrations.DeleteModel(name="WebhookSubscription"),
                migrations.DeleteModel(name="OutboxCursor"),
                migrations.DeleteModel(name="EmittedEvent"),
            ],
            database_operations=[],
        ),
    ]
