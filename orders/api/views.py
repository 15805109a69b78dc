"""The /System/Orders endpoints. Each view: input serializer -> service -> output serializer.

Writes run through `idempotency.run_write` (one transaction, Idempotency-Key, If-Match).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors, services
from orders.models import Order

from . import schema as docs
from .authentication import actor_for
from .filters import filter_orders, page_query
from .idempotency import etag, run_write
from .serializers import (
    HistoryPageSerializer,
    HistoryRecordSerializer,
    IdSerializer,
    OrderSerializer,
    OrdersPageSerializer,
    OrderStatusSerializer,
    StatusesPageSerializer,
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


def validated(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


def order_not_found(order_id) -> NotFound:
    return NotFound(f"Order {order_id} does not exist.")


def order_response(request, order_id: int, *, expanded: bool = False) -> Response:
    """The full Order answer with its version as ETag."""
    order = selectors.order_with_details(order_id)
    if order is None:
        raise order_not_found(order_id)
    context = {"request": request, "expanded": expanded}
    data = OrderSerializer(order, context=context).data
    return Response(data, headers={"ETag": etag(order.version)})


def id_response(pk: int, *, order_id: int | None = None) -> Response:
    """The IdModel answer; writes to an order carry the order's new version as ETag."""
    headers = {}
    if order_id is not None:
        version = Order.objects.filter(pk=order_id).values_list("version", flat=True).first()
        if version is not None:
            headers["ETag"] = etag(version)
    return Response({"id": pk}, headers=headers)


class OrdersView(APIView):
    """POST, PUT and GET /System/Orders."""

    @extend_schema(
        operation_id="orders_list",
        summary="List orders",
        parameters=docs.ORDER_LIST_PARAMETERS,
        responses=docs.responses(OrdersPageSerializer, 400),
    )
    def get(self, request):
        query, orders = filter_orders(request.query_params, selectors.orders_for_listing())
        rows, paginator = query.paginate(orders)
        context = {"request": request, "expanded": query.expanded}
        data = OrderSerializer(rows, many=True, context=context).data
        return Response({"paginator": paginator, "orders": data})

    @extend_schema(
        operation_id="orders_create",
        summary="Create an order (with its items)",
        request=OrderCreateSerializer,
        parameters=[docs.IDEMPOTENCY_KEY],
        responses=docs.responses(IdSerializer, 400, 403, 409, 413, 415, 422),
    )
    def post(self, request):
        kwargs = validated(OrderCreateSerializer, request).service_kwargs()

        def work():
            order = services.order_create(actor=actor_for(request), **kwargs)
            return Response({"id": order.pk}, headers={"ETag": etag(order.version)})

        return run_write(request, work)

    @extend_schema(
        operation_id="orders_update_delivery",
        summary="Change an order's delivery address",
        request=OrderDeliverySerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, 400, 403, 404, 409, 412, 413, 415, 422),
    )
    def put(self, request):
        serializer = validated(OrderDeliverySerializer, request)
        order_id = serializer.validated_data["id"]

        def work():
            services.order_update_delivery_address(
                order_id=order_id, actor=actor_for(request), **serializer.address()
            )
            return id_response(order_id, order_id=order_id)

        return run_write(request, work, order_id=order_id)


class OrderDetailView(APIView):
    @extend_schema(
        operation_id="orders_read",
        summary="Read one order",
        parameters=[docs.EXPANDED],
        responses=docs.responses(OrderSerializer, 400, 404),
    )
    def get(self, request, order_id: int):
        query = page_query({"expanded": request.query_params.get("expanded", "")})
        return order_response(request, order_id, expanded=query.expanded)


class OrderStatusesView(APIView):
    @extend_schema(
        operation_id="order_statuses_list",
        summary="List the instance's order statuses",
        parameters=docs.PAGE_PARAMETERS,
        responses=docs.responses(StatusesPageSerializer, 400),
    )
    def get(self, request):
        rows, paginator = page_query(request.query_params).paginate(selectors.order_statuses())
        data = OrderStatusSerializer(rows, many=True).data
        return Response({"paginator": paginator, "statuses": data})


class OrderItemView(APIView):
    @extend_schema(
        operation_id="order_items_create",
        summary="Add an item",
        request=ItemInputSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def post(self, request, order_id: int):
        item = validated(ItemInputSerializer, request).item_data()

        def work():
            created = services.order_item_add(
                order_id=order_id, actor=actor_for(request), item=item
            )
            return id_response(created.pk, order_id=order_id)

        return run_write(request, work, order_id=order_id)

    @extend_schema(
        operation_id="order_items_update",
        summary="Change an item",
        request=ItemUpdateSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def put(self, request, order_id: int):
        serializer = validated(ItemUpdateSerializer, request)
        item_id = serializer.validated_data["id"]
        item = serializer.item_data()

        def work():
            services.order_item_update(
                order_id=order_id, item_id=item_id, actor=actor_for(request), item=item
            )
            return id_response(item_id, order_id=order_id)

        return run_write(request, work, order_id=order_id)


class OrderItemDetailView(APIView):
    @extend_schema(
        operation_id="order_items_delete",
        summary="Remove an item",
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def delete(self, request, order_id: int, item_id: int):
        validated(EmptySerializer, request)

        def work():
            services.order_item_remove(order_id=order_id, item_id=item_id, actor=actor_for(request))
            return id_response(item_id, order_id=order_id)

        return run_write(request, work, order_id=order_id)


class OrderStatusView(APIView):
    @extend_schema(
        operation_id="orders_status_assign",
        summary="Assign one of the instance's statuses",
        request=StatusInputSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(OrderSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def patch(self, request, order_id: int):
        status_id = validated(StatusInputSerializer, request).validated_data["status_id"]

        def work():
            services.order_status_assign(
                order_id=order_id, status_id=status_id, actor=actor_for(request)
            )
            return order_response(request, order_id)

        return run_write(request, work, order_id=order_id)


class OrderTrackingView(APIView):
    @extend_schema(
        operation_id="orders_tracking_add",
        summary="Add a tracking number",
        request=TrackingInputSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def post(self, request, order_id: int):
        values = validated(TrackingInputSerializer, request).validated_data

        def work():
            tracking = services.order_tracking_add(
                order_id=order_id, actor=actor_for(request), **values
            )
            return id_response(tracking.pk, order_id=order_id)

        return run_write(request, work, order_id=order_id)


class OrderHistoryView(APIView):
    @extend_schema(
        operation_id="orders_history_list",
        summary="Read the order's timeline, newest first (our extension)",
        parameters=docs.PAGE_PARAMETERS,
        responses=docs.responses(HistoryPageSerializer, 400, 404),
    )
    def get(self, request, order_id: int):
        query = page_query(request.query_params)
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        rows, paginator = query.paginate(selectors.order_history(order_id))
        data = HistoryRecordSerializer(rows, many=True).data
        return Response({"paginator": paginator, "history": data})

    @extend_schema(
        operation_id="orders_history_add",
        summary="Add a history record",
        request=HistoryInputSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(IdSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def post(self, request, order_id: int):
        values = validated(HistoryInputSerializer, request).validated_data

        def work():
            record = services.order_history_add(
                order_id=order_id,
                actor=actor_for(request),
                type=values["type"],
                name=values["record"]["name"],
                status=values["record"].get("status") or "",
            )
            return id_response(record.pk, order_id=order_id)

        return run_write(request, work, order_id=order_id)


class OrderPaidView(APIView):
    @extend_schema(
        operation_id="orders_mark_paid",
        summary="Record what the customer has paid",
        request=PaidInputSerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(OrderSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def patch(self, request, order_id: int):
        values = validated(PaidInputSerializer, request).validated_data

        def work():
            services.order_mark_paid(
                order_id=order_id,
                actor=actor_for(request),
                amount=values.get("paid"),
                payment_id=values.get("payment_id"),
                payment_status=values.get("status"),
                payment_url=values.get("url"),
            )
            return order_response(request, order_id)

        return run_write(request, work, order_id=order_id)


class TransitionSchema(AutoSchema):
    """One operation per lifecycle route, named and summed up after its service."""

    def get_operation_id(self):
        return self.view.service.__name__.replace("order_", "orders_", 1)

    def get_summary(self):
        return self.view.service.__doc__.strip().splitlines()[0]

    def get_description(self):
        return " ".join(self.view.service.__doc__.split())


class OrderTransitionView(APIView):
    """PATCH .../done, .../cancel, .../sent, .../delivered (no body needed)."""

    service = None  # set by as_view(service=...)
    schema = TransitionSchema()

    @extend_schema(
        request=EmptySerializer,
        parameters=[docs.IDEMPOTENCY_KEY, docs.IF_MATCH],
        responses=docs.responses(OrderSerializer, *docs.ORDER_WRITE_ERRORS),
    )
    def patch(self, request, order_id: int):
        validated(EmptySerializer, request)

        def work():
            self.service(order_id=order_id, actor=actor_for(request))
            return order_response(request, order_id)

        return run_write(request, work, order_id=order_id)


class NotFoundView(APIView):
    """Any other path under /System: 404 in the error shape (not Django's HTML page)."""

    authentication_classes = ()
    permission_classes = ()
    schema = None

    def _not_found(self, request, *args, **kwargs):
        raise NotFound(f"No such endpoint: {request.path}")

    get = post = put = patch = delete = head = options = _not_found
