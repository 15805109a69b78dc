"""What a client sees through the replica router, against a real primary and a real
streaming replica (DATABASE_URL, DATABASE_REPLICA_URL). Run by test_replica.py in its own
process (Django's test databases would hide the replica); prints a JSON report.

The replica's replay is paused after the keys exist, so a read answered by the replica
cannot see what was written after that: 404 for the new order means "the replica
answered", 200 means "the primary answered".
"""

import json
import os
import time

import django


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from orders.api_keys import create_api_key
    from orders.models import ApiKey
    from tests.production.pg_replica import wait_until

    call_command("migrate", verbosity=0)
    _, writer = create_api_key(name="writer")
    _, reader = create_api_key(name="reader")
    replica = connections["replica"]

    def on_replica() -> bool:
        with replica.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM orders_apikey")
            return cursor.fetchone()[0] == ApiKey.objects.using("default").count()

    wait_until(on_replica)
    client = Client()

    def get(path: str, key: str) -> int:
        return client.get(path, HTTP_TOKEN=key).status_code

    # First uses mark the keys used (a write); let that stickiness pass.
    get("/System/Orders", writer), get("/System/Orders", reader)
    time.sleep(settings.REPLICA_STICKY_SECONDS + 0.3)

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        report = {"replica_in_recovery": cursor.fetchone()[0]}
        cursor.execute("SELECT pg_wal_replay_pause()")
    created = client.post(
        "/System/Orders",
        {"email": "jana@mail.example", "name": "Jana Nováková"},
        content_type="application/json",
        HTTP_TOKEN=writer,
    )
    order_id = created.json()["id"]
    path = f"/System/Orders/{order_id}"
    report["create"] = created.status_code
    report["writer_reads_its_write"] = get(path, writer)
    report["other_client_reads_replica"] = get(path, reader)
    feed = client.get("/System/Orders/Events", HTTP_TOKEN=reader).json()
    report["feed_reads_primary"] = any(e["order_id"] == order_id for e in feed["events"])
    time.sleep(settings.REPLICA_STICKY_SECONDS + 0.3)
    report["writer_after_window"] = get(path, writer)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    report["reader_after_replay"] = wait_until(lambda: get(path, reader) == 200 and 200)
    report["admin_reads_primary"] = _admin_sees(client, order_id)
    return report


def _admin_sees(client, order_id: int) -> bool:
    """The back office never reads the replica (staff act on what they just saw)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    user = get_user_model().objects.create_superuser("boss", "boss@shop.example", "pw-123456")
    client.force_login(user)
    status = client.get(f"/admin/orders/order/{order_id}/change/").status_code
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    return status == 200


if __name__ == "__main__":
    print(json.dumps(main()))
