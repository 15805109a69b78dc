"""Parcels: packing, sending, delivering, returning to sender, and what the order's
shipping state, its items and the wire's whole-order calls make of them."""

from decimal import Decimal

import pytest

from orders import services
from orders.errors import (
    DerivedLine,
    Duplicate,
    InvalidInput,
    ItemShipped,
    NotFound,
    ShipmentTooLarge,
    TransitionNotAllowed,
)
from orders.models import (
    Order,
    OrderEvent,
    OrderItem,
    Shipment,
    ShippingState,
    Tracking,
    shipping_state_of,
)
from statuses.models import OrderStatus
from tests.factories import (
    OrderStatusFactory,
    ShipperFactory,
    ShippingMethodFactory,
    order_with_items,
)

pytestmark = pytest.mark.django_db


def products(order) -> list[OrderItem]:
    return list(OrderItem.objects.filter(order=order, kind="product").order_by("id"))


def fresh(order) -> Order:
    return Order.objects.get(pk=order.pk)


def event_types(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order).order_by("id").values_list("type", flat=True)
    )


@pytest.fixture
def order(db):
    """Article 0 x 1 and Article 1 x 2, 0.5 kg a unit: 3 units to ship."""
    order = order_with_items(items=2)
    OrderItem.objects.filter(order=order).update(weight=Decimal("0.5"))
    return order


def pack(order, actor, *lines, **kwargs) -> Shipment:
    return services.shipment_create(order_id=order.pk, actor=actor, lines=lines or None, **kwargs)


def step(name, order, parcel, actor):
    service = {
        "sent": services.shipment_mark_sent,
        "delivered": services.shipment_mark_delivered,
        "returned": services.shipment_mark_returned,
        "cancel": services.shipment_cancel,
    }[name]
    return service(order_id=order.pk, shipment_id=parcel.pk, actor=actor)


# --- the shipping state the parcels say ------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "sent", "delivered", "state"),
    [
        (0, 0, 0, None),  # no products: the whole-order flags decide
        (3, 0, 0, "pending"),
        (3, 1, 0, "partially_sent"),
        (3, 1, 1, "partially_sent"),
        (3, 0, 2, "partially_sent"),
        (3, 3, 0, "sent"),
        (3, 2, 1, "partially_delivered"),
        (3, 0, 3, "delivered"),
    ],
)
def test_shipping_state_of_the_units(units, sent, delivered, state):
    assert shipping_state_of(units=units, sent=sent, delivered=delivered) == state


# --- packing ---------------------------------------------------------------------------------


def test_a_parcel_takes_everything_not_yet_shipped_by_default(order, actor):
    parcel = pack(order, actor)

    assert parcel.state == "packed"
    assert [(line.item_id, line.count) for line in parcel.lines.order_by("id")] == [
        (item.pk, item.count) for item in products(order)
    ]
    assert parcel.weight == Decimal("1.500")  # 3 units of 0.5 kg
    assert [(i.shipped_count, i.waiting_count) for i in products(order)] == [(1, 0), (2, 0)]
    after = fresh(order)
    assert after.shipping_state == "pending"  # packed is not sent
    assert after.version == order.version + 1
    record = after.history.get(type="shipment")
    assert record.name == f"Parcel {parcel.pk} packed: 1 x Article 0, 2 x Article 1"
    assert event_types(order)[-1] == "order.shipment_created"
    assert OrderEvent.objects.filter(order=order).last().payload["shipment"]["id"] == parcel.pk


def test_a_parcel_of_chosen_lines_with_tracking_and_weight(order, actor):
    first, second = products(order)
    shipper = ShipperFactory(name="PPL")

    parcel = pack(
        order,
        actor,
        (second.pk, 1),
        shipper_id=shipper.pk,
        tracking_number=" PPL-1 ",
        weight=Decimal("2.25"),
    )

    assert [(line.item_id, line.count) for line in parcel.lines.all()] == [(second.pk, 1)]
    assert (parcel.tracking.shipper, parcel.tracking.tracking_number) == (shipper, "PPL-1")
    assert parcel.tracking.order_id == order.pk
    assert parcel.weight == Decimal("2.250")
    assert [i.waiting_count for i in products(order)] == [1, 1]
    # the rest by default
    rest = pack(order, actor)
    assert sorted((line.item_id, line.count) for line in rest.lines.all()) == [
        (first.pk, 1),
        (second.pk, 1),
    ]


def test_a_packed_parcel_reserves_its_units(order, actor):
    _, second = products(order)
    pack(order, actor, (second.pk, 2))
    with pytest.raises(ShipmentTooLarge) as refused:
        pack(order, actor, (second.pk, 1))
    assert refused.value.field == "lines[0].count"
    assert refused.value.message == f"Item {second.pk} has 0 of 2 not yet in a parcel, not 1."


def refusal_cases(order):
    first, second = products(order)
    other = order_with_items(items=1).items.get()
    return {
        "more than ordered": ([(second.pk, 3)], ShipmentTooLarge, "lines[0].count"),
        "unknown item": ([(987654, 1)], NotFound, "lines[0].item_id"),
        "another order's item": ([(other.pk, 1)], NotFound, "lines[0].item_id"),
        "listed twice": ([(first.pk, 1), (first.pk, 1)], InvalidInput, "lines[1].item_id"),
        "count 0": ([(first.pk, 0)], InvalidInput, "lines[0].count"),
        "count not a number": ([(first.pk, "1")], InvalidInput, "lines[0].count"),
        "no lines": ([], InvalidInput, "lines"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "more than ordered",
        "unknown item",
        "another order's item",
        "listed twice",
        "count 0",
        "count not a number",
        "no lines",
    ],
)
def test_a_bad_parcel_is_refused_and_changes_nothing(order, actor, case):
    lines, error, field = refusal_cases(order)[case]
    with pytest.raises(error) as refused:
        services.shipment_create(order_id=order.pk, actor=actor, lines=lines)
    assert refused.value.field == field
    assert not Shipment.objects.exists()
    assert [i.shipped_count for i in products(order)] == [0, 0]
    assert fresh(order).version == order.version


def test_fee_and_discount_lines_are_not_shipped(actor):
    method = ShippingMethodFactory(price=Decimal("4.90"))
    order = order_with_items(items=1, shipping_id=method.pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal("10"), reason="Loyal"
    )
    for kind in ("shipping", "discount"):
        line = OrderItem.objects.get(order=order, kind=kind)
        with pytest.raises(InvalidInput) as refused:
            pack(order, actor, (line.pk, 1))
        assert refused.value.field == "lines[0].item_id"
        assert "only products go into parcels" in refused.value.message
        assert line.waiting_count == 0
    # by default only the product goes
    parcel = pack(order, actor)
    assert [line.item.kind for line in parcel.lines.select_related("item")] == ["product"]


def test_nothing_waiting_is_refused(order, actor):
    pack(order, actor)
    with pytest.raises(TransitionNotAllowed) as refused:
        pack(order, actor)
    assert refused.value.code == "nothing_to_ship"
    assert Shipment.objects.count() == 1


def test_an_order_without_products_has_nothing_to_ship(actor):
    order = order_with_items(items=0)
    with pytest.raises(TransitionNotAllowed) as refused:
        pack(order, actor)
    assert refused.value.code == "nothing_to_ship"


@pytest.mark.parametrize("closing", ["done", "cancel"])
def test_no_parcel_on_a_done_or_canceled_order(order, actor, closing):
    getattr(services, {"done": "order_mark_done", "cancel": "order_cancel"}[closing])(
        order_id=order.pk, actor=actor
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        pack(order, actor)
    assert refused.value.message.startswith(f"Order {order.pk} cannot be given a parcel: it is")
    assert not Shipment.objects.exists()


def test_tracking_needs_its_shipper_and_the_reverse(order, actor):
    with pytest.raises(InvalidInput) as refused:
        pack(order, actor, tracking_number="X1")
    assert refused.value.field == "shipper_id"
    with pytest.raises(InvalidInput) as refused:
        pack(order, actor, shipper_id=ShipperFactory().pk)
    assert refused.value.field == "tracking_number"
    with pytest.raises(InvalidInput) as refused:
        pack(order, actor, shipper_id=987654, tracking_number="X1")
    assert refused.value.field == "shipper_id"
    with pytest.raises(InvalidInput) as refused:
        pack(order, actor, weight=Decimal("-1"))
    assert refused.value.field == "weight"
    assert not Shipment.objects.exists()
    assert not Tracking.objects.exists()


def test_a_tracking_number_of_another_order_or_parcel_is_refused(order, actor):
    shipper = ShipperFactory()
    other = order_with_items(items=1)
    services.order_tracking_add(
        order_id=other.pk, actor=actor, shipper_id=shipper.pk, tracking_number="T-1"
    )
    with pytest.raises(Duplicate):
        pack(order, actor, shipper_id=shipper.pk, tracking_number="T-1")
    first, second = products(order)
    pack(order, actor, (first.pk, 1), shipper_id=shipper.pk, tracking_number="T-2")
    with pytest.raises(Duplicate) as refused:
        pack(order, actor, (second.pk, 1), shipper_id=shipper.pk, tracking_number="T-2")
    assert "already" in refused.value.message


def test_a_plain_tracking_of_the_order_can_be_given_to_a_parcel(actor):
    order = order_with_items(items=0)  # a plain tracking: nothing to put it on
    shipper = ShipperFactory()
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="T-9"
    )
    services.order_item_add(
        order_id=order.pk,
        actor=actor,
        item=services.ItemData(name="Mug", count=1, vat=Decimal("21"), final_price=Decimal("5")),
    )
    parcel = pack(order, actor, shipper_id=shipper.pk, tracking_number="T-9")
    assert parcel.tracking == Tracking.objects.get()


# --- moving parcels along --------------------------------------------------------------------

OK, NOOP, REFUSED = "ok", "noop", "refused"
STEP_NAMES = ("sent", "delivered", "returned", "cancel")
# A parcel in each state, on an open order; the steps' outcomes.
PARCEL_TABLE = {
    #            sent     delivered returned cancel
    "packed": (OK, REFUSED, REFUSED, OK),
    "sent": (NOOP, OK, OK, REFUSED),
    "delivered": (NOOP, NOOP, REFUSED, REFUSED),
    "returned": (REFUSED, REFUSED, NOOP, REFUSED),
}
# On a closed order only a returned-to-sender of a canceled order's sent parcel goes.
CLOSED_TABLE = {
    ("done", "packed"): (REFUSED, REFUSED, REFUSED, REFUSED),
    ("done", "sent"): (NOOP, REFUSED, REFUSED, REFUSED),
    ("canceled", "sent"): (NOOP, REFUSED, OK, REFUSED),
}
PARCEL_SETUPS = {
    "packed": [],
    "sent": ["sent"],
    "delivered": ["sent", "delivered"],
    "returned": ["sent", "returned"],
}
ROWS = [
    ("open", state, name, expected)
    for state, outcomes in PARCEL_TABLE.items()
    for name, expected in zip(STEP_NAMES, outcomes, strict=True)
] + [
    (closing, state, name, expected)
    for (closing, state), outcomes in CLOSED_TABLE.items()
    for name, expected in zip(STEP_NAMES, outcomes, strict=True)
]


@pytest.mark.usefixtures("no_status_follows")
@pytest.mark.parametrize(("closing", "state", "name", "expected"), ROWS)
def test_parcel_steps(order, actor, closing, state, name, expected):
    first, _ = products(order)
    parcel = pack(order, actor, (first.pk, 1))  # 1 of 3 units: the order stays partial
    for setup in PARCEL_SETUPS[state]:
        step(setup, order, parcel, actor)
    if closing == "done":
        services.order_mark_done(order_id=order.pk, actor=actor)
    elif closing == "canceled":
        services.order_cancel(order_id=order.pk, actor=actor)
    before = fresh(order)
    history = before.history.count()

    if expected == REFUSED:
        with pytest.raises(TransitionNotAllowed) as refused:
            step(name, order, parcel, actor)
        assert refused.value.message.startswith(f"Parcel {parcel.pk} of order {order.pk} cannot")
        assert refused.value.detail.startswith("Allowed now:")
    else:
        step(name, order, parcel, actor)

    after = fresh(order)
    exists = Shipment.objects.filter(pk=parcel.pk).first()
    if expected == OK:
        assert after.version > before.version
        assert after.history.count() == history + 1
        if name == "cancel":
            assert exists is None
        else:
            assert exists.state == {"sent": "sent", "delivered": "delivered"}.get(name, name)
    else:
        assert after.version == before.version
        assert after.history.count() == history
        assert exists.state == state


def test_a_parcel_of_another_order_is_not_found(order, actor):
    other = order_with_items(items=1)
    parcel = pack(other, actor)
    with pytest.raises(NotFound) as refused:
        services.shipment_mark_sent(order_id=order.pk, shipment_id=parcel.pk, actor=actor)
    assert refused.value.code == "shipment_not_found"
    assert Shipment.objects.get().state == "packed"


def test_an_order_shipped_in_two_parcels(order, actor):
    """pending -> partially sent -> sent -> partially delivered -> delivered, with the
    order's own events and dates when it gets there, and the statuses that follow."""
    first, second = products(order)
    one = pack(order, actor, (first.pk, 1), (second.pk, 1))
    two = pack(order, actor, (second.pk, 1))
    assert fresh(order).shipping_state == "pending"

    step("sent", order, one, actor)
    after = fresh(order)
    assert (after.shipping_state, after.sent, after.date_sent) == ("partially_sent", False, None)
    assert "order.sent" not in event_types(order)

    step("sent", order, two, actor)
    after = fresh(order)
    assert (after.shipping_state, after.sent) == ("sent", True)
    assert after.date_sent is not None
    assert after.status == OrderStatus.objects.get(follows="sent")
    assert event_types(order)[-3:] == [
        "order.shipment_sent",
        "order.sent",
        "order.status_changed",
    ]
    assert after.history.filter(type="state", name="Order sent").count() == 1

    step("delivered", order, one, actor)
    after = fresh(order)
    assert (after.shipping_state, after.sent, after.delivered) == (
        "partially_delivered",
        True,
        False,
    )
    assert after.date_delivered is None

    step("delivered", order, two, actor)
    after = fresh(order)
    assert (after.shipping_state, after.delivered) == ("delivered", True)
    assert after.date_delivered is not None
    assert after.status == OrderStatus.objects.get(follows="delivered")
    types = event_types(order)
    assert types.count("order.shipment_sent") == 2
    assert types.count("order.shipment_delivered") == 2
    assert types.count("order.sent") == 1
    assert types.count("order.delivered") == 1
    assert types.index("order.sent") < types.index("order.delivered")


def test_returned_to_sender_its_units_wait_again(order, actor):
    first, second = products(order)
    one = pack(order, actor, (first.pk, 1))
    two = pack(order, actor, (second.pk, 2))
    step("sent", order, one, actor)
    step("sent", order, two, actor)
    assert fresh(order).shipping_state == "sent"

    step("returned", order, two, actor)

    after = fresh(order)
    assert (after.shipping_state, after.date_sent) == ("partially_sent", None)
    assert [i.waiting_count for i in products(order)] == [0, 2]
    two.refresh_from_db()
    assert (two.state, two.date_returned is not None) == ("returned", True)
    assert event_types(order)[-1] == "order.shipment_returned"
    # the units go out again in a new parcel
    again = pack(order, actor)
    assert [(line.item_id, line.count) for line in again.lines.all()] == [(second.pk, 2)]


def test_a_canceled_order_s_parcel_may_come_back(order, actor):
    parcel = pack(order, actor)
    step("sent", order, parcel, actor)
    services.order_cancel(order_id=order.pk, actor=actor)
    step("returned", order, parcel, actor)
    after = fresh(order)
    assert (after.canceled, after.shipping_state) == (True, "pending")
    assert [i.shipped_count for i in products(order)] == [0, 0]


def test_canceling_a_packed_parcel_frees_its_units(order, actor):
    parcel = pack(order, actor)
    step("cancel", order, parcel, actor)
    assert not Shipment.objects.exists()
    assert [i.waiting_count for i in products(order)] == [1, 2]
    record = fresh(order).history.filter(type="shipment").first()
    assert record.name == f"Parcel {parcel.pk} canceled: 1 x Article 0, 2 x Article 1"
    assert event_types(order)[-1] == "order.shipment_canceled"


@pytest.mark.usefixtures("no_status_follows")
def test_canceling_the_order_drops_packed_parcels_and_keeps_sent_ones(order, actor):
    first, second = products(order)
    sent = pack(order, actor, (first.pk, 1))
    step("sent", order, sent, actor)
    packed = pack(order, actor, (second.pk, 1))

    services.order_cancel(order_id=order.pk, actor=actor)

    assert list(Shipment.objects.values_list("pk", "state")) == [(sent.pk, "sent")]
    assert not Shipment.objects.filter(pk=packed.pk).exists()
    assert [i.shipped_count for i in products(order)] == [1, 0]
    assert event_types(order)[-2:] == ["order.shipment_canceled", "order.canceled"]


def test_a_cancel_status_drops_packed_parcels_too(order, actor):
    pack(order, actor)
    canceled = OrderStatus.objects.get(cancel_order=True)
    services.order_status_assign(order_id=order.pk, status_id=canceled.pk, actor=actor)
    assert not Shipment.objects.exists()
    assert [i.shipped_count for i in products(order)] == [0, 0]


def test_an_order_with_a_delivered_parcel_cannot_be_canceled(order, actor):
    first, _ = products(order)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)  # the rest
    step("delivered", order, parcel, actor)
    with pytest.raises(TransitionNotAllowed):
        services.order_cancel(order_id=order.pk, actor=actor)


# --- the wire's whole-order calls --------------------------------------------------------------


@pytest.mark.usefixtures("no_status_follows")
def test_sent_packs_what_waits_and_sends_every_packed_parcel(order, actor):
    first, second = products(order)
    packed = pack(order, actor, (first.pk, 1))

    services.order_mark_sent(order_id=order.pk, actor=actor)

    parcels = list(Shipment.objects.order_by("id"))
    assert [(p.pk, p.state) for p in parcels] == [(packed.pk, "sent"), (parcels[1].pk, "sent")]
    assert [(line.item_id, line.count) for line in parcels[1].lines.all()] == [(second.pk, 2)]
    after = fresh(order)
    assert (after.shipping_state, after.sent) == ("sent", True)
    assert [i.waiting_count for i in products(order)] == [0, 0]
    # one history record, the parcels' events, then the order's
    assert after.history.first().name == "Order sent"  # newest first
    assert after.history.filter(type="shipment").count() == 1  # the packing before
    assert event_types(order)[-4:] == [
        "order.shipment_created",
        "order.shipment_sent",
        "order.shipment_sent",
        "order.sent",
    ]
    # a retry changes nothing
    services.order_mark_sent(order_id=order.pk, actor=actor)
    assert fresh(order).version == after.version
    assert Shipment.objects.count() == 2


def test_sent_after_a_delivered_parcel_is_partially_delivered(order, actor):
    first, _ = products(order)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)
    step("delivered", order, parcel, actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    after = fresh(order)
    assert (after.shipping_state, after.sent, after.delivered) == (
        "partially_delivered",
        True,
        False,
    )
    services.order_mark_delivered(order_id=order.pk, actor=actor)
    assert fresh(order).shipping_state == "delivered"
    assert set(Shipment.objects.values_list("state", flat=True)) == {"delivered"}


def test_delivered_waits_until_everything_is_sent(order, actor):
    first, _ = products(order)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_mark_delivered(order_id=order.pk, actor=actor)
    assert "partially sent" in refused.value.message
    assert Shipment.objects.get().state == "sent"


def test_an_order_without_products_is_sent_and_delivered_as_a_whole(actor):
    order = order_with_items(items=0)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_mark_delivered(order_id=order.pk, actor=actor)
    after = fresh(order)
    assert (after.shipping_state, after.date_sent is not None) == ("delivered", True)
    assert not Shipment.objects.exists()


def test_tracking_on_a_new_order_packs_everything(order, actor):
    shipper = ShipperFactory()
    tracking = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="A1"
    )
    parcel = Shipment.objects.get()
    assert (parcel.tracking, parcel.state) == (tracking, "packed")
    assert [i.waiting_count for i in products(order)] == [0, 0]
    assert fresh(order).history.get(type="tracking").changes["shipment"] == [None, parcel.pk]
    assert event_types(order)[-2:] == ["order.shipment_created", "order.tracking_added"]
    # the same number again: the same tracking, nothing new
    again = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="A1"
    )
    assert again == tracking
    assert Shipment.objects.count() == 1


def test_tracking_goes_to_the_open_parcel(order, actor):
    first, _ = products(order)
    open_parcel = pack(order, actor, (first.pk, 1))
    shipper = ShipperFactory()
    tracking = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="B1"
    )
    open_parcel.refresh_from_db()
    assert open_parcel.tracking == tracking
    assert Shipment.objects.count() == 1
    # the open parcel has its number now: the next number packs what waits
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="B2"
    )
    second = Shipment.objects.order_by("id").last()
    assert (second.tracking.tracking_number, second.lines.get().count) == ("B2", 2)


def test_tracking_when_nothing_waits(order, actor):
    """The latest parcel without a number gets it; else it stays a plain tracking."""
    parcel = pack(order, actor)
    step("sent", order, parcel, actor)
    shipper = ShipperFactory()
    late = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="C1"
    )
    parcel.refresh_from_db()
    assert parcel.tracking == late
    plain = services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=shipper.pk, tracking_number="C2"
    )
    assert not Shipment.objects.filter(tracking=plain).exists()
    assert "shipment" not in fresh(order).history.filter(type="tracking").first().changes


def test_tracking_on_a_done_order_packs_nothing(order, actor):
    services.order_mark_done(order_id=order.pk, actor=actor)
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=ShipperFactory().pk, tracking_number="D1"
    )
    assert not Shipment.objects.exists()
    assert Tracking.objects.filter(order=order).count() == 1


# --- items and parcels -------------------------------------------------------------------------


def test_an_item_in_a_parcel_cannot_be_removed_or_shrunk_below_it(order, actor):
    _, second = products(order)
    pack(order, actor, (second.pk, 2))  # packed: its units are reserved
    with pytest.raises(ItemShipped) as refused:
        services.order_item_remove(order_id=order.pk, item_id=second.pk, actor=actor)
    assert refused.value.message == f"Item {second.pk} has 2 in parcels: it cannot be removed."
    with pytest.raises(ItemShipped) as refused:
        services.order_item_update(
            order_id=order.pk,
            item_id=second.pk,
            actor=actor,
            item=services.ItemData(
                name="Article 1", count=1, vat=Decimal("21"), final_price=Decimal("12.10")
            ),
        )
    assert refused.value.message == f"Item {second.pk} has 2 in parcels: it cannot be set to 1."
    assert refused.value.field == "count"
    assert OrderItem.objects.filter(pk=second.pk).values_list("count", flat=True).get() == 2
    assert fresh(order).version == order.version + 1  # the parcel only


def test_a_partially_sent_order_takes_more_items(order, actor):
    first, _ = products(order)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)
    assert fresh(order).items_editable
    added = services.order_item_add(
        order_id=order.pk,
        actor=actor,
        item=services.ItemData(name="Extra", count=2, vat=Decimal("21"), final_price=Decimal("1")),
    )
    assert added.waiting_count == 2
    # the line in the sent parcel may grow, its price change
    bigger = services.order_item_update(
        order_id=order.pk,
        item_id=first.pk,
        actor=actor,
        item=services.ItemData(
            name="Article 0", count=3, vat=Decimal("21"), final_price=Decimal("10")
        ),
    )
    assert (bigger.count, bigger.shipped_count, bigger.waiting_count, bigger.ordered) == (
        3,
        1,
        2,
        1,
    )
    assert fresh(order).shipping_state == "partially_sent"


@pytest.mark.usefixtures("no_status_follows")
def test_removing_what_waited_makes_the_order_sent(order, actor):
    first, second = products(order)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)

    services.order_item_remove(order_id=order.pk, item_id=second.pk, actor=actor)

    after = fresh(order)
    assert (after.shipping_state, after.date_sent is not None) == ("sent", True)
    assert event_types(order)[-2:] == ["order.item_changed", "order.sent"]
    assert after.history.filter(type="state", name="Order sent").exists()


def test_ordered_keeps_what_the_customer_ordered(order, actor):
    _, second = products(order)
    changed = services.order_item_update(
        order_id=order.pk,
        item_id=second.pk,
        actor=actor,
        item=services.ItemData(
            name="Article 1", count=5, vat=Decimal("21"), final_price=Decimal("12.10")
        ),
    )
    assert (changed.count, changed.ordered, changed.waiting_count) == (5, 2, 5)


def test_a_refused_item_change_on_a_locked_order_says_fully_sent(order, actor):
    services.order_mark_sent(order_id=order.pk, actor=actor)
    first, _ = products(order)
    with pytest.raises(services.items.ItemsLocked) as refused:
        services.order_item_remove(order_id=order.pk, item_id=first.pk, actor=actor)
    assert "not fully sent" in refused.value.detail


def test_a_fee_line_is_still_a_derived_line_for_the_item_services(actor):
    order = order_with_items(items=1, shipping_id=ShippingMethodFactory().pk)
    fee = OrderItem.objects.get(order=order, kind="shipping")
    with pytest.raises(DerivedLine):
        services.order_item_remove(order_id=order.pk, item_id=fee.pk, actor=actor)


def test_statuses_follow_only_the_whole_order(order, actor):
    first, _ = products(order)
    status = OrderStatusFactory()
    services.order_status_assign(order_id=order.pk, status_id=status.pk, actor=actor)
    parcel = pack(order, actor, (first.pk, 1))
    step("sent", order, parcel, actor)
    assert fresh(order).status == status  # partially sent: no follower
    assert fresh(order).shipping_state == ShippingState.PARTIALLY_SENT
