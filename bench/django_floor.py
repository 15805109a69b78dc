"""The Django floor: the floor's hand-written SQL answered through Django and DRF.

`bench.run --django-floor` serves it beside our app and the floor, to split the gap
between them: floor -> this = what any Django app with DRF pays per request (the WSGI
handler, our middleware, URL resolving, a DRF view with our authentication, permission,
throttles and orjson renderer, the API-key lookup through the ORM); this -> ours = what
our views, the ORM reads and the serializing add on top. The answer bodies are the
floor's, read from its own psycopg connection with its SQL (bench/floor.py), so only the
request cycle differs from the floor.

Served with DJANGO_SETTINGS_MODULE=bench.django_floor_settings (the project's settings,
this module as the URLconf). It answers only the benchmarked reads: GET /System/Orders and
GET /System/Orders/{id}.
"""

from django.urls import re_path
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.floor import BadRequest, from_environment

# One per worker process, like the floor's; it connects on its first request.
floor = from_environment()


class FloorAnswerView(APIView):
    """DRF's request cycle with the project's API settings; the floor's answer."""

    def get(self, request, *args, **kwargs):
        if floor.connection is None or floor.connection.closed:
            floor.connection = floor.connect()
        try:
            status, body = floor.route(request.path, request.META.get("QUERY_STRING", ""))
        except BadRequest as error:
            return Response(floor.error("Invalid input.", str(error)), status=400)
        return Response(body, status=int(status[:3]))


urlpatterns = [re_path(r"^System/Orders(?:/[0-9]{1,18})?$", FloorAnswerView.as_view())]
