"""Signed webhook POSTs with the standard library (no HTTP client dependency).

Each request carries
- `X-Webhook-Id`: the event's id, the same on every retry, so receivers drop duplicates;
- `X-Webhook-Timestamp`: Unix seconds when this attempt was signed;
- `X-Webhook-Signature`: `sha256=<hex HMAC-SHA256 of f"{timestamp}.{body}" with the secret>`.

A receiver recomputes the HMAC over the raw body and compares in constant time, and
rejects timestamps too far from its clock (replays).
"""

import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

USER_AGENT = "order-office-webhooks/1"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-Webhook-Signature value for `body` sent at `timestamp`."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, headers, body: bytes, *, tolerance: int = 300, now=None) -> bool:
    """What a receiver does: check the signature and that the timestamp is recent."""
    timestamp = headers.get("X-Webhook-Timestamp", "")
    if not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, headers.get("X-Webhook-Signature", ""))


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: a response code (None if none came) and an error text."""

    status: int | None
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Timeouts, connection errors, 5xx, 408 and 429 may work later; other answers won't."""
        if self.status is None:
            return True
        return self.status >= 500 or self.status in (408, 429)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A POST is not re-sent elsewhere: a redirect is an answer (3xx), and fails the delivery.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, data: dict, *, secret: str, event_id: str) -> Outcome:
    """POST `data` as signed JSON to `url`, with a short timeout. Never raises for
    network trouble: the outcome says what happened."""
    body = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Id": event_id,
            "X-Webhook-Timestamp": str(timestamp),
            "X-Webhook-Signature": signature(secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return Outcome(response.status)
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code} {exc.reason}")
    except TimeoutError:
        return Outcome(None, f"timed out after {settings.WEBHOOK_TIMEOUT_SECONDS}s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return Outcome(None, f"timed out after {settings.WEBHOOK_TIMEOUT_SECONDS}s")
        return Outcome(None, f"connection failed: {reason}")
    except (OSError, ValueError) as exc:  # connection reset, bad URL, ...
        return Outcome(None, f"{type(exc).__name__}: {exc}")
