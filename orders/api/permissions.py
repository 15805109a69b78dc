from rest_framework.permissions import IsAuthenticated


class ApiKeyScopePermission(IsAuthenticated):
    pass
