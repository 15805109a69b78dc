"""A real Celery worker on the real Redis broker delivers a status change: a signed
webhook at a local receiver and an e-mail through the console backend.

The worker is a subprocess, so it must see the test's data:
- PostgreSQL: the test database itself (this test commits: transactional_db).
- SQLite: the test database lives in this process's memory, so the committed data is
  copied into a file the worker opens (sqlite3's backup API); the worker's results are
  read back from that file.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app as celery_app
from notifications import webhooks
from orders import services
from tests.factories import (
    OrderStatusFactory,
    StatusNotificationFactory,
    WebhookSubscriptionFactory,
    order_with_items,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BROKER = "redis://127.0.0.1:6379/15"  # a database of its own: no stray worker takes our tasks
QUEUE = "celery"


@pytest.fixture
def broker(settings):
    import redis

    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (needed by integration tests)")
    client.flushdb()
    settings.CELERY_BROKER_URL = BROKER
    old = celery_app.conf.broker_url
    celery_app.conf.broker_url = BROKER
    yield client
    celery_app.conf.broker_url = old
    celery_app.pool.force_close_all()
    client.flushdb()


def worker_database_url(tmp_path: Path) -> str:
    """A DATABASE_URL the worker can open holding what this test committed."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return (
            f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def delivery_states(database_url: str) -> list[tuple[str, str]]:
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute("SELECT kind, state FROM notifications_delivery").fetchall()
        return sorted(rows)
    from notifications.models import Delivery

    return sorted(Delivery.objects.values_list("kind", "state"))


def wait_until(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_delivers_a_status_change(broker, receiver, actor, tmp_path):
    shipped = OrderStatusFactory(name="Shipped")
    StatusNotificationFactory(status=shipped)  # e-mail to the customer
    WebhookSubscriptionFactory(
        url=receiver.url, secret="integration", events=["order.status_changed"]
    )
    order = order_with_items(email="jana@mail.example", name="Jana")

    # The commit wakes delivery up: a task is waiting on the broker.
    services.order_status_assign(order_id=order.pk, status_id=shipped.pk, actor=actor)
    assert broker.llen(QUEUE) >= 1

    database_url = worker_database_url(tmp_path)
    log = tmp_path / "worker.log"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-mingle", "--without-gossip", "-Q", QUEUE],
            cwd=django_settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            delivered = wait_until(lambda: receiver.requests, timeout=30)
            settled = wait_until(
                lambda: (
                    delivery_states(database_url)
                    == [("email", "succeeded"), ("webhook", "succeeded")]
                ),
                timeout=15,
            )
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(5)
    output = log.read_text()

    assert delivered, output[-3000:]
    [request] = receiver.requests
    assert webhooks.verify("integration", request.headers, request.body)
    assert request.json["type"] == "order.status_changed"
    assert request.json["order_id"] == order.pk
    assert settled, delivery_states(database_url)
    # The console e-mail backend wrote the customer's mail to the worker's output.
    assert f"Subject: Order {order.pk} is now Shipped" in output
    assert "To: jana@mail.example" in output
    assert "notifications.deliver_events" in output
