"""The demo commands make real orders that keep every invariant: a shop's last 90 days,
with its timing, told through the services."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from orders import dashboard, demo
from orders.closing import delivered_cutoff, orders_to_close
from orders.models import (
    ApiKey,
    HistoryRecord,
    Order,
    OrderDiscount,
    OrderEvent,
    OrderItem,
    Payment,
    PaymentKind,
    Refund,
    Return,
    Shipment,
    Tracking,
)

pytestmark = pytest.mark.django_db

ORDERS = 100  # one whole deck of fates (demo.FATES): each story kind at least once
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(scope="class")
def shop(django_db_setup, django_db_blocker):
    """seed_demo_data run once on an empty database for the class, rolled back after it;
    the moment it ran."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = timezone.now()
        call_command("seed_demo_data", orders=ORDERS, batch=40, verbosity=0)
        yield started
        transaction.set_rollback(True)


class TestASeededShop:
    def test_every_order_keeps_every_invariant(self, shop, capsys):
        assert Order.objects.count() == ORDERS
        assert HistoryRecord.objects.filter(type="created").count() == ORDERS
        capsys.readouterr()
        call_command("check_orders")  # raises CommandError on any broken invariant
        assert capsys.readouterr().out.strip().endswith("no problems.")

    def test_orders_are_spread_over_the_last_90_days(self, shop):
        dates = sorted(Order.objects.values_list("date_order", flat=True))
        assert dates[0] >= shop - 90 * DAY
        assert dates[-1] <= shop
        assert dates[-1] - dates[0] > 60 * DAY
        months = {(d.year, d.month) for d in dates}
        assert len(months) >= 3  # the date drill-down has months to offer
        # Ids follow the order date, as a shop's would.
        by_id = list(Order.objects.order_by("id").values_list("date_order", flat=True))
        assert by_id == dates
        # The dashboard's last 30 days are busier than any month before (a growing shop).
        last_30 = sum(1 for d in dates if d > shop - 30 * DAY)
        assert last_30 > ORDERS / 3

    def test_the_lifecycle_dates_follow_each_other(self, shop):
        rows = Order.objects.values(
            "pk",
            "date_order",
            "created_at",
            "updated_at",
            "date_paid",
            "date_sent",
            "date_delivered",
            "date_done",
            "date_canceled",
            "payment__name",
        )
        checked = 0
        for row in rows:
            order = row["date_order"]
            assert row["created_at"] == order, row
            for name in ("date_paid", "date_sent", "date_done", "date_canceled", "updated_at"):
                assert row[name] is None or order <= row[name] <= shop, (name, row)
            if row["date_delivered"]:
                assert row["date_sent"] < row["date_delivered"], row
                checked += 1
            if row["date_done"] and row["date_delivered"]:
                assert row["date_delivered"] < row["date_done"], row
            if row["date_sent"] and row["payment__name"] != "Cash on delivery":
                assert row["date_paid"] < row["date_sent"], row
        assert checked > ORDERS / 3

    def test_history_payments_and_refunds_happen_when_the_order_does(self, shop):
        orders = dict(Order.objects.values_list("pk", "date_order"))
        stamped = (
            HistoryRecord,
            OrderEvent,
            Payment,
            Refund,
            Tracking,
            OrderItem,
            Shipment,
            Return,
        )
        for model in stamped:
            stamps = model.objects.values_list("order_id", "created_at")
            assert stamps, model
            for order_id, created in stamps:
                assert orders[order_id] <= created <= shop, (model, order_id, created)
        # Each order's timeline reads in order: ids and times agree.
        for order_id in orders:
            times = HistoryRecord.objects.filter(order_id=order_id).order_by("id")
            stamps = list(times.values_list("created_at", flat=True))
            assert stamps == sorted(stamps), order_id
        # The dates a record names (date_sent, date_delivered) are the story's: a date it
        # sets is the record's own moment, one it clears an earlier one.
        named = 0
        for model, name in demo.STAMPED_JSON.items():
            for order_id, created, value in model.objects.values_list("order", "created_at", name):
                changes = value.get("changes", value)
                for moment in re.findall(r'"(\d{4}-\d\d-\d\dT[^"]+)"', json.dumps(changes)):
                    moment = datetime.datetime.fromisoformat(moment)
                    assert orders[order_id] <= moment <= created, (model, value)
                for key in ("date_sent", "date_delivered"):
                    if key in changes and changes[key][1] is not None:
                        assert datetime.datetime.fromisoformat(changes[key][1]) == created
                        named += 1
        assert named > ORDERS
        # A refund comes after the payment it gives back.
        for refund in Refund.objects.all():
            paid = refund.order.payments.filter(kind=PaymentKind.PAYMENT).earliest("created_at")
            assert paid.created_at <= refund.created_at

    def test_the_timing_is_a_shops(self, shop):
        card_paid = [
            o.payments.earliest("created_at").created_at - o.date_order
            for o in Order.objects.filter(payment__name="Card", date_paid__isnull=False)
        ]
        assert card_paid
        assert max(card_paid) <= datetime.timedelta(minutes=20)  # a card pays at once
        parcels = list(Shipment.objects.select_related("order__payment").order_by("id"))
        firsts = {}
        for parcel in parcels:
            firsts.setdefault(parcel.order_id, parcel)
            # packed during the day, taken by the carrier's pick-up within hours
            if parcel.date_sent:
                assert datetime.timedelta(0) < parcel.date_sent - parcel.created_at < 4 * HOUR
            # on the road for a working day or a few
            if parcel.date_delivered:
                assert 12 * HOUR < parcel.date_delivered - parcel.date_sent < 6 * DAY, parcel
            if parcel.date_returned:  # back from the pick-up point after a week or so
                assert 8 * DAY < parcel.date_returned - parcel.date_sent < 16 * DAY, parcel
        first_sent = [p for p in firsts.values() if p.order.payment.name != "Cash on delivery"]
        assert first_sent
        for parcel in first_sent:  # packed on a working day after the payment: 1-3 days
            # (a deposit's order after the rest of the money came)
            payments = parcel.order.payments.filter(kind=PaymentKind.PAYMENT)
            paid = payments.latest("created_at").created_at
            packed = parcel.created_at
            assert timezone.localdate(paid) < timezone.localdate(packed), parcel
            assert packed - paid < 6 * DAY, parcel
        cash = Order.objects.filter(payment__name="Cash on delivery", date_paid__isnull=False)
        assert cash.exists()
        for o in cash:  # paid at the door
            assert o.date_delivered < o.date_paid < o.date_delivered + 2 * HOUR

    def test_some_orders_go_out_in_two_parcels_and_some_come_back(self, shop):
        # Every parcel has its carrier's tracking number and weighs its goods and the box.
        parcels = Shipment.objects.prefetch_related("lines__item").select_related(
            "tracking__shipper"
        )
        for parcel in parcels:
            assert parcel.tracking.shipper.name in {"PPL", "DPD"}
            assert parcel.tracking.tracking_number.isdigit()
            goods = sum(line.item.weight * line.count for line in parcel.lines.all())
            assert parcel.weight - goods in demo.PACKAGING
        two = Order.objects.annotate(parcels=Count("shipments")).filter(parcels=2)
        # An item waited for stock: the rest went out first, it followed days later.
        split = two.filter(shipping_state="delivered").exclude(shipments__state="returned")
        assert split.exists()
        for order in split:
            first, second = order.shipments.order_by("id")
            assert {line.item_id for line in first.lines.all()}.isdisjoint(
                {line.item_id for line in second.lines.all()}
            )
            assert 2 * DAY < second.date_sent - first.date_sent < 14 * DAY
            assert order.date_sent == second.date_sent  # sent: when the last parcel left
            assert order.date_delivered == max(first.date_delivered, second.date_delivered)
        # ... and some still wait for it: partially sent now, on the dashboard
        partly = Order.objects.filter(closing_state="open", shipping_state="partially_sent")
        assert partly.exists()
        waiting = dashboard.paid_not_sent(rows=100)
        assert set(partly.filter(payment_state="paid")) <= set(waiting.oldest)
        # A parcel not picked up came back to the shop and went out again.
        back = Order.objects.filter(shipments__state="returned", shipping_state="delivered")
        assert back.exists()
        for order in back:
            returned, again = order.shipments.order_by("id")
            assert again.date_sent > returned.date_returned
            assert again.tracking.tracking_number != returned.tracking.tracking_number
        # The history tells it parcel by parcel.
        names = list(split.first().history.values_list("name", flat=True))
        assert sum(1 for n in names if n.startswith("Parcel ") and " delivered" in n) == 2

    def test_returns_come_after_delivery_and_are_refunded_a_working_day_after(self, shop):
        states = set(Return.objects.values_list("state", flat=True))
        assert states == {"requested", "received", "refunded", "rejected"}
        for goods_return in Return.objects.select_related("order", "refund"):
            delivered = goods_return.order.shipments.aggregate(last=Max("date_delivered"))
            assert delivered["last"] < goods_return.created_at < delivered["last"] + 14 * DAY
            if goods_return.date_received:  # in the post for days
                assert 1 * DAY < goods_return.date_received - goods_return.created_at < 8 * DAY
            if goods_return.state == "refunded":  # the next working day, through the refund
                assert DAY / 4 < goods_return.date_refunded - goods_return.date_received < 4 * DAY
                refund = goods_return.refund
                assert refund.created_at == goods_return.date_refunded
                assert refund.mark_returned
                assert refund.reason == goods_return.reason
                assert refund.amount > 0
            if goods_return.state == "rejected":
                assert goods_return.date_rejected > goods_return.date_received
        # Goods refunded through a return leave the order partly refunded.
        refunded = Order.objects.filter(returns__state="refunded")
        assert set(refunded.values_list("payment_state", flat=True)) == {"partially_refunded"}
        # The old way (a refund that marks its goods returned at once) is gone.
        assert not Return.objects.filter(state="refunded", date_received=F("date_refunded"))

    def test_there_are_orders_at_every_point_of_their_lifecycle(self, shop):
        states = set(Order.objects.values_list("closing_state", "shipping_state"))
        assert {("open", "pending"), ("open", "sent"), ("open", "delivered")} <= states
        assert {("done", "delivered"), ("canceled", "pending")} <= states
        assert ("open", "partially_sent") in states
        # The money a shop books: fees (some free above the threshold), discounts,
        # refunds of returned goods and of canceled orders.
        fees = OrderItem.objects.filter(kind__in=["shipping", "payment"])
        assert fees.filter(unit_price_final__gt=0).exists()
        assert fees.filter(unit_price_final=0, original_price_final__gt=0).exists()
        assert set(OrderDiscount.objects.values_list("type", flat=True)) == {"amount", "percent"}
        assert Refund.objects.filter(order__closing_state="done", lines__isnull=False).exists()
        assert Order.objects.filter(closing_state="canceled", payment_state="refunded").exists()
        assert Order.objects.filter(closing_state="canceled", payment_state="unpaid").exists()
        # Statuses follow the lifecycle (the default statuses are configured so).
        assert set(
            Order.objects.filter(closing_state="done").values_list("status__name", flat=True)
        ) == {"Completed"}

    def test_the_dashboard_and_close_delivered_orders_have_work(self, shop):
        waiting = dashboard.paid_not_sent()
        assert waiting.count >= 1
        late = dashboard.sent_not_delivered()
        assert late.count >= 1
        assert all(o.date_sent < shop - 7 * DAY for o in late.oldest)
        split = dashboard.payment_state_split()
        assert split["unpaid"]
        assert split["paid"]
        # Delivered over a week ago, paid, still open: the closing command's work.
        assert orders_to_close(delivered_before=delivered_cutoff(7)).exists()
        # ... while those delivered over two weeks ago were closed already.
        assert not orders_to_close(delivered_before=delivered_cutoff(16)).exists()

    def test_customers_have_czech_names_that_match_their_gender(self, shop):
        women, men = set(demo.WOMEN), set(demo.MEN)
        hers = {f for _, f in demo.SURNAMES}
        his = {m for m, _ in demo.SURNAMES}
        cities = {(city, zip_code) for _, city, zip_code in demo.ADDRESSES}
        rows = Order.objects.values_list("name", "delivery_name", "city", "zip")
        genders = set()
        for name, delivery_name, city, zip_code in rows:
            first, last = name.split(" ", 1)
            assert (first in women and last in hers) or (first in men and last in his), name
            genders.add(first in women)
            assert delivery_name == name
            assert (city, zip_code) in cities
        assert genders == {True, False}
        # Some customers came back for another order.
        assert Order.objects.values("email").distinct().count() < ORDERS


def test_the_same_seed_tells_the_same_stories():
    ref = demo.reference_data()
    now = timezone.now()
    first = demo.plan(30, ref=ref, now=now, seed=7)
    again = demo.plan(30, ref=ref, now=now, seed=7)
    other = demo.plan(30, ref=ref, now=now, seed=8)
    next_run = demo.plan(30, ref=ref, now=now, seed=7, variant=30)

    def told(stories):
        return [
            (s.person, s.fate, [(step.action, step.at) for step in s.steps], s.items)
            for s in stories
        ]

    assert told(first) == told(again)
    assert told(first) != told(other)
    assert told(first) != told(next_run)


def test_a_story_never_reaches_past_now():
    now = timezone.now()
    stories = demo.plan(200, ref=demo.reference_data(), now=now)
    moments = [step.at for story in stories for step in story.steps]
    assert max(moments) <= now
    for story in stories:
        assert [s.at for s in story.steps] == sorted(s.at for s in story.steps)
        assert story.steps[0].action == "create"


def test_seed_demo_data_twice_adds_orders_and_reuses_the_reference_data():
    call_command("seed_demo_data", orders=5, verbosity=0)
    call_command("seed_demo_data", orders=5, verbosity=0)
    assert Order.objects.count() == 10
    assert Order.objects.values("external_order_id").distinct().count() == 10
    assert Order.objects.values("channel").distinct().count() <= 2
    assert set(Order.objects.values_list("money", flat=True)) != {Decimal("0")}


def test_seed_demo_data_refuses_bad_counts():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo_data", orders=0, verbosity=0)
    assert not Order.objects.exists()


def test_setup_demo_prints_a_login_and_a_key_once(capsys, django_user_model):
    call_command("setup_demo", orders=3)
    first = capsys.readouterr().out
    call_command("setup_demo", orders=3)
    second = capsys.readouterr().out

    assert "demo / demo-orders" in first
    key_line = next(line for line in first.splitlines() if "API key" in line)
    assert "." in key_line.split()[-1]  # the plain key itself
    assert "was shown when first made" in second
    assert Order.objects.count() == 3  # the second run adds nothing
    assert ApiKey.objects.count() == 1
    assert django_user_model.objects.get(username="demo").is_staff


@pytest.mark.parametrize(
    ("main", "eur_rate", "czk_rate"), [("EUR", "1", "0.04"), ("CZK", "25", "1")]
)
def test_demo_orders_are_booked_in_the_main_currency_at_25_crowns_a_euro(
    settings, main, eur_rate, czk_rate
):
    settings.MAIN_CURRENCY = main
    call_command("seed_demo_data", orders=12, verbosity=0)
    rates = dict(Order.objects.values_list("order_currency_code", "currency_rate").distinct())
    assert rates == {"EUR": Decimal(eur_rate), "CZK": Decimal(czk_rate)}
    assert set(Order.objects.values_list("main_currency_code", flat=True)) == {main}
