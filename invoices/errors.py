"""Refusals of the invoicing services, in the orders' error model (the API maps their kinds:
conflict -> 409, invalid -> 400)."""

from orders.errors import OrderError


class AlreadyInvoiced(OrderError):
    """An order has one invoice; corrections are credit notes."""

    kind = "conflict"
    code = "already_invoiced"


class NotInvoiceable(OrderError):
    """The order lacks what an invoice needs (a seller, lines), or is canceled."""

    kind = "conflict"
    code = "not_invoiceable"
