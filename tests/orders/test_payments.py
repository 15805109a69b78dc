"""The payments ledger behind order_mark_paid (orders/services/payments.py)."""

from decimal import Decimal

import pytest

from orders import services
from orders.actors import Actor
from orders.errors import InvalidInput, TransitionNotAllowed
from orders.models import Order, OrderEvent, Payment
from tests.factories import ApiKeyFactory, PaymentMethodFactory, order_with_items

pytestmark = pytest.mark.django_db
D = Decimal


def ledger(order) -> list[tuple]:
    return list(
        Payment.objects.filter(order=order)
        .order_by("id")
        .values_list("kind", "status", "amount", "reason")
    )


def test_each_payment_is_a_record_and_paid_is_their_sum(actor):
    card = PaymentMethodFactory(price=D("0"))
    order = order_with_items(items=2, payment_id=card.pk)  # 36.30
    gateway = Actor.for_api_key(ApiKeyFactory(name="GoPay"))

    services.order_mark_paid(
        order_id=order.pk,
        actor=gateway,
        amount=D("10"),
        payment_id="GP-1",
        payment_status="PARTIAL",
        payment_url="https://pay.example/1",
    )
    paid = services.order_mark_paid(order_id=order.pk, actor=gateway, amount=D("36.30"))

    assert ledger(order) == [
        ("payment", "success", D("10.0000"), ""),
        ("payment", "success", D("26.3000"), ""),
    ]
    first = Payment.objects.filter(order=order).first()
    assert (first.method, first.external_id, first.url, first.gateway_status) == (
        card,
        "GP-1",
        "https://pay.example/1",
        "PARTIAL",
    )
    assert (first.actor, first.source, first.api_key.name, first.currency_code) == (
        "GoPay",
        "api",
        "GoPay",
        "EUR",
    )
    assert (paid.paid, paid.payment_state) == (D("36.30"), "paid")
    assert paid.date_paid == Payment.objects.filter(order=order).last().created_at
    event = OrderEvent.objects.filter(order=order, type="order.paid").last()
    assert event.payload["payment"]["amount"] == "26.3000"


def test_lowering_paid_needs_a_reason_and_is_a_correction(actor):
    order = order_with_items(items=1)  # 12.10
    services.order_mark_paid(order_id=order.pk, actor=actor)

    with pytest.raises(InvalidInput) as refused:
        services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("2"))
    assert (refused.value.field, refused.value.code) == ("paid", "reason_required")
    assert refused.value.message == (
        "Lowering paid from 12.10 to 2.00 EUR is a correction: it needs a reason of 1 to 300 "
        "characters."
    )
    assert Order.objects.get(pk=order.pk).paid == D("12.10")

    corrected = services.order_mark_paid(
        order_id=order.pk, actor=actor, amount=D("2"), reason="Card charged twice by mistake"
    )

    assert ledger(order)[-1] == (
        "correction",
        "success",
        D("-10.1000"),
        "Card charged twice by mistake",
    )
    assert (corrected.paid, corrected.payment_state) == (D("2.00"), "partially_paid")
    record = corrected.history.first()
    assert record.name == "Payment corrected to 2.00 EUR: Card charged twice by mistake"
    assert not record.customer_visible


def test_a_correction_to_nothing_clears_date_paid(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    cleared = services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("0"), reason="Test")
    assert (cleared.paid, cleared.date_paid, cleared.payment_state) == (D("0"), None, "unpaid")


def test_on_a_done_order_paid_may_rise_but_not_fall(actor):
    order = order_with_items(items=1)
    services.order_mark_done(order_id=order.pk, actor=actor)
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("5"))
    with pytest.raises(TransitionNotAllowed) as refused:
        services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("1"), reason="Oops")
    assert refused.value.message == (
        f"Order {order.pk} cannot be given a lower paid amount (1.00 EUR): it is done, not sent, "
        "partially paid."
    )
    assert refused.value.detail == "Allowed now: paid, refund."
    assert Order.objects.get(pk=order.pk).paid == D("5")


@pytest.mark.parametrize("text", ["denied", "CANCELED", "Unknown"])
def test_a_payment_that_did_not_succeed_is_kept_but_does_not_count(actor, text):
    order = order_with_items(items=1)

    attempt = services.order_mark_paid(
        order_id=order.pk, actor=actor, amount=D("12.10"), payment_status=text
    )

    assert ledger(order) == [("payment", text.lower(), D("12.1000"), "")]
    assert (attempt.paid, attempt.payment_state, attempt.payment_status) == (D("0"), "unpaid", text)
    assert attempt.history.first().name == f"Payment {text.lower()}: 12.10 EUR not paid"
    # The next successful report counts.
    paid = services.order_mark_paid(
        order_id=order.pk, actor=actor, amount=D("12.10"), payment_status="success"
    )
    assert paid.paid == D("12.10")


def test_paying_in_full_never_lowers_what_is_paid(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("20"))
    again = services.order_mark_paid(order_id=order.pk, actor=actor)
    assert again.paid == D("20")
    assert len(ledger(order)) == 1


def test_new_gateway_details_without_money_are_history_but_no_payment(actor):
    order = order_with_items(items=1)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    updated = services.order_mark_paid(order_id=order.pk, actor=actor, payment_id="GP-2")
    assert len(ledger(order)) == 1
    assert updated.external_payment_id == "GP-2"
    assert updated.history.first().name == "Payment details updated: 12.10 EUR paid"
    # The same report again is a retry: nothing at all.
    version = updated.version
    assert (
        services.order_mark_paid(order_id=order.pk, actor=actor, payment_id="GP-2").version
        == version
    )
