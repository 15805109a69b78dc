"""The order counters (orders/counts.py): the table, and on PostgreSQL the triggers that
keep it and its first rows, counted from the orders. SQLite keeps no counters."""

from django.db import migrations, models

MERGE_EVERY = 1000
# pg_try_advisory_xact_lock key: one merge at a time (the others skip theirs).
MERGE_LOCK = 7_301_220_412

KEY = ("channel_id", "company_id", "status_id", "closing_state")
_COLUMNS = ", ".join(KEY)

MERGE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION orders_ordercount_merge() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_try_advisory_xact_lock({MERGE_LOCK}) THEN
        WITH merged AS (DELETE FROM orders_ordercount RETURNING {_COLUMNS}, orders)
        INSERT INTO orders_ordercount ({_COLUMNS}, orders)
        SELECT {_COLUMNS}, SUM(orders) FROM merged
        GROUP BY {_COLUMNS} HAVING SUM(orders) <> 0;
    END IF;
END $$;
"""

COUNT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION orders_order_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_id bigint;
    merge boolean := false;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO orders_ordercount ({_COLUMNS}, orders)
        VALUES (OLD.channel_id, OLD.company_id, OLD.status_id, OLD.closing_state, -1)
        RETURNING id INTO row_id;
        merge := row_id % {MERGE_EVERY} = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO orders_ordercount ({_COLUMNS}, orders)
        VALUES (NEW.channel_id, NEW.company_id, NEW.status_id, NEW.closing_state, 1)
        RETURNING id INTO row_id;
        merge := merge OR row_id % {MERGE_EVERY} = 0;
    END IF;
    IF merge THEN
        PERFORM orders_ordercount_merge();
    END IF;
    RETURN NULL;
END $$;
"""

TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION orders_order_count_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders_ordercount;
    RETURN NULL;
END $$;
"""

_CHANGED = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in KEY)
TRIGGERS = f"""
CREATE TRIGGER orders_order_count_insert_delete AFTER INSERT OR DELETE ON orders_order
    FOR EACH ROW EXECUTE FUNCTION orders_order_count();
CREATE TRIGGER orders_order_count_update AFTER UPDATE OF {_COLUMNS} ON orders_order
    FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION orders_order_count();
CREATE TRIGGER orders_order_count_truncate AFTER TRUNCATE ON orders_order
    FOR EACH STATEMENT EXECUTE FUNCTION orders_order_count_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS orders_order_count_insert_delete ON orders_order;
DROP TRIGGER IF EXISTS orders_order_count_update ON orders_order;
DROP TRIGGER IF EXISTS orders_order_count_truncate ON orders_order;
DROP FUNCTION IF EXISTS orders_order_count();
DROP FUNCTION IF EXISTS orders_order_count_truncate();
DROP FUNCTION IF EXISTS orders_ordercount_merge();
"""


# The counters from the orders; writers wait (SHARE lock) so none is missed or doubled.
FILL = f"""
LOCK TABLE orders_order IN SHARE MODE;
INSERT INTO orders_ordercount ({_COLUMNS}, orders)
SELECT {_COLUMNS}, COUNT(*) FROM orders_order GROUP BY {_COLUMNS};
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in (MERGE_FUNCTION, COUNT_FUNCTION, TRUNCATE_FUNCTION, TRIGGERS, FILL):
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is modulo


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("orders", "0016_parcel_and_return_names")]

    operations = [
        migrations.CreateModel(
            name="OrderCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel_id", models.BigIntegerField(null=True)),
                ("company_id", models.BigIntegerField(null=True)),
                ("status_id", models.BigIntegerField(null=True)),
                ("closing_state", models.CharField(max_length=50)),
                ("orders", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
