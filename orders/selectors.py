"""Reads shared by the API, the admin and the commands: one efficient query shape."""

from django.db.models import Prefetch, QuerySet

from .models import HistoryRecord, Order, OrderItem, Tracking

RELATED = ("customer", "company", "channel", "status", "shipping", "payment")


def orders_with_details() -> QuerySet[Order]:
    """Orders with everything an Order answer shows, in a fixed number of queries."""
    return Order.objects.select_related(*RELATED).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        Prefetch("trackings", queryset=Tracking.objects.select_related("shipper").order_by("id")),
    )


def order_history(order_id: int) -> QuerySet[HistoryRecord]:
    """The order's timeline, newest first."""
    return HistoryRecord.objects.filter(order_id=order_id).select_related("user", "api_key")
