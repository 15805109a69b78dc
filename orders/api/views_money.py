"""The order's money actions (ours), mixed into OrderViewSet: its shipping and payment
methods, the order discount, the payments ledger and refunds.

Each is a thin call of its service (orders/services/fees.py, discounts.py, refunds.py);
writes run through `order_write` / `id_write` (one transaction, Idempotency-Key, If-Match).
"""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from orders import selectors, services
from orders.models import Order

from . import schema as docs
from .pagination import page_of
from .serializers import IdSerializer, OrderSerializer, PaymentSerializer, RefundSerializer
from .serializers_input import (
    DiscountInputSerializer,
    EmptySerializer,
    PaymentMethodInputSerializer,
    RefundInputSerializer,
    ShippingMethodInputSerializer,
)
from .viewsets import order_not_found, write_schema

LIST = {"detail": True, "methods": ["get"], "filterset_class": None, "expandable": False}


class OrderMoneyActions:
    """PATCH shipping and payment, PUT and DELETE discount, GET payments, GET and POST
    refunds on /System/Orders/{id}. Expects an ApiViewSet with `order_write`."""

    @write_schema(
        ShippingMethodInputSerializer,
        OrderSerializer,
        "orders_shipping_set",
        "Set, change or remove the shipping method and its fee (our extension)",
    )
    @action(detail=True, methods=["patch"])
    def shipping(self, request, order_id: int):
        """The order's shipping method (`shipping_id`, null for none) and its fee line (an
        item of kind `shipping`: the method's price and VAT now, in the order's currency).
        Only while the order is open and not sent (409 `fees_locked`); an unknown method is
        a 400 naming `shipping_id`; a refunded fee cannot be replaced (409)."""
        shipping_id = self.validated(ShippingMethodInputSerializer).validated_data["shipping_id"]
        return self.order_write(
            order_id,
            lambda actor: services.order_set_shipping_method(
                order_id=order_id, actor=actor, shipping_id=shipping_id
            ),
        )

    @write_schema(
        PaymentMethodInputSerializer,
        OrderSerializer,
        "orders_payment_set",
        "Set, change or remove the payment method and its fee (our extension)",
    )
    @action(detail=True, methods=["patch"])
    def payment(self, request, order_id: int):
        """The order's payment method (`payment_id`, a method id or null for none) and its
        fee line (an item of kind `payment`). Not the gateway's `payment_id` text of PATCH
        /paid. Only while the order is open and not sent (409 `fees_locked`); an unknown
        method is a 400 naming `payment_id`."""
        payment_id = self.validated(PaymentMethodInputSerializer).validated_data["payment_id"]
        return self.order_write(
            order_id,
            lambda actor: services.order_set_payment_method(
                order_id=order_id, actor=actor, payment_id=payment_id
            ),
        )

    @write_schema(
        DiscountInputSerializer,
        OrderSerializer,
        "orders_discount_set",
        "Give the order a discount, replacing any (our extension)",
    )
    @action(detail=True, methods=["put"])
    def discount(self, request, order_id: int):
        """An amount (with VAT, in the order's currency) or a percentage of the goods, with
        a reason. Its lines (items of kind `discount`, one per VAT rate) follow the goods;
        fees are not discounted. Only while the order is open and not sent (409
        `discount_locked`)."""
        values = self.validated(DiscountInputSerializer).validated_data
        return self.order_write(
            order_id,
            lambda actor: services.order_discount_set(order_id=order_id, actor=actor, **values),
        )

    @write_schema(
        None, OrderSerializer, "orders_discount_remove", "Take the discount away (our extension)"
    )
    @discount.mapping.delete
    def discount_remove(self, request, order_id: int):
        """Removing a discount the order does not have changes nothing (200). Only while
        the order is open and not sent (409 `discount_locked`)."""
        self.validated(EmptySerializer)
        return self.order_write(
            order_id,
            lambda actor: services.order_discount_remove(order_id=order_id, actor=actor),
        )

    @extend_schema(
        operation_id="orders_payments_list",
        summary="Read the order's payments ledger, oldest first (our extension)",
        responses=docs.responses(PaymentSerializer(many=True), 400, 404),
    )
    @action(**LIST, pagination_class=page_of("payments", "OrderPayments"))
    def payments(self, request, order_id: int):
        """Every payment, correction and refund recorded for the order (PATCH /paid, POST
        /refunds, the back office). `paid` is the sum of the `success` records."""
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(selectors.order_payments(order_id))
        context = self.get_serializer_context()
        return self.get_paginated_response(PaymentSerializer(page, many=True, context=context).data)

    @extend_schema(
        operation_id="orders_refunds_list",
        summary="Read the order's refunds, oldest first (our extension)",
        responses=docs.responses(RefundSerializer(many=True), 400, 404),
    )
    @action(**LIST, pagination_class=page_of("refunds", "OrderRefunds"))
    def refunds(self, request, order_id: int):
        if not Order.objects.filter(pk=order_id).exists():
            raise order_not_found(order_id)
        page = self.paginate_queryset(selectors.order_refunds(order_id))
        return self.get_paginated_response(RefundSerializer(page, many=True).data)

    @write_schema(
        RefundInputSerializer, IdSerializer, "orders_refund", "Give money back (our extension)"
    )
    @refunds.mapping.post
    def refund_create(self, request, order_id: int):
        """Lines (`item_id`, `count`: products and fees, not discount lines) and/or an extra
        `amount`, with a reason; answers the refund's id. A product line is refunded at its
        price after the order discount, a fee at its price. Refused with 409 when the order
        holds no money (nothing paid); a refund larger than what is paid and not yet
        refunded is a 400 `refund_exceeds_paid` naming `amount` or `lines`, more units than
        are left of a line a 400 naming `lines[i].count`; an item not of this order is a
        404. The order's state does not change (a done order stays done)."""
        kwargs = self.validated(RefundInputSerializer).service_kwargs()
        return self.id_write(
            order_id,
            lambda actor: services.order_refund(order_id=order_id, actor=actor, **kwargs).pk,
        )
