"""Every write to an order. The API, the admin and the commands call these; nothing else
saves an order. Each service is atomic, locks the order row, checks its rule, changes the
state, recomputes the money, and records history and an outbox event in the same
transaction."""

from ._common import MAX_MONEY
from .discounts import order_discount_remove, order_discount_set
from .fees import FeeData, order_set_payment_method, order_set_shipping_method
from .items import ItemData, order_item_add, order_item_remove, order_item_update
from .lifecycle import (
    order_cancel,
    order_mark_delivered,
    order_mark_done,
    order_mark_sent,
    order_status_assign,
)
from .notes import order_history_add, order_tracking_add
from .orders import (
    CREATE_FIELDS,
    DELIVERY_FIELDS,
    EDITABLE_FIELDS,
    order_create,
    order_update,
    order_update_delivery_address,
)
from .payments import order_mark_paid
from .refunds import RefundLineData, order_refund, refund_options
from .returnable import return_options
from .returns import (
    return_mark_received,
    return_refund,
    return_refund_amount,
    return_reject,
    return_request,
)
from .shipments import (
    ShipmentLineData,
    parcel_actions,
    shipment_cancel,
    shipment_create,
    shipment_mark_delivered,
    shipment_mark_returned,
    shipment_mark_sent,
)

__all__ = [
    "CREATE_FIELDS",
    "DELIVERY_FIELDS",
    "EDITABLE_FIELDS",
    "MAX_MONEY",
    "FeeData",
    "ItemData",
    "RefundLineData",
    "ShipmentLineData",
    "order_cancel",
    "order_create",
    "order_discount_remove",
    "order_discount_set",
    "order_history_add",
    "order_item_add",
    "order_item_remove",
    "order_item_update",
    "order_mark_delivered",
    "order_mark_done",
    "order_mark_paid",
    "order_mark_sent",
    "order_refund",
    "order_set_payment_method",
    "order_set_shipping_method",
    "order_status_assign",
    "order_tracking_add",
    "order_update",
    "order_update_delivery_address",
    "parcel_actions",
    "refund_options",
    "return_mark_received",
    "return_options",
    "return_refund",
    "return_refund_amount",
    "return_reject",
    "return_request",
    "shipment_cancel",
    "shipment_create",
    "shipment_mark_delivered",
    "shipment_mark_returned",
    "shipment_mark_sent",
]
