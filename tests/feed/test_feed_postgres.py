"""The feed's ordering claim on PostgreSQL, with real concurrent transactions: an event
whose transaction commits late is never skipped by a reader that already moved on."""

import threading
import time

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from orders import services
from orders.actors import Actor
from orders.api_keys import create_api_key
from orders.models import OrderEvent
from tests.factories import order_with_items

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/System/Orders/Events"


class HeldTransaction:
    """Runs `work` in its own thread and transaction, and commits only when told."""

    def __init__(self, work):
        self.work, self.result = work, None
        self.done_work, self.commit, self.finished = (threading.Event() for _ in range(3))
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with transaction.atomic():
                self.result = self.work()
                self.done_work.set()
                self.commit.wait(60)
        finally:
            connections.close_all()
            self.finished.set()

    def start(self):
        self.thread.start()
        assert self.done_work.wait(10)
        return self

    def finish(self):
        self.commit.set()
        self.thread.join(10)


def eventually(read, timeout=30.0):
    """The feed's next non-empty answer. Transaction ids are cluster-wide, so a transaction
    open in ANOTHER database of the server (parallel test runs) also holds the feed back
    for a moment; it waits, it never skips."""
    deadline = time.monotonic() + timeout
    while True:
        seen, cursor = read()
        if seen or time.monotonic() > deadline:
            return seen, cursor
        time.sleep(0.1)


@pytest.fixture
def feed():
    _, plain = create_api_key(name="Integrator")
    client = APIClient()
    client.credentials(HTTP_TOKEN=plain)

    def read(after=None):
        body = client.get(URL, {"after": after} if after else {}).json()
        return [(e["type"], e["order_id"]) for e in body["events"]], body["next_cursor"]

    return read


def caught_up(feed) -> str:
    """The cursor after every event committed so far (waiting out other databases'
    transactions, see eventually)."""
    last = OrderEvent.objects.latest("id")
    deadline = time.monotonic() + 30
    cursor = None
    while time.monotonic() < deadline:
        _, cursor = feed(cursor)
        if cursor and int(cursor.split("-")[1]) >= last.pk:
            return cursor
        time.sleep(0.1)
    raise AssertionError("the feed never caught up")


def note(order_id):
    def work():
        services.order_history_add(
            order_id=order_id, actor=Actor.for_command("t"), type="note", name=f"on {order_id}"
        )
        return order_id

    return work


def test_a_lower_id_that_commits_later_is_not_skipped(feed):
    a, b = order_with_items(), order_with_items()
    cursor = caught_up(feed)

    slow = HeldTransaction(note(a.pk)).start()  # takes the lower event id, stays open
    fast = HeldTransaction(note(b.pk)).start()  # higher id, commits first
    fast.finish()

    seen, cursor = feed(cursor)
    # b's event committed, but a transaction that started before it is still open: wait.
    assert seen == []

    slow.finish()
    seen, cursor = eventually(lambda: feed(cursor))
    if len(seen) == 1:  # a transaction open in another database held b back a moment longer
        more, cursor = eventually(lambda: feed(cursor))
        seen += more
    assert seen == [("order.history_added", a.pk), ("order.history_added", b.pk)]
    assert feed(cursor)[0] == []


def test_an_event_served_early_is_not_overtaken_by_an_older_transaction(feed):
    a, b = order_with_items(), order_with_items()
    cursor = caught_up(feed)

    def b_writes_first_then_emits():
        # b's transaction takes its id first (a write without an event), emits later.
        create_api_key(name="takes a transaction id")
        b_has_id.set()
        b_ready.wait(10)
        return note(b.pk)()

    b_has_id, b_ready = threading.Event(), threading.Event()
    early = HeldTransaction(b_writes_first_then_emits)
    early.thread.start()
    assert b_has_id.wait(10)
    later = HeldTransaction(note(a.pk)).start()  # a newer transaction, lower event id
    b_ready.set()
    assert early.done_work.wait(10)
    early.finish()  # b (older transaction, higher event id) commits

    seen, cursor = eventually(lambda: feed(cursor))
    assert seen == [("order.history_added", b.pk)]  # older than every running transaction

    later.finish()
    seen, cursor = eventually(lambda: feed(cursor))
    assert seen == [("order.history_added", a.pk)]  # after the cursor, not behind it
