"""What the back office's home page shows: the reads behind the dashboard.

Each function is one query (two for the lists: their count and their first rows), whatever
the number of orders; the figures are computed by the database, not by loading orders.
Days are the shop's days (TIME_ZONE), money is in the main currency (MAIN_CURRENCY).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import (
    ClosingState,
    HistoryRecord,
    Order,
    PaymentState,
    ShippingState,
)

DAYS = 30
# A parcel on the road longer than this is worth a look (the dashboard lets staff change it).
UNDELIVERED_AFTER_DAYS = 7
LIST_ROWS = 8
# Paid orders with goods still at the shop: nothing sent yet, or a part (an item waits).
NOT_ALL_SENT = (ShippingState.PENDING, ShippingState.PARTIALLY_SENT)
# Everything left the shop and something has not arrived.
ON_THE_ROAD = (ShippingState.SENT, ShippingState.PARTIALLY_DELIVERED)
NO_CHANNEL = "No channel"


@dataclass
class ChannelDays:
    """One channel's orders and revenue on each day of the period (oldest first)."""

    channel_id: int | None
    name: str
    orders: list[int] = field(default_factory=list)
    revenue: list[Decimal] = field(default_factory=list)

    @property
    def total_orders(self) -> int:
        return sum(self.orders)

    @property
    def total_revenue(self) -> Decimal:
        return sum(self.revenue, Decimal("0"))


@dataclass
class DailyFigures:
    days: list[datetime.date]
    channels: list[ChannelDays]  # the busiest channel first
    currency: str

    @property
    def total_orders(self) -> int:
        return sum(c.total_orders for c in self.channels)

    @property
    def total_revenue(self) -> Decimal:
        return sum((c.total_revenue for c in self.channels), Decimal("0"))


def period(days: int = DAYS, *, today: datetime.date | None = None) -> list[datetime.date]:
    """The last `days` days of the shop's calendar, today included, oldest first."""
    today = today or timezone.localdate()
    return [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]


def daily_orders_by_channel(days: int = DAYS) -> DailyFigures:
    """Orders made per day and channel over the last `days` days, and their revenue in the
    main currency: each order's money times its currency_rate. Canceled orders count as
    orders but bring no revenue; so do orders whose books were kept in another main
    currency (a rate to it says nothing about this one)."""
    calendar = period(days)
    start = timezone.make_aware(datetime.datetime.combine(calendar[0], datetime.time.min))
    in_main_currency = ExpressionWrapper(
        F("money") * F("currency_rate"), output_field=DecimalField(max_digits=30, decimal_places=10)
    )
    counts_as_revenue = ~Q(closing_state=ClosingState.CANCELED) & Q(
        main_currency_code=settings.MAIN_CURRENCY
    )
    rows = (
        Order.objects.filter(date_order__gte=start)
        .annotate(day=TruncDate("date_order"))
        .values("day", "channel_id", "channel__name")
        .annotate(orders=Count("id"), revenue=Sum(in_main_currency, filter=counts_as_revenue))
        .order_by()
    )
    index = {day: n for n, day in enumerate(calendar)}
    channels: dict[int | None, ChannelDays] = {}
    for row in rows:
        if row["day"] not in index:  # a date_order in the future
            continue
        channel = channels.get(row["channel_id"])
        if channel is None:
            channel = channels[row["channel_id"]] = ChannelDays(
                row["channel_id"],
                row["channel__name"] or NO_CHANNEL,
                [0] * len(calendar),
                [Decimal("0")] * len(calendar),
            )
        n = index[row["day"]]
        channel.orders[n] += row["orders"]
        channel.revenue[n] += Decimal(row["revenue"] or 0).quantize(Decimal("0.01"))
    ordered = sorted(channels.values(), key=lambda c: (-c.total_orders, c.name))
    return DailyFigures(calendar, ordered, settings.MAIN_CURRENCY)


@dataclass
class WaitingOrders:
    """Orders waiting for the next step: how many, and the ones waiting longest."""

    count: int
    oldest: list[Order]


def _waiting(queryset: QuerySet[Order], since: str, rows: int) -> WaitingOrders:
    oldest = list(
        queryset.select_related("channel")
        .order_by(since, "id")
        .only("id", "name", "email", "money", "order_currency_code", since, "channel__name")[:rows]
    )
    return WaitingOrders(queryset.count(), oldest)


def paid_not_sent(rows: int = LIST_ROWS) -> WaitingOrders:
    """Open orders paid in full and not (all) sent yet, the longest-waiting first (by
    date_paid)."""
    queryset = Order.objects.filter(
        payment_state=PaymentState.PAID,
        shipping_state__in=NOT_ALL_SENT,
        closing_state=ClosingState.OPEN,
    )
    return _waiting(queryset, "date_paid", rows)


def sent_not_delivered(older_than_days: int = UNDELIVERED_AFTER_DAYS, rows: int = LIST_ROWS):
    """Open orders sent (all of it) more than `older_than_days` days ago and not (all)
    delivered since."""
    queryset = Order.objects.filter(
        shipping_state__in=ON_THE_ROAD,
        closing_state=ClosingState.OPEN,
        date_sent__lt=timezone.now() - datetime.timedelta(days=older_than_days),
    )
    return _waiting(queryset, "date_sent", rows)


def payment_state_split() -> dict[str, int]:
    """How the open orders stand with their payment: state -> count, every state present."""
    counts = dict(
        Order.objects.filter(closing_state=ClosingState.OPEN)
        .values_list("payment_state")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("payment_state", "n")
    )
    return {state: counts.get(state, 0) for state in PaymentState.values}


def latest_events(rows: int = 10) -> list[HistoryRecord]:
    """The latest entries of all orders' histories: what happened, to which order, by whom."""
    return list(
        HistoryRecord.objects.order_by("-created_at", "-id").only(
            "id", "order_id", "name", "actor", "source", "created_at"
        )[:rows]
    )
