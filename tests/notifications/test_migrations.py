"""Moving webhooks and deliveries from `statuses` to `notifications` keeps every row.

The database is taken back to before the move (statuses/0004), filled through the models
as they were then, and migrated forward; then back again and forward once more.
"""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import (
    Delivery,
    DeliveryAttempt,
    OutboxCursor,
    StatusNotification,
    WebhookSubscription,
)

BEFORE_THE_MOVE = ("statuses", "0004_email_body_help")
TABLES = [
    "webhooksubscription",
    "statusnotification",
    "delivery",
    "deliveryattempt",
    "outboxcursor",
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader that sees what is applied now


def latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def historical_apps(executor: MigrationExecutor):
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.fixture
def before_the_move():
    executor = migrate([BEFORE_THE_MOVE])
    yield historical_apps(executor)
    migrate(latest())  # the rest of the suite runs on the current schema


@pytest.mark.django_db(transaction=True)
def test_rows_and_permissions_survive_the_move(before_the_move):
    # given: notifications in the old statuses_* tables, and a permission on them
    old = before_the_move
    assert {f"statuses_{t}" for t in TABLES} <= tables()
    assert not {f"notifications_{t}" for t in TABLES} & tables()
    status = old.get_model("statuses", "OrderStatus").objects.create(name="Shipped")
    order = old.get_model("orders", "Order").objects.create(email="jana@mail.example")
    event = old.get_model("orders", "OrderEvent").objects.create(
        order=order, type="order.status_changed", payload={"status_id": status.pk}
    )
    subscription = old.get_model("statuses", "WebhookSubscription").objects.create(
        name="Warehouse", url="https://wh.example/hook", secret="s3cret", events=["order.paid"]
    )
    note = old.get_model("statuses", "StatusNotification").objects.create(
        status=status, email_subject="Order {{ order.id }} shipped", webhook_secret="n0te"
    )
    delivery = old.get_model("statuses", "Delivery").objects.create(
        event=event,
        order_id=order.pk,
        kind="webhook",
        target=f"sub:{subscription.pk}",
        subscription=subscription,
        state="failed",
        attempts=3,
        last_response_code=500,
    )
    email = old.get_model("statuses", "Delivery").objects.create(
        event=event, order_id=order.pk, kind="email", target=f"notify:{note.pk}:email",
        notification=note, state="succeeded",
    )  # fmt: skip
    old.get_model("statuses", "DeliveryAttempt").objects.create(
        delivery=delivery, number=1, started_at=timezone.now(), response_code=500, error="boom"
    )
    old.get_model("statuses", "OutboxCursor").objects.create(
        name="deliveries", txid=0, event_id=event.pk
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    redeliver = old.get_model("auth", "Permission").objects.get(
        content_type=ContentType.objects.get(app_label="statuses", model="delivery"),
        codename="change_delivery",
    )
    staff = User.objects.create(username="ops", is_staff=True)
    staff.user_permissions.add(redeliver.pk)

    # when: migrated to the current schema
    migrate(latest())

    # then: the same rows under the new tables, relations intact
    assert {f"notifications_{t}" for t in TABLES} <= tables()
    assert not {f"statuses_{t}" for t in TABLES} & tables()
    moved = Delivery.objects.select_related("subscription", "event").get(pk=delivery.pk)
    assert (moved.state, moved.attempts, moved.last_response_code) == ("failed", 3, 500)
    assert moved.subscription.secret == "s3cret"
    assert moved.event.order_id == order.pk
    assert Delivery.objects.get(pk=email.pk).notification.status.name == "Shipped"
    assert StatusNotification.objects.get(pk=note.pk).webhook_secret == "n0te"
    assert WebhookSubscription.objects.get(pk=subscription.pk).events == ["order.paid"]
    assert DeliveryAttempt.objects.get(delivery=moved).error == "boom"
    assert OutboxCursor.objects.get(name="deliveries").event_id == event.pk
    # the permission given before the move still allows "Redeliver"
    assert User.objects.get(pk=staff.pk).has_perm("notifications.change_delivery")
    # new rows get new ids (the tables' sequences came along)
    again = Delivery.objects.create(
        event_id=event.pk, order_id=order.pk, kind="webhook", target="sub:999"
    )
    assert again.pk > email.pk

    # and back: the rows return to the old tables
    old = historical_apps(migrate([BEFORE_THE_MOVE]))
    assert {f"statuses_{t}" for t in TABLES} <= tables()
    assert old.get_model("statuses", "Delivery").objects.count() == 3
    assert old.get_model("statuses", "DeliveryAttempt").objects.get().error == "boom"
    assert User.objects.get(pk=staff.pk).has_perm("statuses.change_delivery")
