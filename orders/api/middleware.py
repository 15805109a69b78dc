"""A request id on every API answer: the caller's `X-Request-ID` when it is sane, else a new
one. It is sent back in `X-Request-ID` and named in the log line and body of a 500/503, so a
report from an integrator leads to the traceback."""

import re
import uuid

# The API lives under /System and /v1, in any case (/system/orders is the API's 404 too).
API_PATH = re.compile(r"/(?:system|v1)(?:/|\s*\Z)", re.IGNORECASE)
# Ids from proxies and tracing systems (UUIDs, "Root=1-5e1b...", hex); nothing that could
# break a header or forge a log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")
HEADER = "X-Request-ID"


def is_api_path(path: str) -> bool:
    return API_PATH.match(path) is not None


def request_id(request) -> str:
    """The request's id (set by the middleware; made here for a request that skipped it)."""
    value = getattr(request, "request_id", None)
    if value is None:
        incoming = request.headers.get(HEADER, "")
        value = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = value
    return value


class RequestIdMiddleware:
    """Outermost middleware: the id exists before anything can fail, and every answer under
    the API's paths carries it, errors from other middleware included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path_info):
            return self.get_response(request)
        value = request_id(request)
        response = self.get_response(request)
        response[HEADER] = value
        return response
