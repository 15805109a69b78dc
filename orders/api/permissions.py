"""What a caller may do: any valid key or staff session reads; writes need a read-write key
(or staff)."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from orders.models import ApiKey


class ApiKeyScopePermission(BasePermission):
    message = "This API key is read-only; it cannot change orders."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiKey):
            return request.method in SAFE_METHODS or not request.auth.read_only
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)
