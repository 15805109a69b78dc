"""Returns (orders/services/returns.py): goods back from delivered parcels, then refunded or
rejected; and the refund's `mark_returned`, which records a return too."""

from decimal import Decimal

import pytest

from orders import services
from orders.errors import (
    InvalidInput,
    NotFound,
    RefundTooLarge,
    ReturnTooLarge,
    TransitionNotAllowed,
)
from orders.models import Order, OrderEvent, OrderItem, Refund, Return
from tests.factories import ShippingMethodFactory, delivered_parcel, order_with_items

pytestmark = pytest.mark.django_db
D = Decimal


def item(order, name) -> OrderItem:
    return OrderItem.objects.get(order=order, name=name)


def returned(order) -> dict[str, int]:
    return dict(order.items.filter(kind="product").values_list("name", "returned_count"))


@pytest.fixture
def order(actor):
    """Article 0 (12.10 x 1), Article 1 (12.10 x 2), a 4.90 courier and a 10 % discount
    (32.67 + 4.90 = 37.57 EUR), paid in full, everything delivered in one parcel."""
    order = order_with_items(items=2, shipping_id=ShippingMethodFactory(price=D("4.90")).pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=D("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    delivered_parcel(order, [(item(order, "Article 0"), 1), (item(order, "Article 1"), 2)])
    return Order.objects.get(pk=order.pk)


def request(order, actor, lines, reason="Too small") -> Return:
    return services.return_request(order_id=order.pk, actor=actor, lines=lines, reason=reason)


# --- requesting a return ----------------------------------------------------------------


def test_a_return_of_delivered_units_is_requested_and_counted(order, actor):
    tea = item(order, "Article 1")

    goods_return = request(order, actor, [(tea.pk, 2)])

    assert (goods_return.state, goods_return.reason, goods_return.actor) == (
        "requested",
        "Too small",
        "tests",
    )
    assert list(goods_return.lines.values_list("item_id", "count")) == [(tea.pk, 2)]
    assert returned(order) == {"Article 0": 0, "Article 1": 2}
    after = Order.objects.get(pk=order.pk)
    assert after.version == order.version + 1
    # A return changes none of the order's states.
    assert (after.payment_state, after.closing_state, after.paid) == ("paid", "open", order.paid)
    record = after.history.first()
    assert (record.type, record.name, record.status, record.customer_visible) == (
        "return",
        f"Return {goods_return.pk} requested: 2 x Article 1",
        "Too small",
        True,
    )
    event = OrderEvent.objects.filter(order=order).last()
    assert event.type == "order.return_requested"
    assert event.payload["return"] == {
        "id": goods_return.pk,
        "state": "requested",
        "reason": "Too small",
        "lines": [{"item_id": tea.pk, "name": "Article 1", "count": 2}],
        "refund_id": None,
    }


def test_a_done_order_takes_a_return(order, actor):
    services.order_mark_done(order_id=order.pk, actor=actor)

    goods_return = request(order, actor, [(item(order, "Article 0").pk, 1)])

    assert goods_return.state == "requested"
    assert Order.objects.get(pk=order.pk).done


def test_never_more_than_was_delivered(actor):
    order = order_with_items(items=2)
    tea = item(order, "Article 1")  # 2 ordered, 1 delivered, 1 still in a sent parcel
    delivered_parcel(order, [(tea, 1)])
    delivered_parcel(order, [(tea, 1)], state="sent")

    with pytest.raises(ReturnTooLarge) as refused:
        request(order, actor, [(tea.pk, 2)])

    assert (refused.value.code, refused.value.field) == (
        "return_exceeds_delivered",
        "lines[0].count",
    )
    assert refused.value.message == (
        f"Item {tea.pk} has 1 of 1 delivered units left to return, not 2."
    )
    assert not Return.objects.exists()
    assert returned(order) == {"Article 0": 0, "Article 1": 0}
    assert request(order, actor, [(tea.pk, 1)]).state == "requested"


def test_two_returns_together_never_exceed_what_was_delivered(order, actor):
    tea = item(order, "Article 1")
    request(order, actor, [(tea.pk, 1)])

    with pytest.raises(ReturnTooLarge) as refused:
        request(order, actor, [(tea.pk, 2)], reason="The other one too")

    assert refused.value.message == (
        f"Item {tea.pk} has 1 of 2 delivered units left to return, not 2."
    )
    assert Return.objects.count() == 1


def test_a_line_not_delivered_yet_cannot_come_back(actor):
    order = order_with_items(items=2)
    mug, tea = item(order, "Article 0"), item(order, "Article 1")
    delivered_parcel(order, [(mug, 1)])

    with pytest.raises(ReturnTooLarge) as refused:
        request(order, actor, [(mug.pk, 1), (tea.pk, 1)])

    assert refused.value.field == "lines[1].count"
    assert refused.value.message == (
        f"Item {tea.pk} is not delivered yet: nothing of it can come back."
    )
    assert returned(order) == {"Article 0": 0, "Article 1": 0}  # the first line is not kept


def test_an_order_with_nothing_delivered_takes_no_return(actor):
    order = order_with_items(items=1)
    services.order_mark_sent(order_id=order.pk, actor=actor)
    assert order.shipments.get().state == "sent"  # on its way, not delivered

    with pytest.raises(TransitionNotAllowed) as refused:
        request(order, actor, [(item(order, "Article 0").pk, 1)])

    assert refused.value.message == (
        f"Order {order.pk} cannot take a return: nothing of it is delivered yet."
    )


def test_a_canceled_order_takes_no_return(actor):
    order = order_with_items(items=1)
    delivered_parcel(order, [(item(order, "Article 0"), 1)])
    services.order_cancel(order_id=order.pk, actor=actor)

    with pytest.raises(TransitionNotAllowed) as refused:
        request(order, actor, [(item(order, "Article 0").pk, 1)])

    assert refused.value.message == f"Order {order.pk} cannot take a return: it is canceled."
    assert refused.value.detail == "A canceled order takes no returns."


@pytest.mark.parametrize(
    ("lines", "reason", "error", "field", "message"),
    [
        ("fee", "x", InvalidInput, "lines[0].item_id", "is a shipping fee line: only products"),
        ("discount", "x", InvalidInput, "lines[0].item_id", "is a discount line: only products"),
        ("foreign", "x", NotFound, "lines[0].item_id", "has no item"),
        ("twice", "x", InvalidInput, "lines[1].item_id", "is listed twice"),
        ("zero", "x", InvalidInput, "lines[0].count", "count must be a whole number"),
        ("true", "x", InvalidInput, "lines[0].count", "count must be a whole number"),
        ("none", "x", InvalidInput, "lines", "A return needs lines"),
        ("one", "  ", InvalidInput, "reason", "A return needs a reason of 1 to 300"),
        ("one", "x" * 301, InvalidInput, "reason", "A return needs a reason of 1 to 300"),
    ],
)
def test_bad_lines_and_reasons_are_refused(order, actor, lines, reason, error, field, message):
    tea = item(order, "Article 1")
    other = order_with_items(items=1).items.get()
    rows = {
        "fee": [(order.items.get(kind="shipping").pk, 1)],
        "discount": [(order.items.get(kind="discount").pk, 1)],
        "foreign": [(other.pk, 1)],
        "twice": [(tea.pk, 1), (tea.pk, 1)],
        "zero": [(tea.pk, 0)],
        "true": [(tea.pk, True)],
        "none": [],
        "one": [(tea.pk, 1)],
    }[lines]

    with pytest.raises(error) as refused:
        request(order, actor, rows, reason=reason)

    assert refused.value.field == field
    assert message in refused.value.message
    assert not Return.objects.exists()
    assert Order.objects.get(pk=order.pk).version == order.version


def test_an_unknown_order_is_not_found(actor):
    with pytest.raises(NotFound):
        services.return_request(order_id=987654, actor=actor, lines=[(1, 1)], reason="x")


# --- its steps: received, refunded, rejected ----------------------------------------------


def _in_state(order, actor, state) -> Return:
    goods_return = request(order, actor, [(item(order, "Article 1").pk, 1)])
    steps = {
        "requested": [],
        "received": [services.return_mark_received],
        "refunded": [services.return_mark_received, services.return_refund],
        "rejected": [services.return_reject],
    }[state]
    for step in steps:
        step(order_id=order.pk, return_id=goods_return.pk, actor=actor)
    return Return.objects.get(pk=goods_return.pk)


STEPS = {
    "receive": services.return_mark_received,
    "refund": services.return_refund,
    "reject": services.return_reject,
}


@pytest.mark.parametrize(
    ("state", "step", "outcome"),
    [
        ("requested", "receive", "received"),
        ("requested", "reject", "rejected"),
        ("requested", "refund", "refused"),
        ("received", "refund", "refunded"),
        ("received", "reject", "rejected"),
        ("received", "receive", "unchanged"),
        ("refunded", "receive", "unchanged"),
        ("refunded", "refund", "unchanged"),
        ("refunded", "reject", "refused"),
        ("rejected", "reject", "unchanged"),
        ("rejected", "receive", "refused"),
        ("rejected", "refund", "refused"),
    ],
)
def test_the_steps_of_a_return(order, actor, state, step, outcome):
    goods_return = _in_state(order, actor, state)
    version = Order.objects.get(pk=order.pk).version
    records = Order.objects.get(pk=order.pk).history.count()

    if outcome == "refused":
        with pytest.raises(TransitionNotAllowed) as refused:
            STEPS[step](order_id=order.pk, return_id=goods_return.pk, actor=actor)
        verb = {"receive": "received", "refund": "refunded", "reject": "rejected"}[step]
        assert refused.value.message == (
            f"Return {goods_return.pk} cannot be {verb}: it is {state}."
        )
        assert refused.value.detail.startswith("Allowed now: ")
    else:
        STEPS[step](order_id=order.pk, return_id=goods_return.pk, actor=actor)

    after = Return.objects.get(pk=goods_return.pk)
    order_after = Order.objects.get(pk=order.pk)
    if outcome in ("refused", "unchanged"):
        assert after.state == state
        assert (order_after.version, order_after.history.count()) == (version, records)
    else:
        assert after.state == outcome
        assert order_after.version > version


def test_receiving_records_the_date_history_and_an_event(order, actor):
    goods_return = request(order, actor, [(item(order, "Article 1").pk, 1)])

    services.return_mark_received(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    goods_return.refresh_from_db()
    assert goods_return.date_received is not None
    record = Order.objects.get(pk=order.pk).history.first()
    assert (record.name, record.changes["return"][1]["state"]) == (
        f"Return {goods_return.pk} received",
        "received",
    )
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.type, event.payload["return"]["state"]) == ("order.return_received", "received")


def test_rejecting_releases_the_units(order, actor):
    tea = item(order, "Article 1")
    goods_return = request(order, actor, [(tea.pk, 2)])
    services.return_mark_received(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    services.return_reject(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    goods_return.refresh_from_db()
    assert (goods_return.state, goods_return.date_rejected is not None) == ("rejected", True)
    assert returned(order)["Article 1"] == 0
    assert OrderEvent.objects.filter(order=order).last().type == "order.return_rejected"
    # The units can come back again.
    assert request(order, actor, [(tea.pk, 2)], reason="Second try").state == "requested"


def test_a_return_of_another_order_is_not_found(order, actor):
    other = order_with_items(items=1)
    delivered_parcel(other, [(other.items.get(), 1)])
    foreign = request(other, actor, [(other.items.get().pk, 1)])

    with pytest.raises(NotFound) as refused:
        services.return_mark_received(order_id=order.pk, return_id=foreign.pk, actor=actor)

    assert (refused.value.code, refused.value.message) == (
        "return_not_found",
        f"Order {order.pk} has no return {foreign.pk}.",
    )
    assert Return.objects.get(pk=foreign.pk).state == "requested"


def test_a_canceled_orders_return_can_still_be_settled(actor):
    order = order_with_items(items=1)
    delivered_parcel(order, [(item(order, "Article 0"), 1)])
    goods_return = request(order, actor, [(item(order, "Article 0").pk, 1)])
    services.order_cancel(order_id=order.pk, actor=actor)

    services.return_mark_received(order_id=order.pk, return_id=goods_return.pk, actor=actor)
    services.return_reject(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    assert Return.objects.get(pk=goods_return.pk).state == "rejected"


# --- the refund ----------------------------------------------------------------------------


def _received(order, actor, lines) -> Return:
    goods_return = request(order, actor, lines)
    services.return_mark_received(order_id=order.pk, return_id=goods_return.pk, actor=actor)
    return goods_return


def test_the_refund_pays_the_lines_after_the_discount_without_the_shipping(order, actor):
    tea = item(order, "Article 1")
    goods_return = _received(order, actor, [(tea.pk, 2)])
    assert services.return_refund_amount(goods_return) == D("21.78")  # what staff are shown

    services.return_refund(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    goods_return.refresh_from_db()
    refund = goods_return.refund
    assert (goods_return.state, goods_return.date_refunded is not None) == ("refunded", True)
    # 2 x 12.10 less the 10 % discount's share; the courier stays paid.
    assert (refund.amount, refund.reason, refund.mark_returned) == (D("21.78"), "Too small", True)
    assert list(refund.lines.values_list("item_id", "count")) == [(tea.pk, 2)]
    after = Order.objects.get(pk=order.pk)
    assert (after.paid, after.refunded, after.payment_state) == (
        D("15.79"),
        D("21.78"),
        "partially_refunded",
    )
    assert returned(order)["Article 1"] == 2  # refunded returns still count
    record = after.history.first()
    assert (record.type, record.name) == (
        "refund",
        f"Refund for return {goods_return.pk}: 21.78 EUR",
    )
    event = OrderEvent.objects.filter(order=order).last()
    assert event.type == "order.refunded"
    assert (event.payload["refund"]["return_id"], event.payload["refund"]["mark_returned"]) == (
        goods_return.pk,
        True,
    )


def test_the_refund_takes_an_extra_amount_and_its_own_reason(order, actor):
    goods_return = _received(order, actor, [(item(order, "Article 0").pk, 1)])

    services.return_refund(
        order_id=order.pk,
        return_id=goods_return.pk,
        actor=actor,
        amount=D("3.50"),
        reason="Return postage paid",
    )

    refund = Return.objects.get(pk=goods_return.pk).refund
    assert (refund.amount, refund.extra_amount, refund.reason) == (
        D("14.39"),
        D("3.50"),
        "Return postage paid",
    )


def test_the_refund_follows_the_refund_rules_and_keeps_the_return_received(actor):
    order = order_with_items(items=1)  # nothing paid
    delivered_parcel(order, [(item(order, "Article 0"), 1)])
    goods_return = _received(order, actor, [(item(order, "Article 0").pk, 1)])

    with pytest.raises(TransitionNotAllowed) as refused:
        services.return_refund(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    assert refused.value.message.startswith(f"Order {order.pk} cannot be refunded")
    assert Return.objects.get(pk=goods_return.pk).state == "received"
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("5"))
    with pytest.raises(RefundTooLarge) as refused:
        services.return_refund(order_id=order.pk, return_id=goods_return.pk, actor=actor)
    assert refused.value.message == (
        "A refund of 12.10 EUR is more than the 5.00 EUR paid and not yet refunded."
    )
    assert refused.value.field is None  # the return's lines, not a field of the request
    assert (Return.objects.get(pk=goods_return.pk).state, Refund.objects.count()) == (
        "received",
        0,
    )


def test_units_refunded_before_are_not_refunded_twice(order, actor):
    tea = item(order, "Article 1")
    services.order_refund(order_id=order.pk, actor=actor, lines=[(tea.pk, 2)], reason="Broken")
    goods_return = _received(order, actor, [(tea.pk, 1)])

    with pytest.raises(TransitionNotAllowed) as refused:
        services.return_refund(order_id=order.pk, return_id=goods_return.pk, actor=actor)

    assert refused.value.message == (
        f"Return {goods_return.pk} cannot be refunded: item {tea.pk} has 0 of 2 units left "
        "to refund, not 1."
    )
    assert Refund.objects.count() == 1


# --- the refund's mark_returned: a return of its own, one count --------------------------------


def test_a_refund_marking_products_returned_makes_a_refunded_return(order, actor):
    tea = item(order, "Article 1")
    fee = order.items.get(kind="shipping")

    refund = services.order_refund(
        order_id=order.pk,
        actor=actor,
        lines=[(fee.pk, 1), (tea.pk, 1)],
        reason="Came back",
        mark_returned=True,
    )

    goods_return = Return.objects.get()
    assert (goods_return.state, goods_return.refund, goods_return.reason) == (
        "refunded",
        refund,
        "Came back",
    )
    assert goods_return.date_received is not None
    assert list(goods_return.lines.values_list("item_id", "count")) == [(tea.pk, 1)]
    assert (refund.mark_returned, returned(order)["Article 1"]) == (True, 1)
    event = OrderEvent.objects.filter(order=order).last()
    assert event.payload["refund"]["return_id"] == goods_return.pk


def test_a_refund_marking_more_than_was_delivered_is_refused(actor):
    order = order_with_items(items=2)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    tea = item(order, "Article 1")
    delivered_parcel(order, [(tea, 1)])

    with pytest.raises(ReturnTooLarge) as refused:
        services.order_refund(
            order_id=order.pk, actor=actor, lines=[(tea.pk, 2)], reason="x", mark_returned=True
        )

    assert refused.value.field == "lines[0].count"
    assert (Refund.objects.count(), Return.objects.count()) == (0, 0)
    assert Order.objects.get(pk=order.pk).refunded == 0


def test_a_refund_marking_products_of_an_undelivered_order_is_refused(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor)

    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_refund(
            order_id=order.pk,
            actor=actor,
            lines=[(item(order, "Article 0").pk, 1)],
            reason="x",
            mark_returned=True,
        )

    assert "nothing of it is delivered yet" in refused.value.message
    assert not Refund.objects.exists()


def test_mark_returned_without_products_makes_no_return(order, actor):
    refund = services.order_refund(
        order_id=order.pk, actor=actor, amount=D("2"), reason="Goodwill", mark_returned=True
    )

    assert (refund.mark_returned, Return.objects.count()) == (False, 0)
