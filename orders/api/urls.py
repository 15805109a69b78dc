"""The /System routes, relative to "System/" (mounted at /System/ and /v1/System/).

No trailing slashes; ids are integers of at most 18 digits (anything else falls through
to the 404 catch-all in config/urls.py).
"""

from django.urls import path, register_converter

from orders import services

from . import views
from . import views_reference as ref


class IdConverter:
    """An integer id that fits a database column (a 40-digit number is a 404, not a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

TRANSITIONS = {
    "done": services.order_mark_done,
    "cancel": services.order_cancel,
    "sent": services.order_mark_sent,
    "delivered": services.order_mark_delivered,
}

urlpatterns = [
    path("Orders", views.OrdersView.as_view(), name="orders"),
    path("Orders/Statuses", views.OrderStatusesView.as_view(), name="order-statuses"),
    path("Orders/<id:order_id>", views.OrderDetailView.as_view(), name="order-detail"),
    path("Orders/<id:order_id>/item", views.OrderItemView.as_view(), name="order-items"),
    path(
        "Orders/<id:order_id>/item/<id:item_id>",
        views.OrderItemDetailView.as_view(),
        name="order-item-detail",
    ),
    path("Orders/<id:order_id>/status", views.OrderStatusView.as_view(), name="order-status"),
    path("Orders/<id:order_id>/tracking", views.OrderTrackingView.as_view(), name="order-tracking"),
    path("Orders/<id:order_id>/history", views.OrderHistoryView.as_view(), name="order-history"),
    path("Orders/<id:order_id>/paid", views.OrderPaidView.as_view(), name="order-paid"),
    *[
        path(
            f"Orders/<id:order_id>/{action}",
            views.OrderTransitionView.as_view(service=service),
            name=f"order-{action}",
        )
        for action, service in TRANSITIONS.items()
    ],
    # Read-only objects an Order links to (api_link).
    path("People", ref.PeopleList.as_view(), name="person-list"),
    path("People/<id:pk>", ref.PersonDetail.as_view(), name="person-detail"),
    path("Companies", ref.CompanyList.as_view(), name="company-list"),
    path("Companies/<id:pk>", ref.CompanyDetail.as_view(), name="company-detail"),
    path("Channels", ref.ChannelList.as_view(), name="channel-list"),
    path("Channels/<id:pk>", ref.ChannelDetail.as_view(), name="channel-detail"),
    path("Channels/Shippings", ref.ShippingList.as_view(), name="shipping-list"),
    path("Channels/Shippings/<id:pk>", ref.ShippingDetail.as_view(), name="shipping-detail"),
    path("Channels/Payments", ref.PaymentList.as_view(), name="payment-list"),
    path("Channels/Payments/<id:pk>", ref.PaymentDetail.as_view(), name="payment-detail"),
    path("Lists/Shippers", ref.ShipperList.as_view(), name="shipper-list"),
    path("Lists/Shippers/<id:pk>", ref.ShipperDetail.as_view(), name="shipper-detail"),
]
