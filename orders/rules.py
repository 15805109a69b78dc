"""What an order allows now: read by the services (to refuse), the admin (to show
buttons) and the API (to say what is allowed in a refusal)."""

from django_fsm import can_proceed

from .models import Order, Return

# Action name -> the Order transition method it runs.
ACTION_TRANSITIONS = {
    "sent": "mark_sent",
    "delivered": "mark_delivered",
    "done": "mark_done",
    "cancel": "cancel",
}


def can_pay(order: Order) -> bool:
    return not order.canceled


def can_refund(order: Order) -> bool:
    """Money held can go back whatever the order's state (open, done or canceled)."""
    return order.paid > 0


def can_take_return(order: Order) -> bool:
    """A canceled order takes no new return (its existing ones can still be settled)."""
    return not order.canceled


# Return action -> the Return transition method it runs.
RETURN_TRANSITIONS = {
    "receive": "mark_received",
    "refund": "mark_refunded",
    "reject": "reject",
}


def return_actions(goods_return: Return) -> list[str]:
    """What a return allows now: receive, refund, reject (in the order staff meet them)."""
    return [
        action
        for action, method in RETURN_TRANSITIONS.items()
        if can_proceed(getattr(goods_return, method))
    ]


def available_actions(order: Order) -> list[str]:
    """The lifecycle actions the order allows now, in the order staff meet them."""
    actions = ["paid"] if can_pay(order) else []
    for action, method in ACTION_TRANSITIONS.items():
        if can_proceed(getattr(order, method)):
            actions.append(action)
    if can_refund(order):
        actions.append("refund")
    return actions


def describe_state(order: Order) -> str:
    return (
        f"{order.get_closing_state_display().lower()}, "
        f"{order.get_shipping_state_display().lower()}, "
        f"{order.get_payment_state_display().lower()}"
    )
