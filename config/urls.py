from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health_view
from orders.api import fallback

# The API answers at the root (as the Retailys API does) and under /v1.
api_routes = [
    path("System/schema", SpectacularAPIView.as_view(), name="schema"),
    path("System/docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("System/", include("orders.api.urls")),
]

urlpatterns = [
    # Where the admin's "View site" leads: links to the back office, the API console and docs.
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("health", health_view, name="health"),
    # Before the admin: its old addresses of the webhook and delivery pages redirect.
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
    # The back office's language selector posts here (Django's set_language: the cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include((api_routes, "api"), namespace="api")),
    path("v1/", include((api_routes, "api"), namespace="api-v1")),
    path("", include("orders.urls")),
    path("", include("invoices.urls")),
    # Keep last: any other path under /System or /v1 (any case) is a 404 in the error shape.
    re_path(fallback.NOT_FOUND_ROUTE, fallback.not_found, name="api-not-found"),
]

# On API paths these answer in the error shape; elsewhere they are Django's own pages.
handler400 = fallback.bad_request
handler403 = fallback.permission_denied
handler404 = fallback.page_not_found
handler500 = fallback.server_error
