"""Reads of the API from a read replica, with read-your-writes (DATABASE_REPLICA_URL).

Which queries go to the replica (alias "replica"): only the reads of an API request with a
safe method (GET, HEAD, OPTIONS) under /System or /v1, and only while
- the request has not written anything itself (a write makes the rest of the request read
  the primary: it reads what it wrote), and not inside a transaction (a service's
  `select_for_update` and everything in its `atomic` block stay on the primary);
- the same client has not written within REPLICA_STICKY_SECONDS (default 5): a client is
  its API key (the `token` header, hashed) or, for the browsable API and the docs, its
  session. The mark lives in the cache, so it needs a cache every web process shares
  (Redis, REDIS_URL): with the local-memory cache a read after a write could land on
  another process and see the replica's past (a system check warns).
- the view does not need the primary (`reads_from_primary`): the change feed compares the
  outbox with the primary's running transactions.
Everything else (the back office, commands, workers, writes) uses the primary. The
replica lags by the time it takes to replay the primary's WAL (milliseconds on a LAN);
an API key created or revoked a moment ago may be unknown/still valid there for that long.
"""

import contextlib
import contextvars
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

from orders.api.middleware import is_api_path

REPLICA = "replica"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class _Request:
    """The API request being served: who asks (a cache key), and whether its reads may
    still use the replica."""

    client: str | None
    replica_ok: bool


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "replica_request", default=None
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def client_key(request) -> str | None:
    """Who is asking, as a cache key: the API key's hash, or the session; None if neither."""
    token = request.headers.get("token") or request.headers.get("Authorization", "")
    if token:
        return "replica-wrote:" + hashlib.sha256(token.encode()).hexdigest()
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session:
        return "replica-wrote:" + hashlib.sha256(session.encode()).hexdigest()
    return None


@contextlib.contextmanager
def reads_from_primary():
    """Read the primary inside this block, whatever the request would do."""
    current = _request.get()
    token = _request.set(current and _Request(current.client, replica_ok=False))
    try:
        yield
    finally:
        _request.reset(token)


class ReplicaMiddleware:
    """Decides, per request, whether its reads may use the replica (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = None
        if replica_configured() and is_api_path(request.path_info):
            client = client_key(request)
            # A client that wrote a moment ago reads what it wrote: the primary.
            replica_ok = (
                request.method in SAFE_METHODS and client is not None and cache.get(client) is None
            )
            state = _Request(client, replica_ok)
        token = _request.set(state)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


class ReplicaRouter:
    """Routes the reads ReplicaMiddleware allows to the replica, everything else to the
    primary; a write pins the rest of the request, and the client for a while, to it."""

    def db_for_read(self, model, **hints):
        state = _request.get()
        if state is None or not state.replica_ok:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # a service's locked reads, and its transaction's
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _request.get()
        if state is not None and state.client is not None:
            cache.set(state.client, 1, timeout=settings.REPLICA_STICKY_SECONDS)
            state.replica_ok = False
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@checks.register(checks.Tags.database, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """Read-your-writes across web processes needs a cache they all share."""
    backend = settings.CACHES["default"]["BACKEND"]
    if replica_configured() and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "DATABASE_REPLICA_URL is set but the cache is per process (LocMemCache): a "
                "client's read right after its write may be served by another process "
                "from the replica, before the write reached it.",
                hint="Set REDIS_URL so every web process shares the cache.",
                id="orders.W001",
            )
        ]
    return []
