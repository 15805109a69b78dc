"""The one exception handler: every refusal of the API in the contract's error shape,
`{"message": str, "detail": str | null}` plus `"errors": {field: [why, ...]}` on 400.

An exception nothing here knows is a bug: a 500 in the same shape, logged with its traceback
under the request id (never Django's HTML page). A database that does not answer is a 503
with Retry-After instead: the request may well work a few seconds later."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from orders.errors import OrderError

from .middleware import request_id

logger = logging.getLogger("orders.api")

# Seconds a client should wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 5

KIND_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "conflict": status.HTTP_409_CONFLICT,
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The order has changed since you read it."
    default_code = "precondition_failed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for a different request."
    default_code = "idempotency_key_reused"


# Short sentences for DRF's own exceptions; their text becomes the detail.
MESSAGES = {
    exceptions.ParseError: "The request body is not valid JSON.",
    exceptions.NotAuthenticated: "Authentication required.",
    exceptions.AuthenticationFailed: "Invalid API key.",
    exceptions.PermissionDenied: "Permission denied.",
    exceptions.NotFound: "Not found.",
    exceptions.MethodNotAllowed: "Method not allowed.",
    exceptions.UnsupportedMediaType: "Unsupported media type.",
    exceptions.NotAcceptable: "Not acceptable.",
    exceptions.Throttled: "Too many requests.",
    PreconditionFailed: "Precondition failed.",
    IdempotencyKeyReused: "Idempotency-Key reused.",
}

DETAILS = {
    exceptions.NotAuthenticated: "Send your API key in the 'token' header.",
    exceptions.UnsupportedMediaType: "Send a JSON body with Content-Type: application/json.",
}


def error_body(message: str, detail=None, errors: dict | None = None) -> dict:
    body = {"message": message, "detail": None if detail is None else str(detail)}
    if errors is not None:
        body["errors"] = errors
    return body


def flatten_errors(detail, prefix: str = "", out: dict | None = None) -> dict:
    """DRF's nested error structure as {"items[0].price.vat": ["..."]}."""
    out = {} if out is None else out
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            flatten_errors(value, name, out)
    elif isinstance(detail, list) and all(not isinstance(x, dict | list) for x in detail):
        out.setdefault(prefix or "non_field_errors", []).extend(str(x) for x in detail)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if value:
                flatten_errors(value, f"{prefix}[{index}]", out)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _validation_response(errors: dict, message: str | None = None, detail=None) -> Response:
    if message is None:
        message = f"Invalid input: {', '.join(errors)}."
    if detail is None:
        field, reasons = next(iter(errors.items()))
        detail = f"{field}: {reasons[0]}"
    return Response(error_body(message, detail, errors), status=status.HTTP_400_BAD_REQUEST)


def _order_error_response(exc: OrderError) -> Response:
    code = KIND_STATUS.get(exc.kind, status.HTTP_400_BAD_REQUEST)
    if code != status.HTTP_400_BAD_REQUEST:
        return Response(error_body(exc.message, exc.detail), status=code)
    if isinstance(exc.detail, dict):
        errors = {field: [str(m) for m in messages] for field, messages in exc.detail.items()}
        return _validation_response(errors, message=exc.message)
    errors = {exc.field or "non_field_errors": [exc.message]}
    return _validation_response(errors, message=exc.message, detail=exc.detail)


def _api_exception_response(exc: exceptions.APIException) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    message = next(
        (text for cls, text in MESSAGES.items() if isinstance(exc, cls)), "Request refused."
    )
    detail = next((text for cls, text in DETAILS.items() if isinstance(exc, cls)), None)
    if detail is None:
        detail = exc.detail if isinstance(exc.detail, str) else None
    return Response(error_body(message, detail), status=exc.status_code, headers=headers)


def crash_answer(request, exc: BaseException) -> tuple[int, dict, dict]:
    """(status, body, headers) for an exception no rule handles: 503 when the database is
    unreachable (or broke the connection), else 500. Logged with the request id."""
    rid = request_id(request)
    where = f"{request.method} {request.path!r}"
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning(
            "Database unavailable on %s: answered 503 (request id %s)", where, rid, exc_info=exc
        )
        detail = f"The database is not answering; retry in {DATABASE_RETRY_AFTER} seconds."
        body = error_body("Service unavailable.", f"{detail} Request id {rid}.")
        return status.HTTP_503_SERVICE_UNAVAILABLE, body, {"Retry-After": f"{DATABASE_RETRY_AFTER}"}
    logger.error(
        "Unhandled %s on %s: answered 500 (request id %s)",
        type(exc).__name__,
        where,
        rid,
        exc_info=exc,
    )
    detail = f"The error is logged under request id {rid}; quote it when you report it."
    return status.HTTP_500_INTERNAL_SERVER_ERROR, error_body("Internal server error.", detail), {}


def exception_handler(exc, context):
    """Turn any refusal into the error model; anything else is a logged 500 (or 503)."""
    if isinstance(exc, RequestDataTooBig):
        response = Response(
            error_body("The request body is too large.", str(exc)),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, OrderError):
        response = _order_error_response(exc)
    elif isinstance(exc, DataError):
        # A value the database cannot hold (a number too large for a money column).
        response = _validation_response(
            {"non_field_errors": ["A value is too large or has the wrong form."]},
            message="Invalid input: a value is out of range.",
        )
    elif isinstance(exc, IntegrityError):
        # Lost a race with a concurrent request (unique tracking number, ...): retry.
        response = Response(
            error_body("The request conflicts with a concurrent change.", "Retry the request."),
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, exceptions.ValidationError):
        response = _validation_response(flatten_errors(exc.detail))
    else:
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc) or "No such resource.")
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        if isinstance(exc, exceptions.APIException):
            response = _api_exception_response(exc)
        elif context.get("request") is not None:
            code, body, headers = crash_answer(context["request"], exc)
            response = Response(body, status=code, headers=headers)
        else:
            return None
    set_rollback()
    return response
