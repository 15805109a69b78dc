import pytest
from django.core.cache import cache
from django.utils import translation

from orders.actors import Actor


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Each test starts with an empty local-memory cache: no rate-limit counts carried over
    from another test, and never a developer's Redis (REDIS_URL) written to or cleared."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in the default language (LANGUAGE_CODE): a request with
    Accept-Language: cs activates Czech for the thread, and it would stay for the next test."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def actor():
    return Actor.for_command("tests")


@pytest.fixture
def no_status_follows(db):
    """No status follows a lifecycle event (the default statuses do, migration statuses
    0007): for tests that count one history record or event per transition.
    tests/orders/test_status_follow.py has the statuses that follow."""
    from statuses.models import OrderStatus

    OrderStatus.objects.update(follows="")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
