"""API keys: made, shown once, stored only as a hash, looked up by their prefix."""

import hashlib
import hmac
import secrets
import string

from django.utils import timezone

from .compiled import CompiledQuery
from .models import ApiKey, ApiKeyScope

PREFIX_LENGTH = 8
# Every API request reads its key: compiled once (orders/compiled.py). Prefixes are unique.
_ACTIVE_BY_PREFIX = CompiledQuery(
    ApiKey, lambda values: ApiKey.objects.filter(prefix=values[0], active=True)
)


def _hash(plain: str) -> str:
    # The key is 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(plain.encode()).hexdigest()


def create_api_key(*, name: str, read_only: bool = False) -> tuple[ApiKey, str]:
    """Make a key. Returns the model and the plain key, which is never stored: show it once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plain = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        hashed_key=_hash(plain),
        scope=ApiKeyScope.READ_ONLY if read_only else ApiKeyScope.READ_WRITE,
    )
    return key, plain


def find_api_key(plain: str) -> ApiKey | None:
    """The active key matching `plain`, or None. Marks it used (at most once a minute)."""
    prefix, _, _ = (plain or "").partition(".")
    # A prefix is hex (token_hex): anything else, a NUL byte included, matches no key.
    if len(prefix) != PREFIX_LENGTH or not all(c in string.hexdigits for c in prefix):
        return None
    found = _ACTIVE_BY_PREFIX([prefix])
    key = found[0] if found else None
    if key is None or not hmac.compare_digest(key.hashed_key, _hash(plain)):
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
