"""The order's returns (ours): /System/Orders/{id}/returns.

Each action is a thin call of its service (orders/services/returns.py has the rules);
writes run through `ApiViewSet.write` (one transaction, Idempotency-Key, If-Match on the
order) and answer the Return as it is now, with the order's version as ETag.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import selectors, services
from orders.errors import NotFound
from orders.models import Order, Return

from . import schema as docs
from .authentication import actor_for
from .idempotency import etag
from .pagination import page_of
from .serializers_input import EmptySerializer
from .serializers_returns import (
    ReturnInputSerializer,
    ReturnRefundInputSerializer,
    ReturnSerializer,
)
from .viewsets import ID, ApiViewSet, order_not_found, write_schema


class OrderReturnViewSet(ApiViewSet):
    """GET and POST /System/Orders/{id}/returns, GET /returns/{return_id}, PATCH
    /returns/{return_id}/received and /rejected, POST /returns/{return_id}/refund."""

    queryset = Return.objects.none()  # the schema's path types; reads use the selector
    lookup_url_kwarg = "return_id"
    lookup_value_regex = ID
    pagination_class = page_of("returns", "OrderReturns")
    filterset_class = None

    def return_answer(self, order_id: int, return_id: int) -> Response:
        goods_return = selectors.order_returns(order_id).filter(pk=return_id).first()
        if goods_return is None:
            if not Order.objects.filter(pk=order_id).exists():
                raise order_not_found(order_id)
            raise NotFound(f"Order {order_id} has no return {return_id}.")
        data = ReturnSerializer(goods_return).data
        return Response(data, headers={"ETag": etag(goods_return.order.version)})

    def return_write(self, order_id: int, run) -> Response:
        """Run `run(actor)` (a return service) and answer the return it wrote."""

        def work():
            goods_return = run(actor_for(self.request))
            return self.return_answer(order_id, goods_return.pk)

        return self.write(work, order_id=order_id)

    @extend_schema(
        operation_id="orders_returns_list",
        summary="Read the order's returns, oldest first (our extension)",
        responses=docs.responses(ReturnSerializer(many=True), 400, 404),
    )
    def list(self, request, order_id: int):
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(selectors.order_returns(order_id))
        return self.get_paginated_response(ReturnSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_returns_read",
        summary="Read one return of the order (our extension)",
        responses=docs.responses(ReturnSerializer, 404),
    )
    def retrieve(self, request, order_id: int, return_id: int):
        return self.return_answer(order_id, return_id)

    @write_schema(
        ReturnInputSerializer,
        ReturnSerializer,
        "orders_returns_create",
        "Take goods back from delivered parcels (our extension)",
    )
    def create(self, request, order_id: int):
        """Lines (`item_id`: a product line, `count`) and the customer's `reason`; answers
        the return, state `requested`. Each line at most what was delivered (units in
        delivered parcels) and not yet returned: more is a 400 `return_exceeds_delivered`
        naming `lines[i].count`; a fee or discount line, or a line listed twice, a 400
        naming `lines[i].item_id`; an item of another order a 404. A canceled order, or
        one of which nothing is delivered yet, is a 409. A done order takes returns."""
        kwargs = self.validated(ReturnInputSerializer).service_kwargs()
        return self.return_write(
            order_id,
            lambda actor: services.return_request(order_id=order_id, actor=actor, **kwargs),
        )

    @write_schema(
        EmptySerializer,
        ReturnSerializer,
        "orders_returns_receive",
        "The return's goods arrived back (our extension)",
    )
    @action(detail=True, methods=["patch"])
    def received(self, request, order_id: int, return_id: int):
        """A requested return becomes `received`. Again on a received (or refunded) return:
        200, no change; on a rejected one: 409."""
        self.validated(EmptySerializer)
        return self.return_write(
            order_id,
            lambda actor: services.return_mark_received(
                order_id=order_id, return_id=return_id, actor=actor
            ),
        )

    @write_schema(
        ReturnRefundInputSerializer,
        ReturnSerializer,
        "orders_returns_refund",
        "Refund a received return (our extension)",
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, order_id: int, return_id: int):
        """Gives the money back for a `received` return through the refund service (POST
        /refunds' rules): its lines at their price after the order discount, not the
        shipping fee, plus an optional extra `amount`; the return's reason unless `reason`
        is given. Answers the return, state `refunded`, with `refund_id` and
        `refund_amount` (GET /refunds has the refund). A requested or rejected return is a
        409, and so is an order that holds no money or units refunded before; more than is
        paid and not yet refunded is a 400 `refund_exceeds_paid`. Again on a refunded
        return: 200, no second refund."""
        kwargs = self.validated(ReturnRefundInputSerializer).service_kwargs()
        return self.return_write(
            order_id,
            lambda actor: services.return_refund(
                order_id=order_id, return_id=return_id, actor=actor, **kwargs
            ),
        )

    @write_schema(
        EmptySerializer,
        ReturnSerializer,
        "orders_returns_reject",
        "Turn a return down (our extension)",
    )
    @action(detail=True, methods=["patch"])
    def rejected(self, request, order_id: int, return_id: int):
        """A requested or received return becomes `rejected`; its units no longer count
        as returned (they can be returned again). Again on a rejected return: 200, no
        change; on a refunded one: 409."""
        self.validated(EmptySerializer)
        return self.return_write(
            order_id,
            lambda actor: services.return_reject(
                order_id=order_id, return_id=return_id, actor=actor
            ),
        )
