"""Answers in the error shape for what never reaches an API view: a path under /System or
/v1 that matches no route, and Django's error handlers (handler400/403/404/500 in
config/urls.py) when they fire on an API path, e.g. for a failure in a middleware or in URL
resolution. Elsewhere (the back office, the customer pages) Django's own pages stay."""

import sys

from django.http import HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.renderers import JSONRenderer

from .errors import crash_answer, error_body
from .middleware import is_api_path

# Mounted at the root: /System..., /v1..., any case, anything after them, a %0A included
# (`$` would match before a trailing newline, `.` would not cross one). Spelled without
# inline flags, which Django's URL reversing cannot read.
NOT_FOUND_ROUTE = r"^(?:[Ss][Yy][Ss][Tt][Ee][Mm]|[Vv]1)(?:/[\s\S]*|\s*)\Z"


def json_response(code: int, body: dict, headers: dict | None = None) -> HttpResponse:
    # DRF's renderer, so these bytes look like every other API answer.
    content = JSONRenderer().render(body)
    return HttpResponse(content, status=code, headers=headers, content_type="application/json")


@csrf_exempt  # a POST to an unknown path is a 404, not a CSRF refusal
def not_found(request, *args, **kwargs):
    """Any method on any API path that matches no route."""
    detail = f"No such endpoint: {request.path}"
    return json_response(status.HTTP_404_NOT_FOUND, error_body("Not found.", detail))


def bad_request(request, exception):
    if not is_api_path(request.path_info):
        return defaults.bad_request(request, exception)
    return json_response(status.HTTP_400_BAD_REQUEST, error_body("Bad request."))


def permission_denied(request, exception):
    if not is_api_path(request.path_info):
        return defaults.permission_denied(request, exception)
    return json_response(status.HTTP_403_FORBIDDEN, error_body("Permission denied."))


def page_not_found(request, exception):
    if not is_api_path(request.path_info):
        return defaults.page_not_found(request, exception)
    return not_found(request)


def server_error(request):
    """Django calls this inside its `except` block, so the exception is sys.exception()."""
    if not is_api_path(request.path_info):
        return defaults.server_error(request)
    code, body, headers = crash_answer(request, sys.exception() or RuntimeError("no exception"))
    response = json_response(code, body, headers)
    response._has_been_logged = True  # crash_answer logged it with the request id
    return response
