import pytest

from orders.actors import Actor


@pytest.fixture
def actor():
    return Actor.for_command("tests")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
