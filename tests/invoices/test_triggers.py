"""The automatic documents: an invoice when paid or sent (per seller), a credit note on a
refund and on a cancel, all in the transaction of the change that called for them."""

from decimal import Decimal

import pytest

from invoices.models import Invoice, Trigger
from orders import services
from statuses.models import OrderStatus

from .conftest import make_order, set_trigger

pytestmark = pytest.mark.django_db
D = Decimal


def documents(order) -> list[tuple[str, str]]:
    return [(doc.kind, doc.occasion) for doc in Invoice.objects.filter(order=order).order_by("id")]


@pytest.mark.usefixtures("no_status_follows")  # counts one record/event per transition
def test_a_seller_invoicing_when_paid_gets_the_invoice_with_the_payment(order, seller, actor):
    set_trigger(seller, Trigger.PAID)

    services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("20"))
    assert documents(order) == []  # partly paid: not yet

    services.order_mark_paid(order_id=order.pk, actor=actor)

    assert documents(order) == [("invoice", "paid")]
    invoice = Invoice.objects.get(order=order)
    assert invoice.actor == "system"
    assert (invoice.paid_at_issue, invoice.amount_due) == (D("46.2"), D("0"))
    names = list(order.history.order_by("id").values_list("name", flat=True))
    assert names[-2:] == ["Payment recorded: 46.20 EUR", f"Invoice {invoice.number} issued"]


def test_a_seller_invoicing_when_sent_gets_it_on_dispatch_not_on_payment(order, seller, actor):
    set_trigger(seller, Trigger.SENT)

    services.order_mark_paid(order_id=order.pk, actor=actor)
    assert documents(order) == []
    services.order_mark_sent(order_id=order.pk, actor=actor)

    assert documents(order) == [("invoice", "sent")]


def test_a_seller_that_never_invoices_automatically_gets_no_invoice(order, actor):
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)

    assert documents(order) == []


def test_paying_an_invoiced_order_again_issues_nothing_more(order, seller, actor, staff_actor):
    set_trigger(seller, Trigger.SENT)
    services.order_mark_sent(order_id=order.pk, actor=actor)

    services.order_mark_paid(order_id=order.pk, actor=actor)

    assert documents(order) == [("invoice", "sent")]


def test_an_automatic_invoice_that_is_refused_does_not_refuse_the_payment(channel, seller, actor):
    set_trigger(seller, Trigger.PAID)
    order = make_order(channel, actor, company_vat="CZ25123890")  # invalid check digit

    services.order_mark_paid(order_id=order.pk, actor=actor)

    order.refresh_from_db()
    assert order.payment_state == "paid"
    assert documents(order) == []
    refusal = order.history.get(type="invoice")
    assert refusal.name.startswith("Invoice not issued automatically: The buyer's VAT number")
    assert not refusal.customer_visible


def test_a_refund_of_an_invoiced_order_issues_its_credit_note(invoiced, actor):
    order = invoiced.order
    tea = order.items.get(name="Green tea")

    refund = services.order_refund(
        order_id=order.pk, actor=actor, reason="Broken", lines=[(tea.pk, 1)]
    )

    note = Invoice.objects.get(kind="credit_note")
    assert (note.corrects, note.refund, note.occasion) == (invoiced, refund, "refund")
    assert note.number == f"D{note.issue_date.year}-000001"
    assert note.total == D("-12.10")
    assert note.reason == "Refund: Broken"
    assert order.events.filter(type="order.credit_note_issued").count() == 1


def test_canceling_an_invoiced_order_credits_the_whole_invoice(order, actor, staff_actor):
    from invoices import services as invoicing

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    services.order_cancel(order_id=order.pk, actor=staff_actor)

    note = Invoice.objects.get(kind="credit_note")
    assert (note.corrects, note.occasion, note.reason) == (invoice, "cancel", "Order canceled")
    assert note.total == -invoice.total
    assert [(line.name, line.count) for line in note.lines.all()] == [
        ("Green tea", -2),
        ("Cookbook", -1),
    ]


def test_a_status_that_cancels_credits_the_invoice_too(invoiced, actor):
    status = OrderStatus.objects.filter(cancel_order=True).first()

    services.order_status_assign(order_id=invoiced.order_id, status_id=status.pk, actor=actor)

    assert documents(invoiced.order) == [("invoice", "staff"), ("credit_note", "cancel")]


def test_the_money_refunded_after_a_cancel_is_not_credited_twice(invoiced, actor):
    order = invoiced.order
    services.order_cancel(order_id=order.pk, actor=actor)

    services.order_refund(order_id=order.pk, actor=actor, reason="Canceled", amount=D("46.20"))

    assert documents(order) == [("invoice", "staff"), ("credit_note", "cancel")]


def test_a_refund_before_the_invoice_gets_its_credit_note_when_it_is_issued(order, staff_actor):
    from invoices import services as invoicing

    services.order_mark_paid(order_id=order.pk, actor=staff_actor)
    book = order.items.get(name="Cookbook")
    services.order_refund(order_id=order.pk, actor=staff_actor, reason="Gift", lines=[(book.pk, 1)])
    assert documents(order) == []

    invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    assert documents(order) == [("invoice", "staff"), ("credit_note", "refund")]
    assert Invoice.objects.get(kind="credit_note").total == D("-22")


def test_an_order_without_invoice_gets_no_credit_note(order, actor):
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_refund(order_id=order.pk, actor=actor, reason="Goodwill", amount=D("5"))
    services.order_cancel(order_id=order.pk, actor=actor)

    assert documents(order) == []
