"""What a credit note takes back: refunded lines at the invoice's prices, the discount's
share of them, an extra amount split over the VAT rates, and on cancel all that is left,
never more than the invoice."""

from collections import defaultdict
from decimal import Decimal

import pytest

from invoices import services as invoicing
from invoices.errors import AlreadyInvoiced, NotInvoiceable
from invoices.models import Invoice
from orders import services

from .conftest import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def per_rate(*documents) -> dict:
    """VAT rate -> (base, total) over the documents' lines."""
    sums = defaultdict(lambda: [D(0), D(0)])
    for document in documents:
        for line in document.lines.all():
            sums[line.vat][0] += line.total_base
            sums[line.vat][1] += line.total_final
    return {rate: tuple(values) for rate, values in sums.items()}


def lines_of(document) -> list[tuple]:
    return [
        (line.kind, line.name, line.count, line.unit_final, line.vat, line.total_final)
        for line in document.lines.all()
    ]


@pytest.fixture
def discounted(channel, actor, staff_actor):
    """46.20 less 10 %: 41.58 paid; its invoice."""
    order = make_order(channel, actor)
    services.order_discount_set(
        order_id=order.pk, actor=staff_actor, type="percent", value=D("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=order.pk, actor=staff_actor)
    return invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)


def test_refunded_lines_come_back_at_invoice_prices_with_their_discount_share(discounted, actor):
    order = discounted.order
    tea = order.items.get(name="Green tea")

    refund = services.order_refund(
        order_id=order.pk, actor=actor, reason="Broken", lines=[(tea.pk, 2)]
    )

    note = Invoice.objects.get(kind="credit_note")
    assert refund.amount == D("21.78")  # 24.20 less 10 %
    assert lines_of(note) == [
        ("product", "Green tea", -2, D("12.1"), D("21"), D("-24.2")),
        ("discount", "Order discount on the goods taken back", 1, D("2.42"), D("21"), D("2.42")),
    ]
    assert note.total == -refund.amount
    assert note.lines.first().corrects.name == "Green tea"


def test_an_extra_amount_is_split_over_the_rates_still_invoiced(invoiced, actor):
    order = invoiced.order

    services.order_refund(order_id=order.pk, actor=actor, reason="Late delivery", amount=D("10"))

    note = Invoice.objects.get(kind="credit_note")
    assert note.total == D("-10")
    # 24.20 at 21 % and 22.00 at 10 %: 5.24 and 4.76
    assert lines_of(note) == [
        ("adjustment", "Refund: Late delivery", 1, D("-5.24"), D("21"), D("-5.24")),
        ("adjustment", "Refund: Late delivery", 1, D("-4.76"), D("10"), D("-4.76")),
    ]
    base = {line.vat: line.total_base for line in note.lines.all()}
    assert base == {D("21"): D("-4.33"), D("10"): D("-4.33")}


def test_cancel_after_a_partial_refund_takes_back_exactly_the_rest(discounted, actor):
    order = discounted.order
    tea = order.items.get(name="Green tea")
    services.order_refund(order_id=order.pk, actor=actor, reason="Broken", lines=[(tea.pk, 1)])
    services.order_refund(order_id=order.pk, actor=actor, reason="Sorry", amount=D("3"))

    services.order_cancel(order_id=order.pk, actor=actor)

    invoice = Invoice.objects.get(kind="invoice")
    notes = list(Invoice.objects.filter(kind="credit_note").order_by("id"))
    assert [note.occasion for note in notes] == ["refund", "refund", "cancel"]
    # Every rate nets to zero: base and total.
    assert set(per_rate(invoice, *notes).values()) == {(D(0), D(0))}
    cancel = notes[-1]
    assert ("product", "Green tea", -1, D("12.1"), D("21"), D("-12.1")) in lines_of(cancel)
    assert ("product", "Cookbook", -1, D("22"), D("10"), D("-22")) in lines_of(cancel)


def test_credit_notes_never_take_back_more_than_the_invoice(invoiced, actor):
    order = invoiced.order
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=D("100"))  # overpaid

    services.order_refund(order_id=order.pk, actor=actor, reason="Overpaid", amount=D("80"))

    note = Invoice.objects.get(kind="credit_note")
    assert note.total == -invoiced.total  # 46.20 documented, 33.80 was only money
    assert set(per_rate(invoiced, note).values()) == {(D(0), D(0))}
    order.refresh_from_db()
    services.order_cancel(order_id=order.pk, actor=actor)
    assert Invoice.objects.filter(kind="credit_note").count() == 1  # nothing left to credit


def test_a_line_added_after_the_invoice_is_refunded_as_money_within_the_invoice(
    order, actor, staff_actor
):
    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
    added = services.order_item_add(
        order_id=order.pk,
        actor=actor,
        item=services.ItemData(name="Teapot", count=1, vat=D("21"), final_price=D("30")),
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)

    services.order_refund(order_id=order.pk, actor=actor, reason="Teapot", lines=[(added.pk, 1)])

    note = Invoice.objects.get(kind="credit_note")
    # Only what was invoiced at 21 % (24.20) can be taken back there.
    assert lines_of(note) == [
        ("adjustment", "Refund: Teapot", 1, D("-24.2"), D("21"), D("-24.2")),
    ]
    assert note.corrects == invoice


def test_credit_note_issue_needs_an_invoice_and_documents_a_refund_once(order, actor, staff_actor):
    with pytest.raises(NotInvoiceable):
        invoicing.credit_note_issue(order_id=order.pk, actor=staff_actor)
    invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    refund = services.order_refund(order_id=order.pk, actor=actor, reason="Dent", amount=D("1"))

    with pytest.raises(AlreadyInvoiced):
        invoicing.credit_note_issue(order_id=order.pk, actor=staff_actor, refund_id=refund.pk)


def test_credit_notes_have_their_own_series(channel, actor, staff_actor):
    first = make_order(channel, actor)
    second = make_order(channel, actor)
    for order in (first, second):
        invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
        services.order_cancel(order_id=order.pk, actor=staff_actor)

    numbers = list(Invoice.objects.order_by("id").values_list("kind", "sequence"))
    assert numbers == [("invoice", 1), ("credit_note", 1), ("invoice", 2), ("credit_note", 2)]
