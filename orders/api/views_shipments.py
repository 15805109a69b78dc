"""Parcels of an order (ours): /System/Orders/{id}/shipments.

POST and GET the list, GET one, PATCH one's /sent, /delivered and /returned (to sender),
DELETE a packed one. Thin calls of orders/services/shipments.py; writes run through
`ApiViewSet.write` (one transaction, Idempotency-Key, If-Match on the order's version)
and answer the parcel with the order's new version as ETag.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from orders import selectors, services
from orders.errors import NotFound
from orders.models import Order, Shipment

from . import schema as docs
from .authentication import actor_for
from .idempotency import etag
from .pagination import page_of
from .serializers import IdSerializer
from .serializers_input import EmptySerializer
from .serializers_shipments import ShipmentInputSerializer, ShipmentSerializer
from .viewsets import ID, ApiViewSet, order_not_found, write_schema


def parcel_step(step: str, service, summary: str):
    """PATCH /shipments/{shipment_id}/<step>: one parcel service, answering the parcel."""

    def run(self, request, order_id: int, shipment_id: int):
        self.validated(EmptySerializer)
        return self.shipment_write(
            order_id,
            lambda actor: service(order_id=order_id, shipment_id=shipment_id, actor=actor),
        )

    run.__name__ = step
    docstring = " ".join(service.__doc__.split())
    schema = write_schema(
        EmptySerializer,
        ShipmentSerializer,
        f"order_shipments_{step}",
        summary,
        description=f"{docstring} Repeating a step the parcel made changes nothing (200); "
        "any other step is refused (409, naming the parcel's state and what it allows).",
    )
    return schema(action(detail=True, methods=["patch"])(run))


@extend_schema_view(
    list=extend_schema(
        operation_id="order_shipments_list",
        summary="List the order's parcels, oldest first (our extension)",
        responses=docs.responses(ShipmentSerializer(many=True), 400, 404),
    ),
    retrieve=extend_schema(
        operation_id="order_shipments_read",
        summary="Read one parcel of the order (our extension)",
        responses=docs.responses(ShipmentSerializer, 400, 404),
    ),
)
class OrderShipmentViewSet(ApiViewSet):
    """GET and POST /System/Orders/{id}/shipments, GET and DELETE .../{shipment_id},
    PATCH .../{shipment_id}/sent, /delivered, /returned."""

    queryset = Shipment.objects.none()  # the schema's model; reads use the selector
    lookup_url_kwarg = "shipment_id"
    lookup_value_regex = ID
    pagination_class = page_of("shipments", "OrderShipments")
    filterset_class = None

    def shipment_answer(self, order_id: int, shipment_id: int) -> Response:
        shipment = selectors.order_shipments(order_id).filter(pk=shipment_id).first()
        if shipment is None:
            if not Order.objects.filter(pk=order_id).exists():
                raise order_not_found(order_id)
            # As the parcel services say it (PATCH, DELETE): one message for one miss.
            raise NotFound(
                f"Order {order_id} has no parcel {shipment_id}.", code="shipment_not_found"
            )
        version = Order.objects.filter(pk=order_id).values_list("version", flat=True)[0]
        return Response(ShipmentSerializer(shipment).data, headers={"ETag": etag(version)})

    def shipment_write(self, order_id: int, run) -> Response:
        """Run `run(actor)` (a parcel service) and answer the parcel as it is now."""

        def work():
            shipment = run(actor_for(self.request))
            return self.shipment_answer(order_id, shipment.pk)

        return self.write(work, order_id=order_id)

    def list(self, request, order_id: int):
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(selectors.order_shipments(order_id))
        return self.get_paginated_response(ShipmentSerializer(page, many=True).data)

    def retrieve(self, request, order_id: int, shipment_id: int):
        return self.shipment_answer(order_id, shipment_id)

    @write_schema(
        ShipmentInputSerializer,
        ShipmentSerializer,
        "order_shipments_create",
        "Pack a parcel (our extension)",
    )
    def create(self, request, order_id: int):
        """Units of the order's product lines (`lines`: `item_id`, `count`), or without
        `lines` every unit not yet in a parcel; a carrier's `shipper_id` and
        `tracking_number` (both or neither) and a `weight` in kg (default: the lines'
        weight). Answers the parcel (state `packed`). A line holds at most what is ordered
        and not yet in a parcel (400 `lines[i].count`); a fee or discount line is a 400
        naming `lines[i].item_id`, an item not of this order a 404; a done or canceled
        order, or one with nothing waiting, a 409; a tracking number of another order or
        parcel a 409."""
        kwargs = self.validated(ShipmentInputSerializer).service_kwargs()
        return self.shipment_write(
            order_id,
            lambda actor: services.shipment_create(order_id=order_id, actor=actor, **kwargs),
        )

    @write_schema(None, IdSerializer, "order_shipments_cancel", "Cancel a packed parcel (ours)")
    def destroy(self, request, order_id: int, shipment_id: int):
        """A packed parcel that has not left is dropped: its units wait again. Answers its
        id. A parcel that was sent is refused (409): it is delivered or returned instead."""
        self.validated(EmptySerializer)
        return self.id_write(
            order_id,
            lambda actor: services.shipment_cancel(
                order_id=order_id, shipment_id=shipment_id, actor=actor
            ),
        )

    sent = parcel_step("sent", services.shipment_mark_sent, "Mark a parcel sent (our extension)")
    delivered = parcel_step(
        "delivered", services.shipment_mark_delivered, "Mark a parcel delivered (our extension)"
    )
    returned = parcel_step(
        "returned",
        services.shipment_mark_returned,
        "Mark a parcel returned to sender (our extension)",
    )
