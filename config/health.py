"""GET /health: is this instance able to serve? For load balancers and uptime checks."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health_view(request):
    """200 {"status": "ok"} when the database answers a trivial query, else 503
    {"status": "error"}. No authentication, and no detail that would help an attacker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer.")
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})
