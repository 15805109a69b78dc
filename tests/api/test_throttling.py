"""Rate limits: per key for reads and for writes, per client address for failed
authentication; 429 in the error shape with Retry-After; API_RATE_LIMITS parsed at startup.

The clock of the throttles is pinned (a window that ends during a test would reset the
counts), and every test starts with an empty local-memory cache (tests/conftest.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from config.settings import parse_rate_limits
from orders.api.throttling import WindowThrottle
from tests.api.conftest import _client_for, _key
from tests.api.test_schema import openapi, validate  # noqa: F401 (openapi is a fixture)
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# 20 s into a minute: a "per minute" window has 40 s left.
START = 1_700_000_000.0 - (1_700_000_000 % 60) + 20


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(WindowThrottle, "timer", staticmethod(clock))
    return clock


@pytest.fixture
def limits(settings, clock):
    """Set API_RATE_LIMITS for the test, as settings.py would parse it."""

    def set_limits(text: str):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": parse_rate_limits(text),
        }

    return set_limits


def assert_429(response, retry_after: int, detail: str):
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    assert response.json() == {"message": "Too many requests.", "detail": detail}


# --- per key: reads and writes --------------------------------------------------------------


def test_reads_over_the_keys_limit_are_429_until_the_window_ends(api, limits, clock):
    limits("read=3/min")

    answers = [api.get("/System/Orders").status_code for _ in range(3)]
    refused = api.get("/System/Orders/Statuses")

    assert answers == [200, 200, 200]
    assert_429(refused, 40, "Request was throttled. Expected available in 40 seconds.")
    clock.now += 39
    assert api.get("/System/Orders").status_code == 429
    clock.now += 1  # the next minute
    assert api.get("/System/Orders").status_code == 200


def test_writes_have_their_own_limit(api, limits):
    limits("read=2/min,write=2/min")
    order = OrderFactory()

    writes = [api.patch(f"/System/Orders/{order.pk}/sent").status_code for _ in range(3)]
    reads = [api.get(f"/System/Orders/{order.pk}").status_code for _ in range(3)]

    assert writes == [200, 200, 429]
    assert reads == [200, 200, 429]


def test_one_keys_limit_does_not_touch_another_key(api, read_only_api, limits):
    limits("read=2/min")

    assert [api.get("/System/Orders").status_code for _ in range(3)] == [200, 200, 429]
    assert read_only_api.get("/System/Orders").status_code == 200


def test_the_limit_follows_the_key_not_the_address(api, api_key, limits):
    limits("read=2/min")
    again = _client_for(api_key[1])

    assert api.get("/System/Orders", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert again.get("/System/Orders", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert again.get("/System/Orders", REMOTE_ADDR="10.0.0.3").status_code == 429


def test_staff_sessions_are_limited_per_user(limits):
    limits("read=1/min")
    eva, jan = APIClient(), APIClient()
    eva.force_login(UserFactory(username="eva", is_staff=True))
    jan.force_login(UserFactory(username="jan", is_staff=True))

    assert [eva.get("/System/Orders").status_code for _ in range(2)] == [200, 429]
    assert jan.get("/System/Orders").status_code == 200


def test_the_docs_the_schema_and_health_are_not_limited(anonymous, api, limits):
    limits("read=1/min")
    api.get("/System/Orders")  # the key's one read

    for path in ["/System/schema", "/System/docs", "/health", "/"]:
        assert [anonymous.get(path).status_code for _ in range(3)] == [200] * 3, path
    assert api.get("/System/schema").status_code == 200


def test_a_429_matches_the_openapi_description(api, limits, openapi):  # noqa: F811
    limits("read=1/min")
    api.get("/System/Orders")

    response = api.get("/System/Orders")

    assert response.status_code == 429
    validate(openapi, response, "/System/Orders", "get")


# --- per address: failed authentication ------------------------------------------------------


def test_failed_keys_block_the_address_even_for_a_correct_key(anonymous, api_key, limits):
    limits("auth_failures=3/min")
    wrong = _client_for("deadbeef.not-a-key")
    right = _client_for(api_key[1])

    failures = [wrong.get("/System/Orders").status_code for _ in range(3)]
    blocked_wrong = wrong.get("/System/Orders")
    blocked_right = right.get("/System/Orders")

    assert failures == [401, 401, 401]
    detail = "Too many failed authentications from your address. Expected available in 40 seconds."
    assert_429(blocked_wrong, 40, detail)
    assert_429(blocked_right, 40, detail)
    # The block is per address and per key header: no key at all is still a plain 401.
    assert anonymous.get("/System/Orders").status_code == 401
    assert right.get("/System/Orders", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert wrong.get("/System/Orders", REMOTE_ADDR="10.0.0.9").status_code == 401


def test_the_block_ends_with_the_window(api_key, limits, clock):
    limits("auth_failures=1/min")
    _client_for("deadbeef.wrong").post("/System/Orders", {}, format="json")
    right = _client_for(api_key[1])
    assert right.get("/System/Orders").status_code == 429

    clock.now += 40

    assert right.get("/System/Orders").status_code == 200


def test_requests_without_a_key_are_not_counted_as_failures(anonymous, api, limits):
    limits("auth_failures=2/min")
    assert [anonymous.get("/System/Orders").status_code for _ in range(5)] == [401] * 5
    assert api.get("/System/Orders").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_block(limits):
    limits("auth_failures=2/min")
    wrong = _client_for("deadbeef.wrong")

    answers = [
        wrong.get("/System/Orders", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]

    assert answers == [401, 401, 429, 429]


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(limits, settings):
    limits("auth_failures=1/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    wrong = _client_for("deadbeef.wrong")

    def status(client_address):
        return wrong.get("/System/Orders", HTTP_X_FORWARDED_FOR=client_address).status_code

    assert [status("203.0.113.5"), status("203.0.113.5"), status("203.0.113.6")] == [
        401,
        429,
        401,
    ]


# --- off, and the environment variable --------------------------------------------------------


def test_off_turns_every_limit_off(api, limits):
    limits("off")
    order = OrderFactory()
    wrong = _client_for("deadbeef.wrong")

    assert {api.get("/System/Orders").status_code for _ in range(20)} == {200}
    assert {api.patch(f"/System/Orders/{order.pk}/sent").status_code for _ in range(20)} == {200}
    assert {wrong.get("/System/Orders").status_code for _ in range(40)} == {401}


def test_one_scope_can_be_off(api, limits):
    limits("read=off,write=1/min")
    order = OrderFactory()

    assert {api.get("/System/Orders").status_code for _ in range(10)} == {200}
    assert [api.patch(f"/System/Orders/{order.pk}/sent").status_code for _ in range(2)] == [
        200,
        429,
    ]


@pytest.mark.parametrize(
    ("text", "rates"),
    [
        ("", {"read": "6000/min", "write": "3000/min", "auth_failures": "30/min"}),
        (" OFF ", {"read": None, "write": None, "auth_failures": None}),
        ("read=100/s", {"read": "100/s", "write": "3000/min", "auth_failures": "30/min"}),
        (
            "read=10/hour, write=5/day ,auth_failures=off",
            {"read": "10/hour", "write": "5/day", "auth_failures": None},
        ),
    ],
)
def test_api_rate_limits_is_parsed(text, rates):
    assert parse_rate_limits(text) == rates


@pytest.mark.parametrize(
    "text",
    [
        "read=6000",
        "read=0/min",
        "read=-1/min",
        "read=1.5/min",
        "read=10/week",
        "read=10/5min",
        "reads=10/min",
        "read",
        "6000/min",
        "read=on",
    ],
)
def test_a_malformed_api_rate_limits_is_refused(text):
    with pytest.raises(ImproperlyConfigured, match="API_RATE_LIMITS"):
        parse_rate_limits(text)


def settings_in_a_fresh_process(**env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"API_RATE_LIMITS", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    code = "import json, config.settings as s; print(json.dumps(s.CACHES['default']))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_malformed_api_rate_limits_stops_the_app_at_startup():
    result = settings_in_a_fresh_process(API_RATE_LIMITS="read=lots")
    assert result.returncode != 0
    assert "ImproperlyConfigured: API_RATE_LIMITS: read='lots' is not a rate" in result.stderr


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", "orders"),
        (
            {"REDIS_URL": "redis://cache:6379/1"},
            "django_redis.cache.RedisCache",
            "redis://cache:6379/1",
        ),
        (
            {"CELERY_BROKER_URL": "redis://broker:6379/0"},
            "django_redis.cache.RedisCache",
            "redis://broker:6379/0",
        ),
        (
            {"CELERY_BROKER_URL": "redis://broker:6379/0", "REDIS_URL": "redis://cache:6379/2"},
            "django_redis.cache.RedisCache",
            "redis://cache:6379/2",
        ),
        (
            {"CELERY_BROKER_URL": "amqp://broker//"},
            "django.core.cache.backends.locmem.LocMemCache",
            "orders",
        ),
    ],
)
def test_the_counters_live_in_redis_when_one_is_configured(env, backend, location):
    result = settings_in_a_fresh_process(**env)
    assert result.returncode == 0, result.stderr
    cache = json.loads(result.stdout)
    assert (cache["BACKEND"], cache["LOCATION"]) == (backend, location)


def test_a_redis_that_is_down_lets_requests_through(api, limits, settings):
    # Nothing listens on port 1: every cache call fails at once and is ignored.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }
    limits("read=1/min,auth_failures=1/min")
    wrong = _client_for("deadbeef.wrong")

    assert [api.get("/System/Orders").status_code for _ in range(3)] == [200] * 3
    assert [wrong.get("/System/Orders").status_code for _ in range(3)] == [401] * 3


@pytest.mark.integration
def test_the_limits_count_in_a_real_redis(limits, settings):
    """Needs Redis on 127.0.0.1:6379: database 14 (the Celery test flushes 15), keys under
    a prefix of this run, removed afterwards."""
    import redis

    prefix = f"orders-test-{os.getpid()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": prefix,
        }
    }
    limits("read=2/min")
    key, plain = _key(read_only=True)
    client = _client_for(plain)
    server = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    try:
        answers = [client.get("/System/Orders").status_code for _ in range(3)]

        assert answers == [200, 200, 429]
        # The counter is in Redis, where every worker process sees it.
        [counter] = server.scan_iter(f"{prefix}:*throttle:read:key{key.pk}:*")
        assert int(server.get(counter)) == 3
        assert 0 < server.ttl(counter) <= 60
    finally:
        for name in server.scan_iter(f"{prefix}:*"):
            server.delete(name)
