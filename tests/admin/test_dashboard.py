"""The back office's home page: the figures, the page, and a query count that does not grow."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import dashboard, services
from orders.admin import charts
from orders.admin import dashboard as dashboard_page
from orders.models import Order, PaymentState
from tests.factories import ChannelFactory, UserFactory, order_with_items

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")


def days_ago(n: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def age_order(order: Order, **dates) -> None:
    """Move the order's lifecycle dates into the past (as if it happened days ago)."""
    Order.objects.filter(pk=order.pk).update(**dates)


# --- The figures (orders/dashboard.py) -------------------------------------------------------


def test_orders_and_revenue_per_day_and_channel_in_the_main_currency(settings, actor):
    settings.MAIN_CURRENCY = "EUR"
    web, czech = ChannelFactory(name="Web"), ChannelFactory(name="Czech", currency_code="CZK")
    order_with_items(items=1, channel=web, date_order=days_ago(0))  # 12.10 EUR
    order_with_items(items=1, channel=web, date_order=days_ago(0))  # 12.10 EUR
    order_with_items(items=1, channel=czech, currency="CZK", currency_rate=Decimal("0.04"),
                     date_order=days_ago(2))  # 12.10 CZK = 0.484 EUR  # fmt: skip
    canceled = order_with_items(items=1, channel=web, date_order=days_ago(2))
    services.order_cancel(order_id=canceled.pk, actor=actor)
    order_with_items(items=1, channel=web, date_order=days_ago(30))  # before the 30 days

    figures = dashboard.daily_orders_by_channel()

    assert len(figures.days) == 30
    assert figures.days[-1] == timezone.localdate()
    assert [c.name for c in figures.channels] == ["Web", "Czech"]  # busiest first
    web_days, czech_days = figures.channels
    assert web_days.orders[-1] == 2
    assert web_days.orders[-3] == 1  # the canceled order counts as an order ...
    assert web_days.revenue[-3] == Decimal("0")  # ... but brings no revenue
    assert web_days.revenue[-1] == Decimal("24.20")
    assert czech_days.revenue[-3] == Decimal("0.48")  # 12.10 CZK x 0.04
    assert sum(web_days.orders[:-3]) == 0  # quiet days are zeros, not gaps
    assert (figures.total_orders, figures.total_revenue) == (4, Decimal("24.68"))


def send_first_item(order: Order, actor, *, delivered: bool = False) -> None:
    """A parcel with the order's first product; the others wait."""
    first = order.items.filter(kind="product").order_by("id").first()
    parcel = services.shipment_create(order_id=order.pk, actor=actor, lines=[(first.pk, 1)])
    services.shipment_mark_sent(order_id=order.pk, shipment_id=parcel.pk, actor=actor)
    if delivered:
        services.shipment_mark_delivered(order_id=order.pk, shipment_id=parcel.pk, actor=actor)


def test_paid_orders_waiting_to_be_sent_oldest_first(actor):
    old, new, _unpaid, sent, partly = (order_with_items(items=2) for _ in range(5))
    for order in (old, new, sent, partly):
        services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_mark_sent(order_id=sent.pk, actor=actor)
    send_first_item(partly, actor)  # its second item waits: not sent yet either
    age_order(old, date_paid=days_ago(3))
    age_order(partly, date_paid=days_ago(2))

    waiting = dashboard.paid_not_sent()

    assert Order.objects.get(pk=partly.pk).shipping_state == "partially_sent"
    assert waiting.count == 3
    assert [o.pk for o in waiting.oldest] == [old.pk, partly.pk, new.pk]


def test_a_paid_order_sent_in_part_still_waits_to_be_sent(actor):
    order = order_with_items(items=2)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    first = order.items.order_by("id").first()
    parcel = services.shipment_create(order_id=order.pk, actor=actor, lines=[(first.pk, 1)])
    services.shipment_mark_sent(order_id=order.pk, shipment_id=parcel.pk, actor=actor)

    assert Order.objects.get(pk=order.pk).shipping_state == "partially_sent"
    assert [o.pk for o in dashboard.paid_not_sent().oldest] == [order.pk]


def test_parcels_on_the_road_longer_than_n_days(actor):
    late, recent, delivered, partly = (order_with_items(items=2) for _ in range(4))
    for order in (late, recent, delivered):
        services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_mark_delivered(order_id=delivered.pk, actor=actor)
    send_first_item(partly, actor, delivered=True)  # the rest left later, not arrived
    services.order_mark_sent(order_id=partly.pk, actor=actor)
    age_order(late, date_sent=days_ago(9))
    age_order(recent, date_sent=days_ago(3))
    age_order(delivered, date_sent=days_ago(20))
    age_order(partly, date_sent=days_ago(8))

    assert Order.objects.get(pk=partly.pk).shipping_state == "partially_delivered"
    assert [o.pk for o in dashboard.sent_not_delivered(7).oldest] == [late.pk, partly.pk]
    assert [o.pk for o in dashboard.sent_not_delivered(2).oldest] == [
        late.pk,
        partly.pk,
        recent.pk,
    ]


def test_payment_split_of_the_open_orders(actor):
    paid, partly, _unpaid, done = (order_with_items(items=1) for _ in range(4))
    services.order_mark_paid(order_id=paid.pk, actor=actor)
    services.order_mark_paid(order_id=partly.pk, actor=actor, amount=Decimal("1"))
    services.order_mark_paid(order_id=done.pk, actor=actor)
    services.order_mark_done(order_id=done.pk, actor=actor)

    split = dashboard.payment_state_split()

    assert list(split) == list(PaymentState.values)  # every state, in the lifecycle's order
    assert (split["unpaid"], split["partially_paid"], split["paid"]) == (1, 1, 1)
    assert sum(split.values()) == 3  # the done order is not open


def test_every_payment_state_has_its_own_colour():
    colours = [dashboard_page.payment_colour(state) for state in PaymentState.values]
    assert len(set(colours)) == len(colours)


# --- The page -------------------------------------------------------------------------------


def test_the_home_page_is_the_dashboard(admin_client, actor):
    order = order_with_items(items=1, name="Petr Svoboda")
    services.order_mark_paid(order_id=order.pk, actor=actor)

    response = admin_client.get(HOME)

    html = response.content.decode()
    board = response.context["dashboard"]
    assert board["total_orders"] == 1
    assert board["paid_not_sent"]["rows"][0]["id"] == order.pk
    assert 'id="dash-orders"' in html
    assert 'id="dash-revenue"' in html
    assert html.count('<rect class="dash-bar"') == 2  # today's bar in each chart
    assert f"{charts.day_label(timezone.localdate())} · {order.channel.name}: 1 order" in html
    assert "Petr Svoboda" in html
    assert f'href="{reverse("admin:orders_order_change", args=[order.pk])}"' in html
    assert "Payment recorded" in html  # the latest events
    assert "Everything in the back office" in html  # and the app list below


def test_the_undelivered_days_come_from_the_page(admin_client, actor):
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    age_order(order, date_sent=days_ago(4))

    default = admin_client.get(HOME).context["dashboard"]["sent_not_delivered"]
    three = admin_client.get(HOME, {"undelivered_days": "3"}).context["dashboard"]
    nonsense = admin_client.get(HOME, {"undelivered_days": "lots"}).context["dashboard"]

    assert (default["days"], default["count"]) == (7, 0)
    assert (three["sent_not_delivered"]["days"], three["sent_not_delivered"]["count"]) == (3, 1)
    assert nonsense["sent_not_delivered"]["days"] == 7


def test_the_tiles_link_to_the_orders_they_count(admin_client, actor):
    pending, partly, late, _unpaid = (order_with_items(items=2) for _ in range(4))
    for order in (pending, partly, late):
        services.order_mark_paid(order_id=order.pk, actor=actor)
    send_first_item(partly, actor, delivered=True)
    send_first_item(late, actor, delivered=True)
    services.order_mark_sent(order_id=late.pk, actor=actor)  # partially delivered
    age_order(late, date_sent=days_ago(9))
    board = admin_client.get(HOME).context["dashboard"]

    for tile, orders in (("paid_not_sent", {pending, partly}), ("sent_not_delivered", {late})):
        listed = admin_client.get(board[tile]["url"]).context["cl"].result_list
        assert board[tile]["count"] == len(orders)
        assert {o.pk for o in listed} == {o.pk for o in orders}, tile


def test_staff_who_may_not_see_orders_get_the_plain_index(client):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_shipper"))
    client.force_login(staff)

    response = client.get(HOME)

    assert response.status_code == 200
    assert "dashboard" not in response.context
    assert "dash-orders" not in response.content.decode()


def test_support_sees_the_dashboard(support_client):
    order_with_items(items=1)
    assert support_client.get(HOME).context["dashboard"]["total_orders"] == 1


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_orders(admin_client, actor):
    order_with_items(items=1)
    one = home_queries(admin_client)

    channels = [ChannelFactory() for _ in range(8)]
    for n in range(40):
        order = order_with_items(items=2, channel=channels[n % 8], date_order=days_ago(n % 25))
        if n % 2:
            services.order_mark_paid(order_id=order.pk, actor=actor)
        if n % 4 == 1:
            services.order_mark_sent(order_id=order.pk, actor=actor)
            age_order(order, date_sent=days_ago(10))
    many = home_queries(admin_client)

    assert one == many
    # session, user, the daily figures, 2 x (count + rows) of the waiting lists, the payment
    # split and the latest events
    assert many == 9


# --- The charts' arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [(0, 4, 1), (3, 4, 1), (7, 8, 2), (37, 40, 10), (1234, 2000, 500), (0.3, 0.4, 0.1)],
)
def test_axes_end_on_a_round_number(value, top, step):
    assert charts.nice_ceiling(value) == pytest.approx((top, step))


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (950, "950"), (1200, "1.2k"), (15000, "15k"), (2.5e6, "2.5M")]
)
def test_axis_labels_are_short(value, text):
    assert charts.compact(value) == text


def test_channels_past_the_palette_are_grouped_as_other():
    days = dashboard.period(3)
    series = [(f"Shop {n}", [1, 0, n]) for n in range(8)]

    chart = charts.stacked_bars(days, series, label="x", describe=str)

    assert [item.name for item in chart.legend][-1] == "3 other channels"
    assert len(chart.legend) == len(charts.PALETTE)
    assert chart.legend[-1].colour == charts.REST
    assert chart.legend[-1].total == "21"  # shops 5, 6 and 7: 3 + 18
    # one segment per non-zero value: day 1 all 6 series, day 3 five (Shop 0 is 0 there)
    assert len(chart.bars) == 6 + 5
    assert not chart.empty


def test_an_empty_period_draws_an_axis_and_says_so():
    chart = charts.stacked_bars(dashboard.period(), [], label="x", describe=str)
    assert chart.empty
    assert chart.bars == []
    assert len(chart.y_ticks) == 5
