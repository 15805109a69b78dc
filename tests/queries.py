"""What an Order answer's reads cost in queries, per database (for the pinned counts)."""

from django.db import connection

# The orders (with related rows joined), their items, their trackings (with shippers):
# PostgreSQL takes the three in one round trip (orders/compiled.py, read_together), SQLite
# one statement at a time.
ANSWER_READS = 1 if connection.vendor == "postgresql" else 3
