from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health_view
from orders.api.fallback import NotFoundView

# The API answers at the root (as the Retailys API does) and under /v1.
api_routes = [
    path("System/schema", SpectacularAPIView.as_view(), name="schema"),
    path("System/docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("System/", include("orders.api.urls")),
    # Keep last: any other path under /System is a 404 in the API's error shape.
    re_path(r"^System(/.*)?$", NotFoundView.as_view(), name="not-found"),
]

urlpatterns = [
    path("health", health_view, name="health"),
    path("admin/", admin.site.urls),
    path("", include((api_routes, "api"), namespace="api")),
    path("v1/", include((api_routes, "api"), namespace="api-v1")),
    path("", include("orders.urls")),
]
