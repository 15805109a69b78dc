"""OpenAPI pieces: the `token` security scheme, shared parameters, error responses, and a
hook that keeps the /v1 copies of the routes out of the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "orders.api.authentication.ApiKeyAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "token",
            "description": "Your API key (`manage.py create_api_key NAME`). "
            "`Authorization: Bearer <key>` works too.",
        }


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "orders.api.authentication.StaffSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "Staff signed in to the back office (/admin/) need no key in this "
            "console: the browser sends their session cookie (and the console the CSRF "
            "header on writes), and changes are recorded under their name. Nothing to fill "
            "in here; integrations use the API key above.",
        }


class ApiAutoSchema(AutoSchema):
    """Names pages after the contract's models ("Orders", "OrderStatuses"), and describes an
    operation by its own docstring only (a viewset's docstring is about the code)."""

    def get_paginated_name(self, serializer_name: str) -> str:
        return getattr(self.view.paginator, "component_name", None) or f"{serializer_name}Page"

    def get_description(self) -> str:
        handler = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        return get_doc(handler) if handler is not None else ""


def only_root_routes(endpoints, **kwargs):
    """The API answers at / and at /v1 alike; describe it once (servers name the bases)."""
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith("/v1/")]


ERROR_DESCRIPTIONS = {
    400: "Invalid input: malformed JSON, wrong types, unknown or missing fields, a broken "
    "rule. `errors` names each field.",
    401: "No API key, or an unknown or revoked one.",
    403: "A read-only key on a write.",
    404: "No such order (or item, or return, of this order).",
    405: "Method not allowed.",
    409: "The order's state does not allow this (the message names the state, the detail "
    "what is allowed now), or a duplicate.",
    412: "If-Match does not name the order's current version (ETag).",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "The Idempotency-Key was used for a different request.",
    429: "Over the key's rate limit, or too many failed authentications from this address; "
    "`Retry-After` says in how many seconds to retry.",
}


def responses(success, *errors: int) -> dict:
    """200 with `success`, 401 and 429 always, and the given error statuses, all in the error
    model."""
    result = {200: success}
    for code in sorted({401, 429, *errors}):
        result[code] = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
    return result


ORDER_WRITE_ERRORS = (400, 403, 404, 409, 412, 413, 415, 422)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    description="Retry-safe writes: the same key and body within 24 h replay the first "
    "answer; the same key with another body is refused (422).",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1, "pattern": r"\S"},
    OpenApiParameter.HEADER,
    description='The ETag of the order as read (e.g. "7"); if the order changed since, 412.',
)
EXPANDED = OpenApiParameter(
    "expanded",
    OpenApiTypes.STR,
    enum=["1", "0", "true", "false"],
    description="Related objects with their own fields instead of {id, api_link}.",
)


def _param(name: str, kind, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description)


BOOLEAN = {"enum": ["1", "0", "true", "false"]}
ORDER_LIST_PARAMETERS = [
    _param("channel_id", OpenApiTypes.INT, "Orders of this channel (must exist)."),
    _param("company_id", OpenApiTypes.INT, "Orders of this seller."),
    _param("customer_id", OpenApiTypes.INT, "Orders of this customer."),
    OpenApiParameter("done", OpenApiTypes.STR, enum=BOOLEAN["enum"], description="Done or not."),
    OpenApiParameter(
        "canceled", OpenApiTypes.STR, enum=BOOLEAN["enum"], description="Canceled or not."
    ),
    _param("status_id", OpenApiTypes.INT, "Orders with this status (must exist)."),
    _param("from", OpenApiTypes.DATETIME, "date_order from (ISO 8601, or a date)."),
    _param("to", OpenApiTypes.DATETIME, "date_order up to (ISO 8601; a date means its end)."),
    _param("tracking", OpenApiTypes.STR, "Orders with this tracking number (exact)."),
    _param("updated_since", OpenApiTypes.DATETIME, "(ours) Orders changed at or after this."),
    EXPANDED,
]


def token_first(result, **kwargs):
    """The console's Authorize dialog lists the schemes in the schema's order (drf-spectacular
    sorts them by name): the API key first, the back office's session after it."""
    schemes = result.get("components", {}).get("securitySchemes")
    if schemes and "token" in schemes:
        result["components"]["securitySchemes"] = {
            "token": schemes["token"],
            **{name: scheme for name, scheme in schemes.items() if name != "token"},
        }
    return result


def integer_path_ids(result, **kwargs):
    """Path ids use a custom converter (at most 18 digits); describe them as integers."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"].get("pattern"):
                    parameter["schema"] = {"type": "integer", "minimum": 0}
    return result


def closed_request_bodies(result, **kwargs):
    """Writes refuse unknown fields (400), so request bodies admit no other properties."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    return result
