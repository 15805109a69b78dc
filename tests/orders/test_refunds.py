"""Refunds (orders/services/refunds.py): by lines and/or an amount, through the ledger."""

from decimal import Decimal

import pytest

from notifications import delivery
from notifications.models import Delivery
from orders import services
from orders.errors import InvalidInput, ItemRefunded, NotFound, RefundTooLarge, TransitionNotAllowed
from orders.models import Order, OrderEvent, Payment, Refund
from tests.factories import (
    ShippingMethodFactory,
    WebhookSubscriptionFactory,
    delivered_parcel,
    order_with_items,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def paid_order(actor):
    """Mug 12.10 x 1, Tea 12.10 x 2 and a 4.90 courier: 41.20, paid in full."""
    order = order_with_items(items=2, shipping_id=ShippingMethodFactory(price=D("4.90")).pk)
    return services.order_mark_paid(order_id=order.pk, actor=actor)


def line(order, name):
    return order.items.get(name=name)


def test_a_refund_by_lines_on_a_done_order_keeps_it_done(paid_order, actor):
    services.order_mark_done(order_id=paid_order.pk, actor=actor)
    tea = line(paid_order, "Article 1")

    refund = services.order_refund(
        order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 1)], reason="Broken in transit"
    )

    order = Order.objects.get(pk=paid_order.pk)
    assert (refund.amount, order.paid, order.refunded) == (D("12.10"), D("29.10"), D("12.10"))
    assert (order.payment_state, order.closing_state, order.done) == (
        "partially_refunded",
        "done",
        True,
    )
    assert order.amount_due == D("0")  # what was refunded is no longer owed
    assert list(refund.lines.values_list("item_id", "count", "amount")) == [
        (tea.pk, 1, D("12.1000"))
    ]
    payment = refund.payment
    assert (payment.kind, payment.amount, payment.reason) == (
        "refund",
        D("-12.1000"),
        "Broken in transit",
    )
    record = order.history.first()
    assert (record.type, record.name, record.customer_visible) == (
        "refund",
        "Refund: 12.10 EUR",
        True,
    )
    assert record.changes["payment_state"] == ["paid", "partially_refunded"]
    event = OrderEvent.objects.filter(order=order).last()
    assert event.type == "order.refunded"
    assert event.payload["refund"]["lines"] == [
        {"item_id": tea.pk, "name": "Article 1", "count": 1, "amount": "12.10"}
    ]


def test_refunding_everything_held_makes_the_order_refunded(paid_order, actor):
    services.order_cancel(order_id=paid_order.pk, actor=actor)

    services.order_refund(order_id=paid_order.pk, actor=actor, amount=D("41.20"), reason="Canceled")

    order = Order.objects.get(pk=paid_order.pk)
    assert (order.paid, order.refunded, order.payment_state) == (D("0"), D("41.20"), "refunded")
    assert order.canceled
    assert order.date_paid is not None  # it was paid; the refund does not undo that


def test_an_order_holding_nothing_cannot_be_refunded(actor):
    order = order_with_items(items=1)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_refund(order_id=order.pk, actor=actor, amount=D("1"), reason="x")
    assert (
        refused.value.message
        == f"Order {order.pk} cannot be refunded: it is open, not sent, unpaid."
    )
    assert not Refund.objects.exists()


def test_never_more_than_what_is_paid_and_not_refunded(paid_order, actor):
    services.order_refund(order_id=paid_order.pk, actor=actor, amount=D("40"), reason="Most of it")

    with pytest.raises(RefundTooLarge) as refused:
        services.order_refund(order_id=paid_order.pk, actor=actor, amount=D("1.21"), reason="More")

    assert refused.value.code == "refund_exceeds_paid"
    assert (
        refused.value.message
        == "A refund of 1.21 EUR is more than the 1.20 EUR paid and not yet refunded."
    )
    assert Order.objects.get(pk=paid_order.pk).paid == D("1.20")
    assert Refund.objects.count() == 1


def test_never_more_units_than_are_left_to_refund(paid_order, actor):
    tea = line(paid_order, "Article 1")  # 2 units
    services.order_refund(order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 1)], reason="One")

    with pytest.raises(RefundTooLarge) as refused:
        services.order_refund(
            order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 2)], reason="Two"
        )

    assert (refused.value.code, refused.value.field) == ("refund_exceeds_count", "lines[0].count")
    assert refused.value.message == f"Item {tea.pk} has 1 of 2 left to refund, not 2."


def test_a_product_is_refunded_at_its_price_after_the_order_discount(actor):
    order = order_with_items(items=2, shipping_id=ShippingMethodFactory(price=D("4.90")).pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=D("10"), reason="x"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)  # 32.67 + 4.90
    tea, fee = line(order, "Article 1"), order.items.get(kind="shipping")

    refund = services.order_refund(
        order_id=order.pk, actor=actor, lines=[(tea.pk, 2), (fee.pk, 1)], reason="Returned"
    )

    # 24.20 less 10 %, and the fee in full (fees are not discounted).
    assert list(refund.lines.values_list("amount", flat=True)) == [D("21.7800"), D("4.9000")]
    assert refund.amount == D("26.68")
    options = {
        o.item.name: (o.refunded, o.left, o.amount_left) for o in services.refund_options(order)
    }
    assert options == {
        "Article 0": (0, 1, D("10.89")),
        "Article 1": (2, 0, D("0.00")),
        fee.name: (1, 0, D("0.00")),
    }


def test_lines_and_an_amount_together(paid_order, actor):
    mug = line(paid_order, "Article 0")
    refund = services.order_refund(
        order_id=paid_order.pk, actor=actor, lines=[(mug.pk, 1)], amount=D("2.5"), reason="Sorry"
    )
    assert (refund.amount, refund.extra_amount) == (D("14.60"), D("2.50"))
    assert Payment.objects.get(refund=refund).amount == D("-14.60")


def test_returned_units_are_marked_when_asked(paid_order, actor):
    """As a return of the refund (tests/orders/test_returns.py has its rules): only units
    that were delivered."""
    tea = line(paid_order, "Article 1")
    delivered_parcel(paid_order, [(tea, 2)])
    refund = services.order_refund(
        order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 2)], reason="Back", mark_returned=True
    )
    tea.refresh_from_db()
    assert tea.returned_count == 2
    assert refund.goods_return.state == "refunded"


@pytest.mark.parametrize(
    ("arguments", "error", "field"),
    [
        ({"reason": " "}, InvalidInput, "reason"),
        ({"amount": None}, InvalidInput, "lines"),
        ({"amount": D("-1")}, InvalidInput, "amount"),
        ({"amount": "abc"}, InvalidInput, "amount"),
        ({"amount": None, "lines": [(98765, 1)]}, NotFound, "lines[0].item_id"),
        ({"amount": None, "lines": [("mug", 0)]}, InvalidInput, "lines[0].count"),
        ({"amount": None, "lines": [("mug", 1), ("mug", 1)]}, InvalidInput, "lines[1].item_id"),
    ],
)
def test_bad_refunds_change_nothing(paid_order, actor, arguments, error, field):
    mug = line(paid_order, "Article 0")
    values = {"reason": "Why", "amount": D("1"), **arguments}
    values["lines"] = [(mug.pk if i == "mug" else i, c) for i, c in values.get("lines", [])]
    with pytest.raises(error) as refused:
        services.order_refund(order_id=paid_order.pk, actor=actor, **values)
    assert refused.value.field == field
    assert not Refund.objects.exists()
    assert Order.objects.get(pk=paid_order.pk).paid == D("41.20")


def test_a_discount_line_is_not_refunded_itself(actor):
    order = order_with_items(items=1)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="amount", value=D("1"), reason="x"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    discount = order.items.get(kind="discount")
    with pytest.raises(InvalidInput) as refused:
        services.order_refund(order_id=order.pk, actor=actor, lines=[(discount.pk, 1)], reason="x")
    assert (
        refused.value.message
        == f"Item {discount.pk} is a discount line: refund the goods it discounts."
    )


def test_a_refunded_line_stays_on_an_open_order(paid_order, actor):
    tea, fee = line(paid_order, "Article 1"), paid_order.items.get(kind="shipping")
    services.order_refund(
        order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 2), (fee.pk, 1)], reason="x"
    )

    def set_count(count):
        return services.order_item_update(
            order_id=paid_order.pk,
            item_id=tea.pk,
            actor=actor,
            item=services.ItemData(name="Tea", count=count, vat=D("21"), final_price=D("12.10")),
        )

    with pytest.raises(ItemRefunded):
        services.order_item_remove(order_id=paid_order.pk, item_id=tea.pk, actor=actor)
    with pytest.raises(ItemRefunded) as refused:
        set_count(1)
    assert refused.value.message == f"Item {tea.pk} has 2 refunded: it cannot be set to 1."
    with pytest.raises(ItemRefunded):
        services.order_set_shipping_method(order_id=paid_order.pk, actor=actor, shipping_id=None)
    assert set_count(3).count == 3  # more is fine


def test_webhooks_can_subscribe_to_refunds(paid_order, actor):
    WebhookSubscriptionFactory(events=["order.refunded"])
    services.order_refund(order_id=paid_order.pk, actor=actor, amount=D("1"), reason="x")
    delivery.dispatch_events()
    assert Delivery.objects.get().event.type == "order.refunded"


def test_the_selectors_list_the_ledger_and_the_refunds(
    paid_order, actor, django_assert_num_queries
):
    from orders.selectors import order_payments, order_refunds

    tea = line(paid_order, "Article 1")
    for _ in range(2):
        services.order_refund(order_id=paid_order.pk, actor=actor, lines=[(tea.pk, 1)], reason="x")

    with django_assert_num_queries(1):
        kinds = [(p.kind, p.amount, p.method) for p in order_payments(paid_order.pk)]
    assert kinds == [
        ("payment", D("41.2000"), None),
        ("refund", D("-12.1000"), None),
        ("refund", D("-12.1000"), None),
    ]
    with django_assert_num_queries(2):
        refunds = [
            [(rl.item.name, rl.count) for rl in r.lines.all()] for r in order_refunds(paid_order.pk)
        ]
    assert refunds == [[("Article 1", 1)], [("Article 1", 1)]]
