"""Read-only endpoints of the objects an Order links to (every api_link answers), in the
public client's shapes, list keys and parameters:

GET /System/People[/{id}] (UsersModel `users`, UserModel), /System/People/{id}/Orders,
/System/Companies[/{id}], /System/Channels[/{id}], /System/Channels/Shippings[/{id}],
/System/Channels/Payments[/{id}], /System/Lists/Shippers[/{id}].

Each accepts exactly the query parameters the client's operation sends (ApiViewSet refuses
any other), `expanded` only where the client sends it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from orders import selectors
from orders.models import Channel, Company, Customer, PaymentMethod, Shipper, ShippingMethod

from . import schema as docs
from .filters_reference import (
    ChannelFilterSet,
    PaymentFilterSet,
    PersonFilterSet,
    PersonOrderFilterSet,
    ShippingFilterSet,
)
from .pagination import OrderPagination, page_of
from .serializers import (
    CHANNEL_TYPES,
    ChannelSerializer,
    CompanySerializer,
    CustomerSerializer,
    ErrorSerializer,
    OrderSerializer,
    PaymentMethodSerializer,
    ShipperSerializer,
    ShippingMethodSerializer,
)
from .viewsets import ID, ApiViewSet


class ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    lookup_url_kwarg = "id"
    lookup_value_regex = ID
    filterset_class = None
    # The actions that read ?expanded (where the public client sends it).
    expandable_actions: tuple[str, ...] = ()

    @property
    def expandable(self) -> bool:
        return self.action in self.expandable_actions

    def not_found(self, pk: int) -> NotFound:
        name = self.queryset.model._meta.verbose_name.capitalize()
        return NotFound(f"{name} {pk} does not exist.")

    def get_object(self):
        obj = self.get_queryset().filter(pk=self.kwargs["id"]).first()
        if obj is None:
            raise self.not_found(self.kwargs["id"])
        return obj


def _id_param(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.INT, description=f"Only those of this {what} (must exist, else 400)."
    )


def _boolean_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, OpenApiTypes.STR, enum=docs.BOOLEAN["enum"], description=description
    )


def _not_found(what: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=f"No such {what}.")


def reference_schema(
    serializer_class, key: str, what: str, *, plural: str = "", parameters=(), expanded=()
) -> extend_schema_view:
    """The schema of the list and detail of one kind of object: `parameters` on the list,
    `expanded` on the actions named in `expanded`. Summaries read "List ways of shipping"
    and "Read one way of shipping": `what` is the object in words, `plural` its plural
    (default `key`, the operation ids' word)."""

    def params(action: str) -> list:
        return [docs.EXPANDED] if action in expanded else []

    return extend_schema_view(
        list=extend_schema(
            operation_id=f"{key}_list",
            summary=f"List {plural or key}",
            parameters=[*parameters, *params("list")],
            filters=False,
            responses=docs.responses(serializer_class(many=True), 400),
        ),
        retrieve=extend_schema(
            operation_id=f"{key}_read",
            summary=f"Read one {what}",
            parameters=params("retrieve"),
            responses={**docs.responses(serializer_class, 400), 404: _not_found(what)},
        ),
    )


@reference_schema(
    CustomerSerializer,
    "people",
    "person",
    parameters=[
        OpenApiParameter(
            "channel_id",
            OpenApiTypes.INT,
            description="Customers with an order in this channel (must exist, else 400).",
        )
    ],
    expanded=("retrieve",),
)
class PersonViewSet(ReferenceViewSet):
    """GET /System/People, /System/People/{id} and /System/People/{id}/Orders."""

    queryset = Customer.objects.order_by("id")
    serializer_class = CustomerSerializer
    pagination_class = page_of("users", "Users")
    filterset_class = PersonFilterSet
    # A person has no related object to expand; the client sends `expanded` all the same.
    expandable_actions = ("retrieve", "orders")

    def get_queryset(self):
        if self.action == "orders":
            return selectors.orders_for_listing().filter(customer_id=self.kwargs["id"])
        return super().get_queryset()

    @extend_schema(
        operation_id="people_orders_list",
        summary="List one person's orders",
        parameters=[
            _boolean_param("done", "Done or not."),
            _boolean_param("canceled", "Canceled or not."),
            OpenApiParameter(
                "from", OpenApiTypes.DATETIME, description="date_order from (ISO 8601, or a date)."
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATETIME,
                description="date_order up to (ISO 8601; a date means its end).",
            ),
            docs.EXPANDED,
        ],
        filters=False,
        responses={
            **docs.responses(OrderSerializer(many=True), 400),
            404: _not_found("person"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="Orders",
        serializer_class=OrderSerializer,
        pagination_class=OrderPagination,
        filterset_class=PersonOrderFilterSet,
    )
    def orders(self, request, id: int):
        """The person's orders, as GET /System/Orders answers them (newest first), with
        its filters done, canceled, from and to."""
        if not Customer.objects.filter(pk=id).exists():
            raise self.not_found(id)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@reference_schema(CompanySerializer, "companies", "company")
class CompanyViewSet(ReferenceViewSet):
    """GET /System/Companies and /System/Companies/{id}."""

    queryset = Company.objects.order_by("id")
    serializer_class = CompanySerializer
    pagination_class = page_of("companies", "Companies")


@reference_schema(
    ChannelSerializer,
    "channels",
    "channel",
    parameters=[
        _boolean_param("active", "Active or not (every channel here is active)."),
        OpenApiParameter(
            "type",
            OpenApiTypes.STR,
            enum=list(CHANNEL_TYPES),
            description='Of this type (every channel here is "undefined").',
        ),
    ],
    expanded=("list", "retrieve"),
)
class ChannelViewSet(ReferenceViewSet):
    """GET /System/Channels and /System/Channels/{id}."""

    queryset = Channel.objects.select_related("company").order_by("id")
    serializer_class = ChannelSerializer
    pagination_class = page_of("channels", "Channels")
    filterset_class = ChannelFilterSet
    expandable_actions = ("list", "retrieve")


@reference_schema(
    ShippingMethodSerializer,
    "shippings",
    "way of shipping",
    plural="ways of shipping",
    parameters=[_id_param("channel", "channel"), _id_param("shipper", "carrier")],
    expanded=("list", "retrieve"),
)
class ShippingViewSet(ReferenceViewSet):
    """GET /System/Channels/Shippings and /System/Channels/Shippings/{id}."""

    queryset = ShippingMethod.objects.select_related("channel", "shipper").order_by("id")
    serializer_class = ShippingMethodSerializer
    pagination_class = page_of("shippings", "Shippings")
    filterset_class = ShippingFilterSet
    expandable_actions = ("list", "retrieve")


@reference_schema(
    PaymentMethodSerializer,
    "payments",
    "way of paying",
    plural="ways of paying",
    parameters=[_id_param("channel", "channel")],
    expanded=("list", "retrieve"),
)
class PaymentViewSet(ReferenceViewSet):
    """GET /System/Channels/Payments and /System/Channels/Payments/{id}."""

    queryset = PaymentMethod.objects.select_related("channel").order_by("id")
    serializer_class = PaymentMethodSerializer
    pagination_class = page_of("payments", "Payments")
    filterset_class = PaymentFilterSet
    expandable_actions = ("list", "retrieve")


@reference_schema(ShipperSerializer, "shippers", "carrier", plural="carriers")
class ShipperViewSet(ReferenceViewSet):
    """GET /System/Lists/Shippers and /System/Lists/Shippers/{id}."""

    queryset = Shipper.objects.order_by("id")
    serializer_class = ShipperSerializer
    pagination_class = page_of("shippers", "Shippers")
