"""Returns on the wire (ours): the Return answer and the bodies of its writes."""

from decimal import Decimal

from rest_framework import serializers

from orders.models import Refund, Return, ReturnLine, ReturnState

from .serializers import MONEY, WireModelSerializer
from .serializers_input import (
    MAX_COUNT,
    AmountField,
    StrictIntegerField,
    StrictSerializer,
    column,
    required_column,
)


class ReturnLineSerializer(serializers.ModelSerializer):
    item_id = serializers.IntegerField(help_text="The product line (item) of the order.")
    name = serializers.CharField(source="item.name")

    class Meta:
        model = ReturnLine
        fields = ["item_id", "name", "count"]


class ReturnSerializer(WireModelSerializer):
    """Goods the customer sends back: requested -> received -> refunded, or rejected."""

    state = serializers.ChoiceField(choices=ReturnState.choices)
    lines = ReturnLineSerializer(many=True, source="lines.all")
    refund_id = serializers.IntegerField(
        allow_null=True, help_text="The refund that paid it (GET /refunds), once refunded."
    )
    refund_amount = serializers.DecimalField(
        **MONEY, source="refund.amount", allow_null=True, help_text="What that refund gave back."
    )
    currency = serializers.CharField(source="order.order_currency_code")

    class Meta:
        model = Return
        fields = [
            "id",
            "state",
            "reason",
            "lines",
            "refund_id",
            "refund_amount",
            "currency",
            "actor",
            "source",
            "created_at",
            "date_received",
            "date_refunded",
            "date_rejected",
        ]


class ReturnLineInputSerializer(StrictSerializer):
    item_id = StrictIntegerField(min_value=1, help_text="A product line (item) of the order.")
    count = StrictIntegerField(min_value=1, max_value=MAX_COUNT)


class ReturnInputSerializer(StrictSerializer):
    """POST /Orders/{id}/returns: which delivered products come back, and why."""

    reason = required_column(Return, "reason")
    lines = ReturnLineInputSerializer(many=True)  # none: the service names `lines`

    def service_kwargs(self) -> dict:
        """Keyword arguments of services.return_request."""
        values = self.validated_data
        return {
            "reason": values["reason"],
            "lines": [(line["item_id"], line["count"]) for line in values["lines"]],
        }


class ReturnRefundInputSerializer(StrictSerializer):
    """POST /Orders/{id}/returns/{return_id}/refund: nothing, or an extra amount and the
    refund's own reason."""

    amount = AmountField(
        required=False,
        allow_null=True,
        min_value=Decimal("0"),
        help_text="Given back beyond the return's lines (return postage, goodwill), with VAT.",
    )
    reason = column(Refund, "reason", help_text="The refund's reason; default: the return's.")

    def service_kwargs(self) -> dict:
        """Keyword arguments of services.return_refund."""
        values = self.validated_data
        return {"amount": values.get("amount"), "reason": values.get("reason") or None}
