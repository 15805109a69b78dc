"""Placeholder for the change feed GET /System/Orders/Events (issue 5)."""

from rest_framework.response import Response
from rest_framework.views import APIView


class OrderEventFeedView(APIView):
    def get(self, request):
        return Response({"events": [], "next_cursor": None})
