from django.contrib import admin
from django.urls import include, path

from orders.api.feed import OrderEventFeedView

# The API answers at the root (as the Retailys API does) and under /v1.
api_routes = [
    path("System/Orders/Events", OrderEventFeedView.as_view(), name="order-events"),
    path("System/", include("orders.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((api_routes, "api"), namespace="api")),
    path("v1/", include((api_routes, "api"), namespace="api-v1")),
    path("", include("orders.urls")),
]
