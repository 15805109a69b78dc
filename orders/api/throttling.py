"""Rate limits: per API key (or staff user) for reads and for writes, and per client address
for failed authentication. The rates are DRF's DEFAULT_THROTTLE_RATES, read from
API_RATE_LIMITS in settings; the counters live in Django's cache ("default": Redis when
configured, so every worker process shares them).

Fixed windows: one counter per identity and window ("this minute"), raised with the cache's
atomic `incr`. DRF's SimpleRateThrottle keeps a list of request times instead; at
6000/min that list is ~54 KB to read and write back on every request, and concurrent
requests overwrite each other's writes. A fixed window lets a client spend its limit at the
end of one window and again at the start of the next, which is fine for limits this far
above real traffic.
"""

import math
import re

from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from orders.models import ApiKey

UNSAFE_KEY_CHARACTERS = re.compile(r"[^0-9A-Za-z.:_-]")


def increment(cache, key: str, timeout: int) -> int | None:
    """Add one to the counter `key` (made with `timeout` seconds to live) and return it;
    None when the cache does not answer (django-redis with IGNORE_EXCEPTIONS)."""
    try:
        return cache.incr(key)
    except ValueError:  # no counter yet (or it just expired)
        if cache.add(key, 1, timeout):
            return 1
    try:
        return cache.incr(key)  # another request made it first
    except ValueError:
        return None


class WindowThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle (scope, rate, DRF's settings and client address) that counts
    in fixed windows. Subclasses say whom a request counts against (`get_ident_for`)."""

    cache_format = "throttle:%(scope)s:%(ident)s:%(window)d"

    def get_rate(self):
        # Read when the throttle is made, not at import (DRF freezes THROTTLE_RATES then),
        # so a changed REST_FRAMEWORK setting applies at once.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No rate for the '{self.scope}' throttle.") from None

    def get_ident_for(self, request) -> str | None:
        raise NotImplementedError

    def window_key(self, ident: str) -> tuple[str, int]:
        """This window's counter for `ident`, and the seconds until the window ends."""
        now = self.timer()
        window = int(now // self.duration)
        ident = UNSAFE_KEY_CHARACTERS.sub("_", ident)[:100]
        key = self.cache_format % {"scope": self.scope, "ident": ident, "window": window}
        return key, max(1, math.ceil((window + 1) * self.duration - now))

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        ident = self.get_ident_for(request)
        if ident is None:
            return True
        key, self.seconds_left = self.window_key(ident)
        count = increment(self.cache, key, self.duration)
        return count is None or count <= self.num_requests

    def wait(self) -> int:
        return self.seconds_left


def caller(request) -> str | None:
    """Whom a request counts against: its API key, or the staff member of its session.
    None for requests without credentials (the docs pages, /System/schema): not limited."""
    if isinstance(request.auth, ApiKey):
        return f"key{request.auth.pk}"
    user = request.user
    if user is not None and user.is_authenticated:
        return f"user{user.pk}"
    return None


class ReadThrottle(WindowThrottle):
    """GET, HEAD and OPTIONS per key."""

    scope = "read"

    def get_ident_for(self, request) -> str | None:
        return caller(request) if request.method in SAFE_METHODS else None


class WriteThrottle(WindowThrottle):
    """POST, PUT, PATCH and DELETE per key, counted apart from reads."""

    scope = "write"

    def get_ident_for(self, request) -> str | None:
        return caller(request) if request.method not in SAFE_METHODS else None


class AuthFailureThrottle(WindowThrottle):
    """Failed authentications per client address (REMOTE_ADDR, or X-Forwarded-For behind
    NUM_PROXIES proxies). Used by ApiKeyAuthentication, not per view: a request that
    fails authentication never reaches DRF's throttles."""

    scope = "auth_failures"

    def get_ident_for(self, request) -> str | None:
        return self.get_ident(request) or "unknown"

    def check(self, request) -> None:
        """Refuse (429) every key from an address that failed `rate` times in this window,
        a correct key included: otherwise a guessing script would still learn which of its
        guesses is right."""
        if self.rate is None:
            return
        key, seconds_left = self.window_key(self.get_ident_for(request))
        if (self.cache.get(key) or 0) >= self.num_requests:
            # DRF adds "Expected available in N seconds."
            raise Throttled(seconds_left, "Too many failed authentications from your address.")

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        key, _ = self.window_key(self.get_ident_for(request))
        increment(self.cache, key, self.duration)
