"""PostgreSQL connections from the environment: Django's pool (DATABASE_POOL), the
PgBouncer switch (DATABASE_DISABLE_SERVER_SIDE_CURSORS) and prepared statements
(DATABASE_PREPARED_STATEMENTS)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://orders@127.0.0.1:5432/orders"


def database_settings(**variables) -> subprocess.CompletedProcess:
    """DATABASES["default"] as a fresh process reads it from these variables (and no .env)."""
    names = ("DATABASE_URL", "DB_CONN_MAX_AGE", "ENV_FILE", "DJANGO_SETTINGS_MODULE")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in names and not key.startswith("DATABASE_")
    }
    code = (
        "import json, config.settings as s; d = s.DATABASES['default']; print(json.dumps("
        "{k: d.get(k) for k in ('OPTIONS', 'CONN_MAX_AGE', 'DISABLE_SERVER_SIDE_CURSORS')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**environment, "ENV_FILE": "", **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def read(**variables) -> dict:
    result = database_settings(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_the_pool_each_worker_keeps_its_connection():
    settings = read(DATABASE_URL=POSTGRES)
    assert "pool" not in (settings["OPTIONS"] or {})
    assert settings["CONN_MAX_AGE"] == 60
    assert settings["DISABLE_SERVER_SIDE_CURSORS"] is False


def test_database_pool_gives_django_the_pool_options():
    settings = read(DATABASE_URL=POSTGRES, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="8")
    assert settings["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 8, "timeout": 10.0}
    # Django refuses a pool with persistent connections: the pool replaces them.
    assert settings["CONN_MAX_AGE"] == 0
    settings = read(
        DATABASE_URL=POSTGRES,
        DATABASE_POOL="yes",
        DATABASE_POOL_MIN_SIZE="2",
        DATABASE_POOL_TIMEOUT="2.5",
        DB_CONN_MAX_AGE="600",
    )
    assert settings["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 4, "timeout": 2.5}
    assert settings["CONN_MAX_AGE"] == 0


def test_server_side_cursors_can_be_switched_off_for_pgbouncer():
    settings = read(DATABASE_URL=POSTGRES, DATABASE_DISABLE_SERVER_SIDE_CURSORS="true")
    assert settings["DISABLE_SERVER_SIDE_CURSORS"] is True


PREPARED = {"server_side_binding": True, "prepare_threshold": 5}


def prepared(settings: dict) -> bool:
    options = settings["OPTIONS"] or {}
    found = {key: options[key] for key in PREPARED if key in options}
    assert found in ({}, PREPARED)
    return found == PREPARED


def test_prepared_statements_are_on_unless_behind_pgbouncer():
    assert prepared(read(DATABASE_URL=POSTGRES))
    assert not prepared(read(DATABASE_URL=POSTGRES, DATABASE_PREPARED_STATEMENTS="false"))
    # The PgBouncer switch turns them off too, unless they are asked for (PgBouncer 1.21+).
    assert not prepared(read(DATABASE_URL=POSTGRES, DATABASE_DISABLE_SERVER_SIDE_CURSORS="true"))
    assert prepared(
        read(
            DATABASE_URL=POSTGRES,
            DATABASE_DISABLE_SERVER_SIDE_CURSORS="true",
            DATABASE_PREPARED_STATEMENTS="true",
        )
    )
    pooled = read(DATABASE_URL=POSTGRES, DATABASE_POOL="true")
    assert prepared(pooled)
    assert "pool" in pooled["OPTIONS"]


def test_the_pool_needs_postgresql():
    result = database_settings(DATABASE_URL="sqlite:///tmp/x.sqlite3", DATABASE_POOL="true")
    assert result.returncode != 0
    assert "DATABASE_POOL needs PostgreSQL" in result.stderr


@pytest.mark.django_db
def test_a_pooled_connection_is_borrowed_and_given_back():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")
    from django.db.backends.postgresql.base import DatabaseWrapper
    from psycopg_pool import ConnectionPool

    settings = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 0,
        # One connection at most: the one given back is the one borrowed again.
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 1, "timeout": 5}},
    }
    pooled = DatabaseWrapper(settings, alias="pool_test")
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert isinstance(pooled.pool, ConnectionPool)
        assert pooled.pool.get_stats()["pool_size"] >= 1
        raw = pooled.connection
        pooled.close()  # the end of a request: back to the pool, not closed
        assert pooled.connection is None
        assert not raw.closed
        with pooled.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert pooled.connection is raw  # the same connection, borrowed again
    finally:
        pooled.close()
        pooled.close_pool()
