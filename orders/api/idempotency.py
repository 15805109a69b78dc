"""Idempotency-Key and If-Match for writes.

Idempotency-Key (API-key requests): the first successful answer is stored in the same
transaction as the work; a retry with the same key and the same request (method, path,
body) within 24 hours gets that answer again without the work being done; the same key
with a different request is refused (422). The unique constraint on (api_key, key) makes
a concurrent duplicate wait for the first and then replay it instead of doing the work
twice. Refused requests store nothing, so they can be retried.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from orders.errors import NotFound
from orders.models import ApiKey, IdempotencyRecord, Order

from .errors import IdempotencyKeyReused, PreconditionFailed

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("ETag",)
MAX_KEY_LENGTH = IdempotencyRecord._meta.get_field("key").max_length


def request_hash(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body or b""):
        digest.update(part)
        digest.update(b"\n")
    return digest.hexdigest()


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(request, order_id: int) -> None:
    """Refuse (412) a write whose If-Match does not name the order's current version.

    Locks the order row first, so the version cannot change between check and write.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    version = (
        Order.objects.select_for_update()
        .filter(pk=order_id)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        raise NotFound(f"Order {order_id} does not exist.", code="order_not_found")
    if header.strip() == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag(version) not in tags:
        raise PreconditionFailed(
            f"The order is now at version {etag(version)}, not {header.strip()}; "
            "read it again before changing it."
        )


def purge_expired(now=None) -> int:
    """Delete stored answers older than the replay window; returns how many."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _claim(api_key: ApiKey, key: str, request, digest: str):
    """Reserve the key for this request, or return the stored answer of the first one."""
    IdempotencyRecord.objects.filter(
        api_key=api_key, key=key, created_at__lt=timezone.now() - TTL
    ).delete()
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                api_key=api_key,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_hash=digest,
                response_status=0,  # filled in when the work succeeds
            )
        return record, None
    except IntegrityError:
        # Another request holds this key (PostgreSQL waited for it to commit).
        existing = IdempotencyRecord.objects.get(api_key=api_key, key=key)
    if existing.request_hash != digest:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was first used for {existing.method} {existing.path} "
            "with another body; use a new key for a new request."
        )
    headers = {**existing.response_headers, REPLAYED_HEADER: "true"}
    return None, Response(existing.response_body, status=existing.response_status, headers=headers)


def run_write(request, work, *, order_id: int | None = None) -> Response:
    """Run `work()` (which returns a 2xx Response) in one transaction, honouring
    Idempotency-Key and, when the write targets an order, If-Match."""
    key = request.headers.get(HEADER)
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    if key is not None and not (0 < len(key.strip()) <= MAX_KEY_LENGTH and key.isprintable()):
        raise ValidationError({HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable characters."]})
    digest = request_hash(request) if key and api_key else None
    with transaction.atomic():
        record = None
        if digest:
            record, replay = _claim(api_key, key.strip(), request, digest)
            if replay is not None:
                return replay
        if order_id is not None:
            check_if_match(request, order_id)
        response = work()
        if record is not None:
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.response_headers = {h: response[h] for h in STORED_HEADERS if h in response}
            record.save(update_fields=["response_status", "response_body", "response_headers"])
    return response
