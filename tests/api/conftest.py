"""Fixtures of the API tests: real keys (made like `create_api_key` makes them) and
clients that send them in the `token` header."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orders.api_keys import create_api_key
from orders.models import ApiKey


def _client_for(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_TOKEN=plain)
    return client


def _key(read_only: bool) -> tuple[ApiKey, str]:
    key, plain = create_api_key(
        name="Web shop" if not read_only else "Reporting", read_only=read_only
    )
    # Marked as used just now, so a request does not also write last_used_at (query counts).
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key, plain


@pytest.fixture
def api_key(db):
    return _key(read_only=False)


@pytest.fixture
def api(api_key) -> APIClient:
    """A client with a read-write key."""
    return _client_for(api_key[1])


@pytest.fixture
def read_only_api(db) -> APIClient:
    return _client_for(_key(read_only=True)[1])


@pytest.fixture
def anonymous(db) -> APIClient:
    return APIClient()
