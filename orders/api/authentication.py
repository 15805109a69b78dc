"""Who is calling: an API key in the `token` header (or `Authorization: Bearer`), or a
staff member logged into the back office.

Failed keys are counted per client address: past the `auth_failures` rate, the address is
answered 429 (any key, a correct one too) until the window ends."""

from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed

from orders.actors import Actor
from orders.api_keys import find_api_key

from .throttling import AuthFailureThrottle

TOKEN_HEADER = "token"


def key_from_headers(request) -> str | None:
    """The plain key the request carries, or None when it carries none."""
    token = request.headers.get(TOKEN_HEADER)
    if token is not None:
        return token.strip()
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class ApiKeyAuthentication(BaseAuthentication):
    """`request.auth` is the ApiKey; `request.user` is anonymous (the key is not a person)."""

    def authenticate(self, request):
        plain = key_from_headers(request)
        if plain is None:
            return None
        failures = AuthFailureThrottle()
        failures.check(request)
        key = find_api_key(plain)
        if key is None:
            failures.record_failure(request)
            raise AuthenticationFailed("The API key is unknown or revoked.")
        return AnonymousUser(), key

    def authenticate_header(self, request):
        # Any value here makes DRF answer 401 (not 403) to a request without credentials.
        return TOKEN_HEADER


class StaffSessionAuthentication(SessionAuthentication):
    """The back office's session, for staff only (a customer's session is no credential)."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not (result[0].is_active and result[0].is_staff):
            return None
        return result


def actor_for(request) -> Actor:
    """The Actor a write is recorded under: the API key's name or the staff user's."""
    from orders.models import ApiKey

    if isinstance(request.auth, ApiKey):
        return Actor.for_api_key(request.auth)
    return Actor.for_user(request.user)
