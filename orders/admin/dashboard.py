"""The back office's home page: the shop at a glance (templates/admin/index.html).

Orders and revenue per day and channel over the last 30 days, paid orders waiting to be
sent, parcels on the road for longer than N days, how the open orders are paid, and the
latest history entries. The reads are in orders/dashboard.py; this module turns them into
what the template shows. Staff who may not view orders get Django's plain index.
"""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .. import dashboard as figures
from ..models import PaymentState
from ..money import format_money
from . import charts
from .display import EMPTY

PAYMENT_COLOURS = {
    PaymentState.UNPAID: "#D55E00",
    PaymentState.PARTIALLY_PAID: "#E69F00",
    PaymentState.PAID: "#009E73",
}
# Any other payment state (refunds, ...) takes the next free colour of the palette.
OTHER_COLOURS = [c for c in charts.PALETTE if c not in PAYMENT_COLOURS.values()]


def payment_colour(state: str) -> str:
    if state in PAYMENT_COLOURS:
        return PAYMENT_COLOURS[state]
    others = [s for s in PaymentState.values if s not in PAYMENT_COLOURS]
    return OTHER_COLOURS[others.index(state) % len(OTHER_COLOURS)]


def age(since: datetime.datetime | None, now: datetime.datetime) -> str:
    """How long something has waited, for people: "12 min", "5 h", "3 d"."""
    if since is None:
        return EMPTY
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // (24 * 60)} d"


def undelivered_days(query) -> int:
    """?undelivered_days=N (1 to 90), else the default."""
    try:
        days = int(query.get("undelivered_days", ""))
    except ValueError:
        return figures.UNDELIVERED_AFTER_DAYS
    return days if 1 <= days <= 90 else figures.UNDELIVERED_AFTER_DAYS


def _order_url(order_id: int) -> str:
    return reverse("admin:orders_order_change", args=[order_id])


def _list_url(**filters) -> str:
    return reverse("admin:orders_order_changelist") + "?" + urlencode(filters)


def _waiting_rows(waiting: figures.WaitingOrders, since: str, now) -> list[dict]:
    return [
        {
            "id": order.pk,
            "url": _order_url(order.pk),
            "customer": order.name or order.email or EMPTY,
            "channel": order.channel.name if order.channel_id else "",
            "money": format_money(order.money, order.order_currency_code),
            "since": getattr(order, since),
            "age": age(getattr(order, since), now),
        }
        for order in waiting.oldest
    ]


def _orders(n: int | Decimal) -> str:
    return f"{n} order" if n == 1 else f"{n} orders"


def dashboard_context(request) -> dict:
    """The template's `dashboard`, or nothing for staff who may not view orders."""
    if not request.user.has_perm("orders.view_order"):
        return {}
    now = timezone.now()
    late_after = undelivered_days(request.GET)
    daily = figures.daily_orders_by_channel()
    currency = daily.currency
    paid = figures.paid_not_sent()
    late = figures.sent_not_delivered(late_after)
    split = figures.payment_state_split()
    return {
        "dashboard": {
            "days": len(daily.days),
            "currency": currency,
            "total_orders": daily.total_orders,
            "total_revenue": format_money(daily.total_revenue, currency),
            "orders_chart": charts.stacked_bars(
                daily.days,
                [(c.name, c.orders) for c in daily.channels],
                label=f"Orders per day and channel, last {len(daily.days)} days: "
                f"{daily.total_orders} in all.",
                describe=_orders,
            ),
            "revenue_chart": charts.stacked_bars(
                daily.days,
                [(c.name, c.revenue) for c in daily.channels],
                label=f"Revenue per day and channel in {currency}, last {len(daily.days)} "
                f"days: {format_money(daily.total_revenue, currency)} in all.",
                describe=lambda amount: format_money(Decimal(amount), currency),
            ),
            "paid_not_sent": {
                "count": paid.count,
                "rows": _waiting_rows(paid, "date_paid", now),
                "url": _list_url(
                    payment_state__exact="paid",
                    shipping_state__in=",".join(figures.NOT_ALL_SENT),
                    closing_state__exact="open",
                ),
            },
            "sent_not_delivered": {
                "count": late.count,
                "days": late_after,
                "rows": _waiting_rows(late, "date_sent", now),
                "url": _list_url(
                    shipping_state__in=",".join(figures.ON_THE_ROAD), closing_state__exact="open"
                ),
            },
            "payment_split": {
                "open_orders": sum(split.values()),
                "segments": charts.split_bar(
                    [
                        (PaymentState(state).label, count, payment_colour(state))
                        for state, count in split.items()
                    ]
                ),
            },
            "events": [
                {
                    "when": record.created_at,
                    "order_id": record.order_id,
                    "url": _order_url(record.order_id),
                    "what": record.name,
                    "who": record.actor,
                }
                for record in figures.latest_events()
            ],
        }
    }
