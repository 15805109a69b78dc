"""Read-only endpoints of the objects an Order links to, so every api_link answers:
/System/People, /System/Companies, /System/Channels, /System/Channels/Shippings,
/System/Channels/Payments, /System/Lists/Shippers (list and detail)."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import Channel, Company, Customer, PaymentMethod, Shipper, ShippingMethod

from . import schema as docs
from .filters import page_query
from .serializers import (
    ChannelSerializer,
    CompanySerializer,
    CustomerSerializer,
    PaymentMethodSerializer,
    ShipperSerializer,
    ShippingMethodSerializer,
    paginated_serializer,
)


def reference_views(model, serializer_class, key: str, label: str):
    """A (list view, detail view) pair for one kind of related object."""
    page_schema = paginated_serializer(f"{label}Page", key, serializer_class)

    class ListView(APIView):
        @extend_schema(
            operation_id=f"{key}_list",
            summary=f"List {key}",
            parameters=docs.PAGE_PARAMETERS,
            responses=docs.responses(page_schema, 400),
        )
        def get(self, request):
            queryset = model.objects.order_by("id")
            rows, paginator = page_query(request.query_params).paginate(queryset)
            data = serializer_class(rows, many=True, context={"request": request}).data
            return Response({"paginator": paginator, key: data})

    class DetailView(APIView):
        @extend_schema(
            operation_id=f"{key}_read",
            summary=f"Read one of {key}",
            responses=docs.responses(serializer_class, 404),
        )
        def get(self, request, pk: int):
            obj = model.objects.filter(pk=pk).first()
            if obj is None:
                raise NotFound(f"{model._meta.verbose_name.capitalize()} {pk} does not exist.")
            return Response(serializer_class(obj, context={"request": request}).data)

    ListView.__name__ = ListView.__qualname__ = f"{label}ListView"
    DetailView.__name__ = DetailView.__qualname__ = f"{label}DetailView"
    return ListView, DetailView


PeopleList, PersonDetail = reference_views(Customer, CustomerSerializer, "people", "Person")
CompanyList, CompanyDetail = reference_views(Company, CompanySerializer, "companies", "Company")
ChannelList, ChannelDetail = reference_views(Channel, ChannelSerializer, "channels", "Channel")
ShippingList, ShippingDetail = reference_views(
    ShippingMethod, ShippingMethodSerializer, "shippings", "Shipping"
)
PaymentList, PaymentDetail = reference_views(
    PaymentMethod, PaymentMethodSerializer, "payments", "Payment"
)
ShipperList, ShipperDetail = reference_views(Shipper, ShipperSerializer, "shippers", "Shipper")
