"""Parcels on the wire (ours): the Shipment answer and the body that packs one."""

from decimal import Decimal

from rest_framework import serializers

from orders.models import Shipment, ShipmentLine, ShipmentState, Tracking

from .serializers import WireModelSerializer
from .serializers_input import MAX_COUNT, AmountField, StrictIntegerField, StrictSerializer, column


class ShipmentLineSerializer(WireModelSerializer):
    item_id = serializers.IntegerField(help_text="A product line (item) of the order.")

    class Meta:
        model = ShipmentLine
        fields = ["item_id", "count"]


class ShipmentSerializer(WireModelSerializer):
    """A parcel: the units of the order's product lines it holds, its carrier's tracking
    number, its weight and its state: packed -> sent -> delivered, or sent -> returned
    (to sender: its units wait again)."""

    state = serializers.ChoiceField(choices=ShipmentState.choices)
    lines = ShipmentLineSerializer(many=True, source="lines.all")
    shipper_id = serializers.IntegerField(
        source="tracking.shipper_id", allow_null=True, default=None
    )
    tracking_number = serializers.CharField(
        source="tracking.tracking_number", allow_null=True, default=None
    )
    tracking_url = serializers.CharField(
        allow_null=True, help_text="The carrier's page of the parcel (from its URL template)."
    )
    weight = serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=False, help_text="kg"
    )
    created = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Shipment
        fields = [
            "id",
            "state",
            "lines",
            "shipper_id",
            "tracking_number",
            "tracking_url",
            "weight",
            "date_sent",
            "date_delivered",
            "date_returned",
            "created",
        ]
        read_only_fields = fields


class ShipmentLineInputSerializer(StrictSerializer):
    item_id = StrictIntegerField(min_value=1, help_text="A product line (item) of the order.")
    count = StrictIntegerField(min_value=1, max_value=MAX_COUNT)


class ShipmentInputSerializer(StrictSerializer):
    """POST /Orders/{id}/shipments: a parcel to pack."""

    lines = ShipmentLineInputSerializer(
        many=True,
        required=False,
        allow_null=True,
        help_text="Units of product lines; left out (or null): everything not yet in a parcel.",
    )
    shipper_id = StrictIntegerField(
        required=False, allow_null=True, min_value=1, help_text="The carrier (with the number)."
    )
    tracking_number = column(Tracking, "tracking_number", allow_blank=False)
    weight = AmountField(
        required=False,
        allow_null=True,
        min_value=Decimal("0"),
        max_value=Decimal("999999999"),
        help_text="kg; left out: the lines' weight.",
    )

    def service_kwargs(self) -> dict:
        """Keyword arguments of services.shipment_create."""
        values = self.validated_data
        lines = values.get("lines")
        return {
            "lines": None
            if lines is None
            else [(line["item_id"], line["count"]) for line in lines],
            "shipper_id": values.get("shipper_id"),
            "tracking_number": values.get("tracking_number"),
            "weight": values.get("weight"),
        }
