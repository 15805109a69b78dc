"""The /System/Orders viewsets. Each action: input serializer -> service -> output serializer.

Writes run through `ApiViewSet.write` (one transaction, Idempotency-Key, If-Match).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from invoices.api import InvoiceSerializer, order_documents
from invoices.services import invoice_issue
from orders import counts, selectors, services
from orders.models import Order

from . import schema as docs
from .authentication import actor_for
from .cursor import OrdersPagination
from .filters import KeptFilterBackend, OrderFilterSet
from .idempotency import etag
from .pagination import page_of
from .serializers import (
    HistoryRecordSerializer,
    IdSerializer,
    OrderSerializer,
    OrderStatusSerializer,
)
from .serializers_input import (
    EmptySerializer,
    HistoryInputSerializer,
    ItemInputSerializer,
    ItemUpdateSerializer,
    OrderCreateSerializer,
    OrderDeliverySerializer,
    PaidInputSerializer,
    StatusInputSerializer,
    TrackingInputSerializer,
)
from .views_money import OrderMoneyActions
from .viewsets import ID, ApiViewSet, order_not_found, write_schema


def transition(name: str, service):
    """PATCH /Orders/{id}/<name>: one lifecycle service, named and documented after it."""

    def run(self, request, order_id: int):
        self.validated(EmptySerializer)
        return self.order_write(order_id, lambda actor: service(order_id=order_id, actor=actor))

    run.__name__ = name
    docstring = " ".join(service.__doc__.split())
    schema = write_schema(
        EmptySerializer,
        OrderSerializer,
        service.__name__.replace("order_", "orders_", 1),
        # The docstring's first sentence ("Cancel the order"); the rest is the rule.
        docstring.split(". ", 1)[0].rstrip("."),
        description=docstring,
    )
    # extend_schema goes outside: @action replaces the function's `kwargs` it would use.
    return schema(action(detail=True, methods=["patch"])(run))


@extend_schema_view(
    list=extend_schema(
        operation_id="orders_list",
        summary="List orders",
        parameters=docs.ORDER_LIST_PARAMETERS,
        filters=False,
        responses=docs.responses(OrderSerializer(many=True), 400),
    ),
    retrieve=extend_schema(
        operation_id="orders_read",
        summary="Read one order",
        parameters=[docs.EXPANDED],
        responses=docs.responses(OrderSerializer, 400, 404),
    ),
)
class OrderViewSet(OrderMoneyActions, mixins.ListModelMixin, ApiViewSet):
    """GET, POST and PUT /System/Orders; GET /System/Orders/{id} and its actions."""

    queryset = selectors.orders_for_listing()
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    filter_backends = [KeptFilterBackend]
    pagination_class = OrdersPagination
    lookup_url_kwarg = "order_id"
    lookup_value_regex = ID
    expandable = True

    def order_answer(self, order_id: int) -> Response:
        """The full Order answer (read with everything it shows) with its version as ETag."""
        context = self.get_serializer_context()
        order = selectors.order_with_details(order_id, expanded=context["expanded"])
        if order is None:
            raise order_not_found(order_id)
        data = OrderSerializer(order, context=context).data
        return Response(data, headers={"ETag": etag(order.version)})

    def order_write(self, order_id: int, run) -> Response:
        """Run `run(actor)` (a service) on the order and answer the order as it is now,
        read with only the rows the answer shows."""

        def work():
            run(actor_for(self.request))
            context = self.get_serializer_context()
            order = selectors.order_with_details(order_id, expanded=context["expanded"])
            data = OrderSerializer(order, context=context).data
            return Response(data, headers={"ETag": etag(order.version)})

        return self.write(work, order_id=order_id)

    def order_total(self) -> int | None:
        """The listing's total from the order counters, or None when its filters are not
        all kept there (or the database keeps none): then the paginator counts the rows."""
        filterset = getattr(self, "filterset", None)
        filters = filterset.counted() if filterset is not None else None
        if filters is None or not counts.kept():
            return None
        return counts.order_total(**filters)

    def retrieve(self, request, order_id: int):
        return self.order_answer(order_id)

    @extend_schema(
        operation_id="orders_create",
        summary="Create an order (with its items)",
        request=OrderCreateSerializer,
        parameters=[docs.IDEMPOTENCY_KEY],
        responses=docs.responses(IdSerializer, 400, 403, 409, 413, 415, 422),
    )
    def create(self, request):
        kwargs = self.validated(OrderCreateSerializer).service_kwargs()

        def work():
            order = services.order_create(actor=actor_for(request), **kwargs)
            return Response({"id": order.pk}, headers={"ETag": etag(order.version)})

        return self.write(work)

    @extend_schema(
        operation_id="orders_update_delivery",
        summary="Change an order's delivery address",
        request=OrderDeliverySerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, 400, 403, 404, 409, 412, 413, 415, 422),
    )
    def collection_put(self, request):
        serializer = self.validated(OrderDeliverySerializer)
        order_id = serializer.validated_data["id"]
        return self.id_write(
            order_id,
            lambda actor: (
                services.order_update_delivery_address(
                    order_id=order_id, actor=actor, **serializer.address()
                ).pk
            ),
        )

    @write_schema(
        StatusInputSerializer,
        OrderSerializer,
        "orders_status_assign",
        "Assign one of the instance's statuses",
    )
    @action(detail=True, methods=["patch"])
    def status(self, request, order_id: int):
        status_id = self.validated(StatusInputSerializer).validated_data["status_id"]
        return self.order_write(
            order_id,
            lambda actor: services.order_status_assign(
                order_id=order_id, status_id=status_id, actor=actor
            ),
        )

    @write_schema(
        TrackingInputSerializer, IdSerializer, "orders_tracking_add", "Add a tracking number"
    )
    @action(detail=True, methods=["post"])
    def tracking(self, request, order_id: int):
        values = self.validated(TrackingInputSerializer).validated_data
        return self.id_write(
            order_id,
            lambda actor: services.order_tracking_add(order_id=order_id, actor=actor, **values).pk,
        )

    @extend_schema(
        operation_id="orders_history_list",
        summary="Read the order's timeline, newest first (our extension)",
        responses=docs.responses(HistoryRecordSerializer(many=True), 400, 404),
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=page_of("history", "OrderHistory"),
        filterset_class=None,
        expandable=False,
    )
    def history(self, request, order_id: int):
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(selectors.order_history(order_id))
        return self.get_paginated_response(HistoryRecordSerializer(page, many=True).data)

    @write_schema(
        HistoryInputSerializer, IdSerializer, "orders_history_add", "Add a history record"
    )
    @history.mapping.post
    def history_add(self, request, order_id: int):
        values = self.validated(HistoryInputSerializer).validated_data
        return self.id_write(
            order_id,
            lambda actor: (
                services.order_history_add(
                    order_id=order_id,
                    actor=actor,
                    type=values["type"],
                    name=values["record"]["name"],
                    status=values["record"].get("status") or "",
                ).pk
            ),
        )

    @write_schema(
        PaidInputSerializer,
        OrderSerializer,
        "orders_mark_paid",
        "Record what the customer has paid",
    )
    @action(detail=True, methods=["patch"])
    def paid(self, request, order_id: int):
        values = self.validated(PaidInputSerializer).validated_data
        return self.order_write(
            order_id,
            lambda actor: services.order_mark_paid(
                order_id=order_id,
                actor=actor,
                amount=values.get("paid"),
                payment_id=values.get("payment_id"),
                payment_status=values.get("status"),
                payment_url=values.get("url"),
                reason=values.get("reason"),
            ),
        )

    @write_schema(
        EmptySerializer,
        InvoiceSerializer,
        "orders_invoice_issue",
        "Issue the order's invoice (our extension)",
    )
    @action(detail=True, methods=["post"])
    def invoice(self, request, order_id: int):
        """Issue the order's invoice now: a numbered, unchangeable snapshot of the seller,
        the buyer, the lines and the money, in the seller's series of the year. Answers the
        invoice with its PDF link. An order has one invoice (409 `already_invoiced`);
        a canceled order, one without a seller or lines is refused (409), and so is an
        invalid buyer VAT or company number (400 naming the field)."""
        self.validated(EmptySerializer)

        def work():
            invoice = invoice_issue(order_id=order_id, actor=actor_for(request))
            document = order_documents(order_id).get(pk=invoice.pk)
            version = Order.objects.filter(pk=order_id).values_list("version", flat=True)[0]
            data = InvoiceSerializer(document, context=self.get_serializer_context()).data
            return Response(data, headers={"ETag": etag(version)})

        return self.write(work, order_id=order_id)

    @extend_schema(
        operation_id="orders_invoices_list",
        summary="List the order's invoice and credit notes, oldest first (our extension)",
        responses=docs.responses(InvoiceSerializer(many=True), 400, 404),
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=page_of("invoices", "OrderInvoices"),
        filterset_class=None,
        expandable=False,
    )
    def invoices(self, request, order_id: int):
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(order_documents(order_id))
        context = self.get_serializer_context()
        return self.get_paginated_response(InvoiceSerializer(page, many=True, context=context).data)

    done = transition("done", services.order_mark_done)
    cancel = transition("cancel", services.order_cancel)
    sent = transition("sent", services.order_mark_sent)
    delivered = transition("delivered", services.order_mark_delivered)


class OrderItemViewSet(ApiViewSet):
    """POST and PUT /System/Orders/{id}/item, DELETE /System/Orders/{id}/item/{item_id}."""

    lookup_url_kwarg = "item_id"
    lookup_value_regex = ID
    pagination_class = None
    filterset_class = None

    @write_schema(ItemInputSerializer, IdSerializer, "order_items_create", "Add an item")
    def create(self, request, order_id: int):
        item = self.validated(ItemInputSerializer).item_data()
        return self.id_write(
            order_id,
            lambda actor: services.order_item_add(order_id=order_id, actor=actor, item=item).pk,
        )

    @write_schema(ItemUpdateSerializer, IdSerializer, "order_items_update", "Change an item")
    def collection_put(self, request, order_id: int):
        serializer = self.validated(ItemUpdateSerializer)
        item_id, item = serializer.validated_data["id"], serializer.item_data()
        return self.id_write(
            order_id,
            lambda actor: (
                services.order_item_update(
                    order_id=order_id, item_id=item_id, actor=actor, item=item
                ).pk
            ),
        )

    @write_schema(None, IdSerializer, "order_items_delete", "Remove an item")
    def destroy(self, request, order_id: int, item_id: int):
        self.validated(EmptySerializer)

        def remove(actor) -> int:
            services.order_item_remove(order_id=order_id, item_id=item_id, actor=actor)
            return item_id

        return self.id_write(order_id, remove)


@extend_schema_view(
    list=extend_schema(
        operation_id="order_statuses_list",
        summary="List the instance's order statuses",
        responses=docs.responses(OrderStatusSerializer(many=True), 400),
    )
)
class OrderStatusViewSet(mixins.ListModelMixin, ApiViewSet):
    """GET /System/Orders/Statuses."""

    queryset = selectors.order_statuses()
    serializer_class = OrderStatusSerializer
    pagination_class = page_of("statuses", "OrderStatuses")
    filterset_class = None
