"""Webhooks, status notifications, deliveries and the outbox cursor, moved here from the
`statuses` app (issue 13) with their data.

1. The models enter this app's state on the tables they have (statuses/0003 made them;
   statuses/0005 took them out of that app's state): nothing is created.
2. Their tables are renamed to this app's names (statuses_delivery -> notifications_delivery,
   ...). A rename keeps every row, id, index and foreign key; it is a change of the catalog
   only, so it takes a moment whatever the size of the delivery log. Renaming rather than
   pinning `db_table` to the old names keeps the schema reading like the code, with no
   `db_table` exceptions for the next reader to wonder about. The price: processes of the
   previous release that still run (a Celery worker, `deliver_events`) fail on the old
   table names until restarted with this release; the outbox keeps every event, so they
   catch up then.
3. Their content types move from app "statuses" to "notifications", so permissions given
   to users and groups (e.g. change_delivery, which allows "Redeliver") and the admin's
   log entries stay attached.
Backwards, all of it is undone in reverse order.
"""

import django.db.models.deletion
from django.db import migrations, models

import notifications.models

MODELS = [
    "webhooksubscription",
    "statusnotification",
    "delivery",
    "deliveryattempt",
    "outboxcursor",
    "emittedevent",
]
TABLES = [m for m in MODELS if m != "emittedevent"]  # a proxy: no table


def move_content_types(apps, schema_editor, *, source="statuses", target="notifications"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=target, model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    # A fresh database has none yet (Django makes them after migrating); an existing one
    # has them under "statuses". One already under the target is left alone.
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(
        app_label=target
    )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="notifications", target="statuses")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0005_customer_email_lower_index"),
        ("statuses", "0005_notifications_moved_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxCursor",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=50, unique=True)),
                        ("txid", models.BigIntegerField(default=0)),
                        ("event_id", models.BigIntegerField(default=0)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={"db_table": "statuses_outboxcursor"},
                ),
                migrations.CreateModel(
                    name="WebhookSubscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="Who receives it, e.g. 'Warehouse'.", max_length=200
                            ),
                        ),
                        (
                            "url",
                            models.URLField(
                                help_text="The events are POSTed here as JSON.", max_length=500
                            ),
                        ),
                        (
                            "secret",
                            models.CharField(
                                default=notifications.models.new_secret,
                                help_text="Shared with the receiver; each delivery is signed with HMAC-SHA256 of it.",
                                max_length=200,
                            ),
                        ),
                        (
                            "events",
                            models.JSONField(default=list, help_text="The event types it wants."),
                        ),
                        ("active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "statuses_webhooksubscription",
                        "verbose_name": "webhook subscription",
                        "ordering": ["name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="EmittedEvent",
                    fields=[],
                    options={
                        "verbose_name": "emitted event",
                        "ordering": ["-id"],
                        "proxy": True,
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("orders.orderevent",),
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("order_id", models.BigIntegerField(db_index=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("webhook", "Webhook"), ("email", "E-mail")], max_length=10
                            ),
                        ),
                        ("target", models.CharField(max_length=50)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_response_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "event",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="orders.orderevent",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "statuses_delivery",
                        "verbose_name_plural": "deliveries",
                        "ordering": ["-id"],
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("started_at", models.DateTimeField()),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        ("response_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("error", models.TextField(blank=True)),
                        ("succeeded", models.BooleanField(default=False)),
                        (
                            "delivery",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempt_log",
                                to="notifications.delivery",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "statuses_deliveryattempt",
                        "ordering": ["delivery", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="StatusNotification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "send_email",
                            models.BooleanField(
                                default=True, help_text="E-mail the order's customer."
                            ),
                        ),
                        (
                            "email_subject",
                            models.CharField(
                                blank=True,
                                help_text="A template, e.g. 'Order {{ order.id }} is {{ status.name }}'.",
                                max_length=300,
                            ),
                        ),
                        (
                            "email_body",
                            models.TextField(
                                blank=True,
                                help_text="A plain-text template with `order`, `status`, `money` (the total, formatted) and `order_url` (the customer's order page).",
                            ),
                        ),
                        ("webhook_url", models.URLField(blank=True, max_length=500)),
                        (
                            "webhook_secret",
                            models.CharField(
                                blank=True, default=notifications.models.new_secret, max_length=200
                            ),
                        ),
                        ("active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "status",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="statuses.orderstatus",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "statuses_statusnotification",
                        "verbose_name": "status notification",
                        "ordering": ["status", "id"],
                    },
                ),
                migrations.AddField(
                    model_name="delivery",
                    name="notification",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="notifications.statusnotification",
                    ),
                ),
                migrations.AddField(
                    model_name="delivery",
                    name="subscription",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="notifications.webhooksubscription",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["state", "next_attempt_at"], name="delivery_due_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["target", "order_id", "state"], name="delivery_order_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="delivery",
                    constraint=models.UniqueConstraint(
                        fields=("event", "target"), name="delivery_once_per_target"
                    ),
                ),
            ],
            database_operations=[],
        ),
        *(migrations.AlterModelTable(name=model, table=None) for model in TABLES),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
