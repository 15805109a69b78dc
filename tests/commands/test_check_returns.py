"""check_orders on returns: returned_count is what the returns (not rejected) hold and never
more than was delivered; a return's refund fits its state."""

from decimal import Decimal

import pytest

from orders import services
from orders.models import Order, OrderItem, Refund, Return, Shipment
from tests.factories import order_with_items

pytestmark = pytest.mark.django_db


def deliver(order, lines, actor) -> None:
    """A parcel of `lines` ((item, count)) packed, sent and delivered by the parcel
    services, so the order's shipping state is what its parcels say (check_orders checks
    that too)."""
    lines = [(item.pk, count) for item, count in lines]
    parcel = services.shipment_create(order_id=order.pk, actor=actor, lines=lines)
    services.shipment_mark_sent(order_id=order.pk, shipment_id=parcel.pk, actor=actor)
    services.shipment_mark_delivered(order_id=order.pk, shipment_id=parcel.pk, actor=actor)


@pytest.fixture
def order(actor):
    """Article 0 (1) and Article 1 (2), paid, delivered in two parcels; one unit of each
    back: Article 1's requested, Article 0's refunded (by a refund marking it returned);
    a second return of Article 1 rejected; and a refund of goodwill without a return."""
    order = order_with_items(items=2)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    mug, tea = order.items.get(name="Article 0"), order.items.get(name="Article 1")
    deliver(order, [(mug, 1)], actor)
    deliver(order, [(tea, 2)], actor)
    rejected = services.return_request(
        order_id=order.pk, actor=actor, lines=[(tea.pk, 2)], reason="Wrong size"
    )
    services.return_reject(order_id=order.pk, return_id=rejected.pk, actor=actor)
    services.return_request(order_id=order.pk, actor=actor, lines=[(tea.pk, 1)], reason="x")
    services.order_refund(
        order_id=order.pk, actor=actor, lines=[(mug.pk, 1)], reason="Broken", mark_returned=True
    )
    services.order_refund(order_id=order.pk, actor=actor, amount=Decimal("1"), reason="Sorry")
    return order


def test_returns_that_add_up_pass(run, order):
    assert run("check_orders", verbosity=0).stdout == "Checked 1 order: no problems.\n"


def _corrupt(order, corruption) -> str:
    """Break one invariant behind the services' back; the problem check_orders must find."""
    tea = order.items.get(name="Article 1")
    requested = Return.objects.get(order=order, state="requested")
    refunded = Return.objects.get(order=order, state="refunded")
    if corruption == "count":
        OrderItem.objects.filter(pk=tea.pk).update(returned_count=2)
        return f"item {tea.pk} has returned_count 2 but its returns (not rejected) hold 1"
    if corruption == "rejected_behind":
        Return.objects.filter(pk=requested.pk).update(state="rejected")
        return f"item {tea.pk} has returned_count 1 but its returns (not rejected) hold 0"
    if corruption == "not_delivered":
        Shipment.objects.filter(lines__item=tea).update(state="sent", date_delivered=None)
        # The order says what its parcels say: only the return is wrong.
        Order.objects.filter(pk=order.pk).update(
            shipping_state="partially_delivered", date_delivered=None
        )
        return f"item {tea.pk} has 1 returned of only 0 delivered"
    if corruption == "refund_gone":
        Return.objects.filter(pk=refunded.pk).update(refund=None)
        return f"return {refunded.pk} is refunded but has no refund"
    if corruption == "refund_too_early":
        goodwill = Refund.objects.get(order=order, reason="Sorry")
        Return.objects.filter(pk=requested.pk).update(refund=goodwill)
        return f"return {requested.pk} is requested but has a refund"
    raise AssertionError(corruption)


@pytest.mark.parametrize(
    "corruption",
    ["count", "rejected_behind", "not_delivered", "refund_gone", "refund_too_early"],
)
def test_finds_broken_returns(run_failing, order, corruption):
    problem = _corrupt(order, corruption)

    result = run_failing("check_orders", verbosity=0)

    assert result.stdout == f"Order {order.pk}: {problem}\n"
    assert str(result.error) == "1 problems in 1 of 1 orders."


def test_checks_returns_in_every_chunk(run_failing, actor, order):
    later = order_with_items(items=1)
    item = later.items.get()
    deliver(later, [(item, 1)], actor)
    services.return_request(order_id=later.pk, actor=actor, lines=[(item.pk, 1)], reason="x")
    OrderItem.objects.filter(pk=item.pk).update(returned_count=0)

    result = run_failing("check_orders", "--chunk-size", "1", verbosity=0)

    assert result.stdout == (
        f"Order {later.pk}: item {item.pk} has returned_count 0 but its returns (not rejected) "
        "hold 1\n"
    )
