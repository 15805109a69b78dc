"""Domain errors. Services raise them; the API, the admin and the commands show them.

Each has a stable `code` that clients can rely on and a `kind` that says what
sort of failure it is (the API maps kinds to HTTP statuses in one place).
"""


class OrderError(Exception):
    kind = "invalid"  # invalid | not_found | conflict
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, detail=None, field=None):
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.field = field
        if code:
            self.code = code


class NotFound(OrderError):
    kind = "not_found"
    code = "not_found"


class InvalidInput(OrderError):
    """The request is well-formed but its values break a rule (unknown shipper, bad amount)."""

    kind = "invalid"
    code = "invalid_input"


class TransitionNotAllowed(OrderError):
    """The order's current state does not allow this action."""

    kind = "conflict"
    code = "transition_not_allowed"


class ItemsLocked(TransitionNotAllowed):
    code = "items_locked"


class Duplicate(OrderError):
    kind = "conflict"
    code = "duplicate"


class DerivedLine(OrderError):
    """A fee or discount line: only its own service (method, discount) changes it."""

    kind = "conflict"
    code = "derived_line"


class ItemRefunded(OrderError):
    """The line has refunds that refer to it: it cannot be removed or shrunk below them."""

    kind = "conflict"
    code = "item_refunded"


class RefundTooLarge(OrderError):
    """More than was paid and not yet refunded, or more units than are left to refund."""

    kind = "invalid"
    code = "refund_exceeds_paid"


class ItemShipped(OrderError):
    """The line has units in parcels: it cannot be removed or shrunk below them."""

    kind = "conflict"
    code = "item_shipped"


class ShipmentTooLarge(OrderError):
    """A parcel would hold more units of a line than are ordered and not yet in a parcel."""

    kind = "invalid"
    code = "shipment_exceeds_waiting"


class ReturnTooLarge(OrderError):
    """More units of a line than were delivered and not yet returned."""

    kind = "invalid"
    code = "return_exceeds_delivered"
