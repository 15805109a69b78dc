"""Grow a benchmark database to N orders: a sample made by the services, copied in SQL.

    .venv/bin/python -m bench.grow --orders 1000000 [--sample 300] [--batch 50000] [--check]

1. Creates the database if it is missing (`orders_bench_<N>` on 127.0.0.1, or
   BENCH_DATABASE_URL; see bench/common.py) and migrates it.
2. Seeds a sample of `--sample` orders through the services (`orders.demo`: items, payments,
   trackings, statuses, history, two channels in EUR and CZK), then gives every sample order
   that may have one a tracking number, and half of them a note, also through the services:
   about 3 items, 1 tracking and 5 history records per order, as in the issue.
3. Copies the sample in SQL (INSERT ... SELECT over generate_series) until there are N
   orders. Copy g of template t keeps t's items (fee and discount lines too), trackings,
   history, status, customer, money, version and money rows (the discount, the payments,
   the refunds and their lines, each pointing at the copy's own items and payment record),
   parcels (with their lines, pointing at the copy's own items and tracking) and returns
   (with their lines, pointing at the copy's own items and refund), and gets: id g, a new
   unguessable hash, its own external order id, payment id and tracking numbers (the
   order's second and later ones end in -1, -2, ...), and every date shifted together so
   that date_order falls somewhere
   in the three years before the sample. Outbox events are not copied (nothing read by
   the benchmark uses them; the feed serves the sample's).
4. VACUUM ANALYZE, the state autovacuum leaves a table in soon after a bulk load.

Running it again grows to the new N, or does nothing when the database has N orders.
`--check` runs `check_orders` (money = sum of the lines, VAT per rate, paid = the counting
payments, refunded <= paid in, payment state, dates, a "created" record) over every order
afterwards.
"""

import argparse
import math
import random
import secrets
import sys
import time
from datetime import timedelta

SAMPLE_SIZE = 300
BATCH = 50_000
SPREAD_SECONDS = 3 * 365 * 24 * 3600
# Copy g is placed (g * STEP mod SPREAD_SECONDS) seconds back: with STEP near the golden
# ratio of the spread (and coprime to it) consecutive ids land far apart and every
# stretch of ids covers the three years evenly, at 10,000 orders as at 1,000,000.
STEP = next(
    step
    for step in range(round(SPREAD_SECONDS * 0.6180339887), SPREAD_SECONDS)
    if math.gcd(step, SPREAD_SECONDS) == 1
)
NOTES = [
    "Customer asked for gift wrapping",
    "Customer called about the delivery date",
    "Invoice sent again on request",
    "Address confirmed by phone",
]


# --- the sample, through the services ---------------------------------------------------


def seed_sample(size: int, *, seed: int = 1, progress=None) -> list[int]:
    """Make sure the first `size` orders exist and are complete; return their ids."""
    from orders import demo
    from orders.models import Order

    missing = size - Order.objects.count()
    if missing > 0:
        demo.seed(missing, seed=seed, progress=progress)
    ids = sample_ids(size)
    complete_sample(ids)
    return ids


def sample_ids(size: int) -> list[int]:
    from orders.models import Order

    return list(Order.objects.order_by("id").values_list("id", flat=True)[:size])


def complete_sample(ids: list[int]) -> None:
    """A tracking number on every sample order that may get one, a note on about half.
    Through the services, so history and versions are what production would have."""
    from orders import services
    from orders.actors import Actor
    from orders.models import ClosingState, HistoryRecord, Order, Shipper

    actor = Actor.for_command("bench.grow")
    shippers = list(Shipper.objects.order_by("id"))
    untracked = (
        Order.objects.filter(pk__in=ids, trackings__isnull=True)
        .exclude(closing_state=ClosingState.CANCELED)
        .values_list("pk", flat=True)
    )
    for pk in untracked:
        shipper = shippers[pk % len(shippers)]
        services.order_tracking_add(
            order_id=pk,
            actor=actor,
            shipper_id=shipper.pk,
            tracking_number=f"{shipper.name}{pk:09d}",
        )
    noted = set(
        HistoryRecord.objects.filter(order_id__in=ids, type="note").values_list(
            "order_id", flat=True
        )
    )
    for pk in ids:
        rng = random.Random(pk)
        if pk not in noted and rng.random() < 0.5:
            services.order_history_add(
                order_id=pk, actor=actor, type="note", name=rng.choice(NOTES)
            )


# --- the copies, in SQL -------------------------------------------------------------------


def columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def copy_select(model, overrides: dict[str, str], alias: str) -> tuple[str, str]:
    """(column list, select list) of `model` copied from `alias`, some columns overridden;
    an override of None leaves the column to its default (the id)."""
    names, values = [], []
    for column in columns(model):
        value = overrides.get(column, f"{alias}.{column}")
        if value is not None:
            names.append(column)
            values.append(value)
    return ", ".join(names), ", ".join(values)


def _template_table(ids: list[int]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_template")
        cursor.execute(
            "CREATE TEMP TABLE bench_template AS "
            "SELECT (row_number() OVER (ORDER BY id)) - 1 AS k, id, date_order "
            "FROM orders_order WHERE id = ANY(%s)",
            [ids],
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_template (k)")
        # The rows others point at get their copies' ids from a rank (see copy_id); n is
        # the row's place in its order (a copy's second tracking number ends in -1).
        for table in RANKED:
            cursor.execute(f"DROP TABLE IF EXISTS bench_rank_{table}")
            cursor.execute(
                f"CREATE TEMP TABLE bench_rank_{table} AS "
                "SELECT x.id, (row_number() OVER (ORDER BY bt.k, x.id)) - 1 AS r, "
                "(row_number() OVER (PARTITION BY x.order_id ORDER BY x.id)) - 1 AS n "
                f"FROM orders_{table} x JOIN bench_template bt ON bt.id = x.order_id"
            )
            cursor.execute(f"ALTER TABLE bench_rank_{table} ADD PRIMARY KEY (id)")
            cursor.execute(f"ANALYZE bench_rank_{table}")
        # The sample's tracking numbers by order, for naming them in the history copies
        # (orders_tracking's index on order_id is dropped during a big copy).
        cursor.execute("DROP TABLE IF EXISTS bench_sample_tracking")
        cursor.execute(
            "CREATE TEMP TABLE bench_sample_tracking AS "
            "SELECT t.id, t.order_id, t.tracking_number, rt.n FROM orders_tracking t "
            "JOIN bench_rank_tracking rt ON rt.id = t.id"
        )
        cursor.execute("CREATE INDEX ON bench_sample_tracking (order_id, id)")
        cursor.execute("ANALYZE bench_sample_tracking")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bench_template")
        # Fresh statistics of the sample: on a new database the planner would take the
        # just-seeded tables for empty and join them by nested loops (the history copy of
        # one batch ran for over 9 minutes instead of seconds).
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


# The tables whose copies are pointed at by other copies (a refund line at its item and
# refund, a refund at its payment, a parcel at its tracking, a parcel's line at its parcel
# and item, a return at its refund, a return's line at its return and item): their
# copies' ids are computed, not drawn.
RANKED = ("orderitem", "payment", "refund", "tracking", "shipment", "return")


def ranked_ids() -> dict[str, tuple[int, int]]:
    """Per RANKED table: (the first id free for copies, how many rows the sample has)."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for table in RANKED:
            cursor.execute(
                f"SELECT (SELECT coalesce(max(id), 0) + 1 FROM orders_{table}), "
                f"(SELECT count(*) FROM bench_rank_{table})"
            )
            found[table] = cursor.fetchone()
    return found


def copy_id(table: str, alias: str) -> str:
    """The id of copy g of row `alias`.id of a RANKED table. The sample's rows of that
    table are numbered r = 0..n-1 by (template, id); g = size * q + k, so copy g of the
    row ranked r gets base + (q - q0) * n + r: unique, dense, and ascending with g."""
    return (
        f"(%({table}_base)s::bigint + (g / %(size)s - %(q0)s) * %({table}_count)s::bigint "
        f"+ {alias}.r)"
    )


def padded(width: int) -> str:
    """g as text, zero-padded to `width` digits (never cut: lpad would cut longer ones)."""
    return f"lpad(g::text, greatest({width}, length(g::text)), '0')"


def _copy_batch(
    first: int, last: int, size: int, anchor, salt: str, *, q0: int, ranked: dict
) -> None:
    """Orders first..last (ids), each a copy of template (id mod size), with what hangs on
    it: items, trackings, history, the discount, payments, refunds, parcels, returns and
    their lines."""
    from django.db import connection

    from orders.models import (
        HistoryRecord,
        Order,
        OrderDiscount,
        OrderItem,
        Payment,
        Refund,
        RefundLine,
        Return,
        ReturnLine,
        Shipment,
        ShipmentLine,
        Tracking,
    )

    # g: the new order's id; bt: its template. Every date moves by the same shift.
    source = (
        "generate_series(%(first)s::bigint, %(last)s::bigint) AS g "
        "JOIN bench_template bt ON bt.k = mod(g, %(size)s)"
    )
    new_date = (
        "(%(anchor)s::timestamptz - mod(g * %(step)s, %(spread)s) * interval '1 second' "
        "- mod(g * 7919, 1000000) * interval '1 microsecond')"
    )
    shift = f"({new_date} - bt.date_order)"

    def tracking_number(place: str) -> str:
        """Tracking t's number in the copy: the copy's id for its digits, and -1, -2, ...
        after it for the order's later numbers (`place`: the tracking's, from 0)."""
        return (
            f"regexp_replace(t.tracking_number, '[0-9]+$', {padded(9)}) "
            f"|| CASE WHEN {place} > 0 THEN '-' || {place} ELSE '' END"
        )

    def shifted(column: str, alias: str) -> str:
        return f"{alias}.{column} + {shift}"

    order_columns, order_values = copy_select(
        Order,
        {
            "id": "g",
            # 32 bytes in url-safe base64, the shape of new_order_hash(); unique per id.
            "hash": "translate(rtrim(encode(sha256(convert_to(%(salt)s || g, 'UTF8')), "
            "'base64'), '='), '+/', '-_')",
            "date_order": new_date,
            "date_maturity": f"o.date_maturity + ({new_date}::date - o.date_order::date)",
            "external_order_id": f"regexp_replace(o.external_order_id, '[0-9]+$', {padded(7)})",
            "external_payment_id": "regexp_replace(o.external_payment_id, '[0-9]+$', g::text)",
            **{
                column: shifted(column, "o")
                for column in (
                    "date_paid",
                    "date_sent",
                    "date_delivered",
                    "date_done",
                    "date_canceled",
                    "created_at",
                    "updated_at",
                )
            },
        },
        "o",
    )
    item_columns, item_values = copy_select(
        OrderItem,
        {
            "id": copy_id("orderitem", "ri"),
            "order_id": "g",
            "created_at": shifted("created_at", "i"),
        },
        "i",
    )
    discount_columns, discount_values = copy_select(
        OrderDiscount, {"id": None, "order_id": "g", "created_at": shifted("created_at", "d")}, "d"
    )
    payment_columns, payment_values = copy_select(
        Payment,
        {
            "id": copy_id("payment", "rp"),
            "order_id": "g",
            # The gateway's id, as the order's external_payment_id of the copy.
            "external_id": "regexp_replace(p.external_id, '[0-9]+$', g::text)",
            "created_at": shifted("created_at", "p"),
        },
        "p",
    )
    refund_columns, refund_values = copy_select(
        Refund,
        {
            "id": copy_id("refund", "rf"),
            "order_id": "g",
            "payment_id": copy_id("payment", "rp"),
            "created_at": shifted("created_at", "f"),
        },
        "f",
    )
    line_columns, line_values = copy_select(
        RefundLine,
        {"id": None, "refund_id": copy_id("refund", "rf"), "item_id": copy_id("orderitem", "ri")},
        "l",
    )
    tracking_columns, tracking_values = copy_select(
        Tracking,
        {
            "id": copy_id("tracking", "rt"),
            "order_id": "g",
            "tracking_number": tracking_number("rt.n"),
            "created_at": shifted("created_at", "t"),
        },
        "t",
    )
    # A parcel's tracking is the copy of its own (none stays none: rt.r is null).
    shipment_columns, shipment_values = copy_select(
        Shipment,
        {
            "id": copy_id("shipment", "rs"),
            "order_id": "g",
            "tracking_id": copy_id("tracking", "rt"),
            **{
                column: shifted(column, "s")
                for column in ("created_at", "date_sent", "date_delivered", "date_returned")
            },
        },
        "s",
    )
    parcel_line_columns, parcel_line_values = copy_select(
        ShipmentLine,
        {
            "id": None,
            "shipment_id": copy_id("shipment", "rs"),
            "item_id": copy_id("orderitem", "ri"),
        },
        "sl",
    )
    return_columns, return_values = copy_select(
        Return,
        {
            "id": copy_id("return", "rr"),
            "order_id": "g",
            "refund_id": copy_id("refund", "rf"),  # null without a refund
            **{
                column: shifted(column, "x")
                for column in ("created_at", "date_received", "date_refunded", "date_rejected")
            },
        },
        "x",
    )
    return_line_columns, return_line_values = copy_select(
        ReturnLine,
        {
            "id": None,
            "goods_return_id": copy_id("return", "rr"),
            "item_id": copy_id("orderitem", "ri"),
        },
        "xl",
    )
    # The tracking and parcel records name a number (t: the one they name): the copy's own.
    tracked = "h.type IN ('tracking', 'shipment') AND t.tracking_number IS NOT NULL"
    history_columns, history_values = copy_select(
        HistoryRecord,
        {
            "id": None,
            "order_id": "g",
            "name": f"CASE WHEN {tracked} THEN replace(h.name, t.tracking_number, "
            f"{tracking_number('t.n')}) ELSE h.name END",
            "changes": f"CASE WHEN {tracked} THEN replace(h.changes::text, t.tracking_number, "
            f"{tracking_number('t.n')})::jsonb ELSE h.changes END",
            "created_at": shifted("created_at", "h"),
        },
        "h",
    )
    params = {
        "first": first,
        "last": last,
        "size": size,
        "anchor": anchor,
        "step": STEP,
        "spread": SPREAD_SECONDS,
        "salt": salt,
        "q0": q0,
        **{f"{table}_base": base for table, (base, _) in ranked.items()},
        **{f"{table}_count": count for table, (_, count) in ranked.items()},
    }
    statements = [
        f"INSERT INTO orders_order ({order_columns}) SELECT {order_values} "
        f"FROM {source} JOIN orders_order o ON o.id = bt.id",
        # ORDER BY: the copies' items and records keep their template's id order.
        f"INSERT INTO orders_orderitem ({item_columns}) SELECT {item_values} "
        f"FROM {source} JOIN orders_orderitem i ON i.order_id = bt.id "
        "JOIN bench_rank_orderitem ri ON ri.id = i.id ORDER BY g, i.id",
        f"INSERT INTO orders_orderdiscount ({discount_columns}) SELECT {discount_values} "
        f"FROM {source} JOIN orders_orderdiscount d ON d.order_id = bt.id ORDER BY g",
        f"INSERT INTO orders_payment ({payment_columns}) SELECT {payment_values} "
        f"FROM {source} JOIN orders_payment p ON p.order_id = bt.id "
        "JOIN bench_rank_payment rp ON rp.id = p.id ORDER BY g, p.id",
        f"INSERT INTO orders_refund ({refund_columns}) SELECT {refund_values} "
        f"FROM {source} JOIN orders_refund f ON f.order_id = bt.id "
        "JOIN bench_rank_refund rf ON rf.id = f.id "
        "JOIN bench_rank_payment rp ON rp.id = f.payment_id ORDER BY g, f.id",
        f"INSERT INTO orders_refundline ({line_columns}) SELECT {line_values} "
        f"FROM {source} JOIN orders_refund f ON f.order_id = bt.id "
        "JOIN bench_rank_refund rf ON rf.id = f.id "
        "JOIN orders_refundline l ON l.refund_id = f.id "
        "JOIN bench_rank_orderitem ri ON ri.id = l.item_id ORDER BY g, l.id",
        f"INSERT INTO orders_tracking ({tracking_columns}) SELECT {tracking_values} "
        f"FROM {source} JOIN orders_tracking t ON t.order_id = bt.id "
        "JOIN bench_rank_tracking rt ON rt.id = t.id ORDER BY g, t.id",
        f"INSERT INTO orders_shipment ({shipment_columns}) SELECT {shipment_values} "
        f"FROM {source} JOIN orders_shipment s ON s.order_id = bt.id "
        "JOIN bench_rank_shipment rs ON rs.id = s.id "
        "LEFT JOIN bench_rank_tracking rt ON rt.id = s.tracking_id ORDER BY g, s.id",
        f"INSERT INTO orders_shipmentline ({parcel_line_columns}) SELECT {parcel_line_values} "
        f"FROM {source} JOIN orders_shipment s ON s.order_id = bt.id "
        "JOIN bench_rank_shipment rs ON rs.id = s.id "
        "JOIN orders_shipmentline sl ON sl.shipment_id = s.id "
        "JOIN bench_rank_orderitem ri ON ri.id = sl.item_id ORDER BY g, sl.id",
        f"INSERT INTO orders_return ({return_columns}) SELECT {return_values} "
        f"FROM {source} JOIN orders_return x ON x.order_id = bt.id "
        "JOIN bench_rank_return rr ON rr.id = x.id "
        "LEFT JOIN bench_rank_refund rf ON rf.id = x.refund_id ORDER BY g, x.id",
        f"INSERT INTO orders_returnline ({return_line_columns}) SELECT {return_line_values} "
        f"FROM {source} JOIN orders_return x ON x.order_id = bt.id "
        "JOIN bench_rank_return rr ON rr.id = x.id "
        "JOIN orders_returnline xl ON xl.goods_return_id = x.id "
        "JOIN bench_rank_orderitem ri ON ri.id = xl.item_id ORDER BY g, xl.id",
        # A record names at most one of the order's numbers (no number is part of another).
        f"INSERT INTO orders_historyrecord ({history_columns}) SELECT {history_values} "
        f"FROM {source} JOIN orders_historyrecord h ON h.order_id = bt.id "
        "LEFT JOIN LATERAL (SELECT t.tracking_number, t.n FROM bench_sample_tracking t "
        "WHERE t.order_id = bt.id "
        "AND strpos(h.name || h.changes::text, t.tracking_number) > 0 "
        "ORDER BY t.id LIMIT 1) t ON true ORDER BY g, h.id",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


TABLES = [
    "orders_order",
    "orders_orderitem",
    "orders_tracking",
    "orders_historyrecord",
    "orders_orderdiscount",
    "orders_payment",
    "orders_refund",
    "orders_refundline",
    "orders_shipment",
    "orders_shipmentline",
    "orders_return",
    "orders_returnline",
]
# Above this many new orders, secondary indexes are dropped and built again afterwards:
# one sorted build is much faster than millions of random inserts into big indexes.
REBUILD_INDEXES_FROM = 100_000


def drop_secondary_indexes() -> None:
    """Drop the indexes no constraint needs (unique ones and primary keys stay, so they
    keep guarding the copies), after noting their definitions in bench_dropped_index."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_dropped_index "
            "(name text PRIMARY KEY, definition text NOT NULL)"
        )
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass)",
            [TABLES],
        )
        for name, definition in cursor.fetchall():
            cursor.execute("INSERT INTO bench_dropped_index VALUES (%s, %s)", [name, definition])
            cursor.execute(f'DROP INDEX "{name}"')


def restore_indexes() -> int:
    """Build every index a run dropped (also one that was interrupted). Returns how many."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_dropped_index') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT name, definition FROM bench_dropped_index ORDER BY name")
        dropped = cursor.fetchall()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in dropped:
            with transaction.atomic():
                cursor.execute(definition)
                cursor.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("DROP TABLE bench_dropped_index")
    return len(dropped)


def _is_superuser() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def copied_models() -> list:
    """The models a copy writes rows of (order first; TABLES in the same order)."""
    from orders.models import (
        HistoryRecord,
        Order,
        OrderDiscount,
        OrderItem,
        Payment,
        Refund,
        RefundLine,
        Return,
        ReturnLine,
        Shipment,
        ShipmentLine,
        Tracking,
    )

    return [
        Order,
        OrderItem,
        Tracking,
        HistoryRecord,
        OrderDiscount,
        Payment,
        Refund,
        RefundLine,
        Shipment,
        ShipmentLine,
        Return,
        ReturnLine,
    ]


def last_ids() -> dict[str, int]:
    """Per copied table, its highest id (0 when empty): every copy made after is above."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT coalesce(max(id), 0) FROM {table})" for table in TABLES)
        )
        return dict(zip(TABLES, cursor.fetchone(), strict=True))


def orphans(after: dict[str, int]) -> list[str]:
    """Foreign keys of copies (rows with an id above `after`, from last_ids()) that point
    nowhere: the check the skipped per-row triggers would have made, one anti-join per key."""
    from django.db import connection

    problems = []
    with connection.cursor() as cursor:
        for model in copied_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if not field.is_relation:
                    continue
                target = field.related_model._meta
                cursor.execute(
                    f"SELECT count(*) FROM {table} x "
                    f"WHERE x.id > %s AND x.{field.column} IS NOT NULL "
                    f"AND NOT EXISTS (SELECT 1 FROM {target.db_table} y "
                    f"WHERE y.{target.pk.column} = x.{field.column})",
                    [after[table]],
                )
                missing = cursor.fetchone()[0]
                if missing:
                    problems.append(f"{table}.{field.column}: {missing} orphans")
    return problems


def grow_to(
    target: int,
    *,
    sample_size: int = SAMPLE_SIZE,
    batch: int = BATCH,
    rebuild_indexes: bool | None = None,
    progress=None,
    log=None,
) -> int:
    """Copy the sample until there are `target` orders. Returns how many were added.

    Each batch commits on its own, so an interrupted run keeps what it made (and the next
    run first builds the indexes it had dropped). As a superuser the per-row foreign key
    triggers are skipped (session_replication_role) and the keys are checked in bulk after.
    """
    from django.db import connection, transaction
    from django.db.models import Max, Min

    from orders import counts
    from orders.models import Order

    restore_indexes()
    count = Order.objects.count()
    if count >= target:
        return 0
    ids = sample_ids(sample_size)
    if len(ids) < sample_size:
        raise RuntimeError(f"The sample has {len(ids)} orders, not {sample_size}: seed it first.")
    anchor = Order.objects.filter(pk__in=ids).aggregate(first=Min("date_order"))["first"]
    anchor -= timedelta(seconds=1)  # every copy is older than the sample
    _template_table(ids)
    ranked = ranked_ids()
    before = last_ids()
    salt = secrets.token_hex(16)
    first_id = next_id = Order.objects.aggregate(last=Max("id"))["last"] + 1
    skip_triggers = _is_superuser()
    if rebuild_indexes is None:
        rebuild_indexes = target - count >= REBUILD_INDEXES_FROM
    log = log or (lambda message: None)
    if rebuild_indexes:
        drop_secondary_indexes()
        log("dropped the secondary indexes")
    added = 0
    try:
        while count + added < target:
            size = min(batch, target - count - added)
            with transaction.atomic(), connection.cursor() as cursor:
                # Big sorts in memory, no JIT compile of one-off statements.
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL jit = off")
                if skip_triggers:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                _copy_batch(
                    next_id,
                    next_id + size - 1,
                    len(ids),
                    anchor,
                    salt,
                    q0=first_id // len(ids),
                    ranked=ranked,
                )
            next_id += size
            added += size
            if progress:
                progress(count + added)
    finally:
        if restore_indexes():
            log("built the secondary indexes again")
    if skip_triggers:
        if problems := orphans(before):
            raise RuntimeError("Copies with broken foreign keys: " + "; ".join(problems))
        log("checked the copies' foreign keys")
        # The order counters' triggers were skipped too: count them again (orders/counts.py).
        counts.rebuild()
        log("set the order counters")
    with connection.cursor() as cursor:
        # The ids written explicitly: their sequences move past them.
        for table in ("orders_order", *(f"orders_{name}" for name in RANKED)):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("DROP TABLE IF EXISTS bench_template")
        for name in RANKED:
            cursor.execute(f"DROP TABLE IF EXISTS bench_rank_{name}")
    return added


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def counts() -> dict[str, int]:
    from orders.models import HistoryRecord, Order, OrderItem, Payment, Refund, Tracking

    return {
        "orders": Order.objects.count(),
        "items": OrderItem.objects.count(),
        "trackings": Tracking.objects.count(),
        "history": HistoryRecord.objects.count(),
        "payments": Payment.objects.count(),
        "refunds": Refund.objects.count(),
    }


def main(argv=None) -> int:
    from bench.common import database_url, ensure_database, setup_django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, required=True, help="Grow to this many orders.")
    parser.add_argument("--sample", type=int, default=SAMPLE_SIZE, help="Orders made by services.")
    parser.add_argument("--batch", type=int, default=BATCH, help="Orders copied per transaction.")
    parser.add_argument("--check", action="store_true", help="Run check_orders afterwards.")
    args = parser.parse_args(argv)
    if args.orders < args.sample:
        parser.error("--orders must be at least --sample.")

    url = database_url(args.orders)
    if ensure_database(url):
        print(f"Created database {url}")
    setup_django(url)
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    seed_sample(args.sample)
    seeded = time.monotonic()
    print(f"Sample of {args.sample} orders ready in {seeded - started:.1f} s", flush=True)

    def log(message: str) -> None:
        print(f"  {time.monotonic() - seeded:7.1f} s  {message}", flush=True)

    added = grow_to(
        args.orders,
        sample_size=args.sample,
        batch=args.batch,
        progress=lambda total: log(f"{total:,} orders"),
        log=log,
    )
    grown = time.monotonic()
    if added:
        vacuum_analyze()
    done = time.monotonic()
    print(
        f"Added {added:,} orders in {grown - seeded:.1f} s, VACUUM ANALYZE {done - grown:.1f} s; "
        f"total {done - started:.1f} s"
    )
    print("Rows:", ", ".join(f"{name} {n:,}" for name, n in counts().items()))
    if args.check:
        call_command("check_orders")
    return 0


if __name__ == "__main__":
    sys.exit(main())
