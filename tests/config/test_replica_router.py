"""Which database the replica router picks (config/replica.py); the real replica is in
tests/production/test_replica.py."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory, override_settings

from config.replica import (
    ReplicaMiddleware,
    ReplicaRouter,
    check_shared_cache,
    reads_from_primary,
)
from orders.models import Order

# The router reads settings.DATABASES only to know whether a replica is configured.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
WITH_REPLICA = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
router = ReplicaRouter()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def serve(request, inside=lambda: None):
    """Run the middleware around `inside`; what the router chose for a read in there."""
    seen = {}

    def view(request):
        seen["result"] = inside()
        seen["read"] = router.db_for_read(Order)
        return None

    ReplicaMiddleware(view)(request)
    return seen["read"]


def get(path="/System/Orders", **headers):
    return RequestFactory().get(path, headers={"token": "k1", **headers})


@override_settings(DATABASES=WITH_REPLICA)
def test_an_api_read_goes_to_the_replica():
    assert serve(get()) == "replica"


def test_without_a_replica_everything_reads_the_primary():
    assert serve(get()) == "default"


@override_settings(DATABASES=WITH_REPLICA)
@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().post("/System/Orders", headers={"token": "k1"}),
        RequestFactory().get("/admin/orders/order/", headers={"token": "k1"}),
        RequestFactory().get("/System/Orders"),  # no client to keep track of
    ],
    ids=["write-method", "back-office", "anonymous"],
)
def test_other_requests_read_the_primary(request_):
    assert serve(request_) == "default"


@override_settings(DATABASES=WITH_REPLICA, REPLICA_STICKY_SECONDS=60)
def test_a_write_pins_the_request_and_then_the_client_to_the_primary():
    assert serve(get(), inside=lambda: router.db_for_write(Order)) == "default"
    assert serve(get()) == "default"  # the same key, within the window
    assert serve(get(token="k2")) == "replica"  # another key


@override_settings(DATABASES=WITH_REPLICA)
@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary():
    chosen = {}

    def in_atomic():
        with transaction.atomic():
            chosen["in"] = router.db_for_read(Order)

    assert serve(get(), inside=in_atomic) == "replica"  # after the block: the replica again
    assert chosen["in"] == "default"


@override_settings(DATABASES=WITH_REPLICA)
def test_reads_from_primary_overrides_the_request():
    chosen = {}

    def inside():
        with reads_from_primary():
            chosen["in"] = router.db_for_read(Order)

    assert serve(get(), inside=inside) == "replica"
    assert chosen["in"] == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "orders") is True
    assert router.allow_migrate("replica", "orders") is False


@override_settings(DATABASES=WITH_REPLICA)
def test_a_replica_with_a_per_process_cache_is_warned_about():
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ):
        assert [w.id for w in check_shared_cache()] == ["orders.W001"]
    with override_settings(
        CACHES={"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "x"}}
    ):
        assert check_shared_cache() == []
