"""Services: atomic writes, history with actor and diff, outbox events."""

from decimal import Decimal

import pytest
from django.db import transaction

from orders import services
from orders.actors import Actor
from orders.errors import Duplicate, InvalidInput, NotFound, TransitionNotAllowed
from orders.models import Customer, HistoryRecord, Order, OrderEvent, OrderItem
from tests.factories import (
    ApiKeyFactory,
    ChannelFactory,
    ShipperFactory,
    UserFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db
D = Decimal


def item(**overrides):
    values = {"name": "Mug", "count": 1, "vat": D("21"), "final_price": D("12.10")}
    return services.ItemData(**{**values, **overrides})


def test_create_with_items_writes_order_items_history_and_event(actor):
    channel = ChannelFactory()
    order = services.order_create(
        actor=actor,
        channel_id=channel.pk,
        email="jana@mail.example",
        name="Jana",
        items=[item(count=2), item(name="Tea", base_price=D("5"), final_price=None)],
    )
    assert order.items.count() == 2
    assert order.money == D("30.25")  # 2 x 12.10 + 6.05
    record = order.history.get()
    assert (record.type, record.actor, record.source) == ("created", "tests", "command")
    assert OrderEvent.objects.get(order=order).type == "order.created"
    assert order.customer.email == "jana@mail.example"
    assert len(order.hash) >= 40


def test_a_bad_item_creates_nothing(actor):
    with pytest.raises(InvalidInput) as error:
        services.order_create(actor=actor, email="x@mail.example", items=[item(), item(count=0)])
    assert error.value.field == "count"
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"count": -1}, "count"),
        ({"vat": D("101")}, "vat"),
        ({"vat": D("-1")}, "vat"),
        ({"final_price": D("-0.01")}, "final_price"),
        ({"final_price": None}, "price"),
        ({"final_price": "abc"}, "final_price"),
        ({"final_price": D("NaN")}, "final_price"),
        ({"weight": D("-1")}, "weight"),
        ({"original_base_price": D("-1")}, "price_original"),
    ],
)
def test_item_rules(overrides, field, actor):
    order = order_with_items(items=0)
    with pytest.raises(InvalidInput) as error:
        services.order_item_add(order_id=order.pk, actor=actor, item=item(**overrides))
    assert error.value.field == field
    assert not order.items.exists()


def test_unknown_fields_and_relations_are_refused(actor):
    with pytest.raises(InvalidInput):
        services.order_create(actor=actor, money=D("1"))
    with pytest.raises(InvalidInput) as error:
        services.order_create(actor=actor, channel_id=424242)
    assert error.value.field == "channel"


def test_invalid_email_is_refused(actor):
    with pytest.raises(InvalidInput) as error:
        services.order_create(actor=actor, email="not-an-email")
    assert error.value.field == "email"


def test_unknown_order_is_not_found(actor):
    with pytest.raises(NotFound) as error:
        services.order_mark_sent(order_id=987654, actor=actor)
    assert error.value.code == "order_not_found"


def test_item_of_another_order_is_not_found(actor):
    first, second = order_with_items(items=1), order_with_items(items=1)
    with pytest.raises(NotFound):
        services.order_item_remove(order_id=first.pk, item_id=second.items.get().pk, actor=actor)
    assert second.items.count() == 1


def test_history_records_the_staff_user_and_the_diff():
    staff = UserFactory(username="alice")
    order = order_with_items(items=1)
    services.order_update(
        order_id=order.pk,
        actor=Actor.for_user(staff),
        changes={"our_note": "VIP", "city": "Olomouc", "name": order.name},
    )
    record = order.history.get(type="updated")
    assert (record.actor, record.user, record.source) == ("alice", staff, "admin")
    assert record.changes == {"our_note": ["", "VIP"], "city": ["", "Olomouc"]}
    assert OrderEvent.objects.filter(order=order, type="order.updated").count() == 1


def test_an_edit_that_changes_nothing_writes_nothing():
    order = order_with_items(items=1)
    services.order_update(order_id=order.pk, actor=Actor.system(), changes={"name": order.name})
    assert not order.history.filter(type="updated").exists()
    assert Order.objects.get(pk=order.pk).version == order.version


def test_money_and_states_are_not_editable():
    order = order_with_items(items=1)
    for field in ("money", "paid", "closing_state"):
        with pytest.raises(InvalidInput):
            services.order_update(order_id=order.pk, actor=Actor.system(), changes={field: 0})


def test_history_records_the_api_key():
    key = ApiKeyFactory(name="Web shop")
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=Actor.for_api_key(key))
    record = order.history.get(type="state")
    assert (record.actor, record.api_key, record.source) == ("Web shop", key, "api")
    assert record.changes == {"shipping_state": ["pending", "sent"]}


def test_delivery_address_changes_until_sent(actor):
    order = order_with_items(items=1)
    services.order_update_delivery_address(
        order_id=order.pk, actor=actor, delivery_city="Zlín", delivery_zip="76001"
    )
    assert Order.objects.get(pk=order.pk).delivery_city == "Zlín"
    services.order_mark_sent(order_id=order.pk, actor=actor)
    with pytest.raises(TransitionNotAllowed) as error:
        services.order_update_delivery_address(order_id=order.pk, actor=actor, delivery_city="X")
    assert error.value.code == "address_locked"
    assert Order.objects.get(pk=order.pk).delivery_city == "Zlín"


def test_tracking_numbers(actor):
    order, other = order_with_items(items=1), order_with_items(items=1)
    shipper = ShipperFactory(tracking_url_template="https://t.example/{number}")
    tracking = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number=" AB 12 "
    )
    assert tracking.tracking_number == "AB 12"
    assert tracking.tracking_url == "https://t.example/AB%2012"
    # the same number again for the same order is a retry: nothing new
    again = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="AB 12"
    )
    assert again.pk == tracking.pk
    assert order.history.filter(type="tracking").count() == 1
    with pytest.raises(Duplicate):
        services.order_tracking_add(
            order_id=other.pk, actor=actor, shipper_id=shipper.pk, tracking_number="AB 12"
        )
    with pytest.raises(InvalidInput):
        services.order_tracking_add(
            order_id=order.pk, actor=actor, shipper_id=999999, tracking_number="X"
        )
    with pytest.raises(InvalidInput):
        services.order_tracking_add(
            order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="  "
        )


def test_no_tracking_on_a_canceled_order(actor):
    order = order_with_items(items=1)
    services.order_cancel(order_id=order.pk, actor=actor)
    with pytest.raises(TransitionNotAllowed):
        services.order_tracking_add(
            order_id=order.pk, actor=actor, shipper_id=ShipperFactory().pk, tracking_number="1"
        )


def test_history_add(actor):
    order = order_with_items(items=1)
    record = services.order_history_add(
        order_id=order.pk, actor=actor, type="payment", name="Gateway says OK", status="OK"
    )
    assert (record.type, record.name, record.status) == ("payment", "Gateway says OK", "OK")
    with pytest.raises(InvalidInput):
        services.order_history_add(order_id=order.pk, actor=actor, type="", name="x")
    with pytest.raises(InvalidInput):
        services.order_history_add(order_id=order.pk, actor=actor, type="t", name="x" * 301)


def test_a_rolled_back_change_leaves_no_history_and_no_event(actor):
    order = order_with_items(items=1)
    history, events = HistoryRecord.objects.count(), OrderEvent.objects.count()

    def send_then_fail():
        with transaction.atomic():
            services.order_mark_sent(order_id=order.pk, actor=actor)
            raise RuntimeError("the caller fails after the service")

    with pytest.raises(RuntimeError):
        send_then_fail()
    assert (HistoryRecord.objects.count(), OrderEvent.objects.count()) == (history, events)
    assert not Order.objects.get(pk=order.pk).sent


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_events_are_announced_only_after_commit(actor, django_capture_on_commit_callbacks):
    from orders.events import order_event_committed

    heard = []

    def listener(sender, event, **kwargs):
        heard.append(event.type)

    order_event_committed.connect(listener)
    try:
        order = order_with_items(items=1)
        with django_capture_on_commit_callbacks(execute=True):
            services.order_mark_sent(order_id=order.pk, actor=actor)
        # The parcel /sent packs and sends, then the order's own event.
        assert heard == ["order.shipment_created", "order.shipment_sent", "order.sent"]
    finally:
        order_event_committed.disconnect(listener)


def test_history_is_append_only(actor):
    record = order_with_items(items=1).history.get()
    record.name = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        record.save()


def test_staff_edits_cannot_move_a_sent_order(actor):
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    with pytest.raises(TransitionNotAllowed) as error:
        services.order_update(
            order_id=order.pk, actor=actor, changes={"delivery_city": "Elsewhere"}
        )
    assert error.value.code == "address_locked"
    # other fields stay editable, and resending the same address is not a change
    services.order_update(
        order_id=order.pk,
        actor=actor,
        changes={"our_note": "late", "delivery_city": order.delivery_city},
    )
    assert Order.objects.get(pk=order.pk).our_note == "late"


def test_an_order_finds_its_customer_by_email_whatever_the_case(actor):
    first = services.order_create(actor=actor, email="Jana@Mail.example", name="Jana")
    second = services.order_create(actor=actor, email="jana@mail.EXAMPLE", name="Jana N.")
    assert first.customer_id == second.customer_id
    assert Customer.objects.count() == 1


def test_the_currency_is_locked_once_the_order_has_items(actor):
    empty = order_with_items(items=0)
    services.order_update(order_id=empty.pk, actor=actor, changes={"order_currency_code": "CZK"})
    assert Order.objects.get(pk=empty.pk).order_currency_code == "CZK"

    priced = order_with_items(items=1)
    with pytest.raises(TransitionNotAllowed) as error:
        services.order_update(
            order_id=priced.pk, actor=actor, changes={"order_currency_code": "CZK"}
        )
    assert error.value.code == "currency_locked"
    assert Order.objects.get(pk=priced.pk).order_currency_code == "EUR"


def test_payment_is_due_days_after_the_order_date(actor, settings):
    from datetime import UTC, date, datetime

    settings.ORDER_MATURITY_DAYS = 10
    order = services.order_create(actor=actor, date_order=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert order.date_maturity == date(2026, 3, 11)
