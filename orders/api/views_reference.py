"""Read-only endpoints of the objects an Order links to, so every api_link answers:
/System/People, /System/Companies, /System/Channels, /System/Channels/Shippings,
/System/Channels/Payments, /System/Lists/Shippers (list and detail)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import NotFound

from orders.models import Channel, Company, Customer, PaymentMethod, Shipper, ShippingMethod

from . import schema as docs
from .pagination import page_of
from .serializers import (
    ChannelSerializer,
    CompanySerializer,
    CustomerSerializer,
    PaymentMethodSerializer,
    ShipperSerializer,
    ShippingMethodSerializer,
)
from .viewsets import ApiViewSet

ID = r"[0-9]{1,18}"


class ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    lookup_url_kwarg = "id"
    lookup_value_regex = ID
    filterset_class = None

    def get_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["id"]).first()
        if obj is None:
            name = self.queryset.model._meta.verbose_name.capitalize()
            raise NotFound(f"{name} {self.kwargs['id']} does not exist.")
        return obj


def reference_viewset(model, serializer_class, key: str, label: str) -> type[ReferenceViewSet]:
    """The list and detail endpoints of one kind of related object."""
    schema = extend_schema_view(
        list=extend_schema(
            operation_id=f"{key}_list",
            summary=f"List {key}",
            responses=docs.responses(serializer_class(many=True), 400),
        ),
        retrieve=extend_schema(
            operation_id=f"{key}_read",
            summary=f"Read one of {key}",
            responses=docs.responses(serializer_class, 404),
        ),
    )
    attrs = {
        "queryset": model.objects.order_by("id"),
        "serializer_class": serializer_class,
        "pagination_class": page_of(key, f"{label}Page"),
    }
    return schema(type(f"{label}ViewSet", (ReferenceViewSet,), attrs))


PersonViewSet = reference_viewset(Customer, CustomerSerializer, "people", "Person")
CompanyViewSet = reference_viewset(Company, CompanySerializer, "companies", "Company")
ChannelViewSet = reference_viewset(Channel, ChannelSerializer, "channels", "Channel")
ShippingViewSet = reference_viewset(
    ShippingMethod, ShippingMethodSerializer, "shippings", "Shipping"
)
PaymentViewSet = reference_viewset(PaymentMethod, PaymentMethodSerializer, "payments", "Payment")
ShipperViewSet = reference_viewset(Shipper, ShipperSerializer, "shippers", "Shipper")
