"""What bench.grow and bench.run share: which database, and Django set up on it."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"

# One database per size, so a 10,000-order baseline stays next to the big one.
# BENCH_DATABASE_URL overrides it (not DATABASE_URL: a shell that points DATABASE_URL at the
# dev database must not get a million orders written into it); `{orders}` is filled in.
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/orders_bench_{orders}"


def database_url(orders: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    url = url.replace("{orders}", str(orders))
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"The benchmark needs PostgreSQL, not {parts.scheme!r}: {url}")
    name = parts.path.lstrip("/")
    # A guard against writing into a dev or test database by mistake.
    if "bench" not in name or name.startswith("test_"):
        sys.exit(f"Refusing database {name!r}: its name must contain 'bench'.")
    return url


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist. True if it was created."""
    parts = urlsplit(url)
    server = urlunsplit(parts._replace(path="/postgres"))
    name = database_name(url)
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
        return True


def setup_django(url: str) -> None:
    """Django on the benchmark database (settings read DATABASE_URL at import)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
