"""What an Order answer's reads cost in queries, per database (for the pinned counts)."""

from django.db import connection

# The orders (with related rows joined), their items, their trackings (with shippers), in
# one round trip on PostgreSQL (orders/compiled.py, read_together). With client-side
# binding the three are one simple query, logged as one; with prepared statements (the
# default, DATABASE_PREPARED_STATEMENTS) they go in psycopg's pipeline, logged one by
# one. SQLite runs them one at a time.
ANSWER_READS = (
    1
    if connection.vendor == "postgresql"
    and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    else 3
)
