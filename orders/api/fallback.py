"""Any other path under /System: 404 in the error shape (not Django's HTML page)."""

from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


class NotFoundView(APIView):
    authentication_classes = ()
    permission_classes = ()
    schema = None

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(f"No such endpoint: {request.path}")

    get = post = put = patch = delete = head = options = _not_found
