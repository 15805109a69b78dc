"""check_orders also checks the invoices: totals, credit notes within the invoice, series."""

from decimal import Decimal

import pytest

from invoices.models import Invoice, InvoiceLine, NumberSeries
from orders import services

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def corrected(invoiced, actor):
    """An invoice (paid) with a credit note for a 5.00 refund."""
    services.order_refund(order_id=invoiced.order_id, actor=actor, reason="Dent", amount=D("5"))
    return invoiced


def test_issued_documents_pass(run, corrected):
    assert "no problems" in run("check_orders").stdout


def test_a_document_whose_lines_do_not_add_up_is_reported(run_failing, corrected):
    # Tampered behind the model's back (save() refuses): the check must see it.
    Invoice.objects.filter(pk=corrected.pk).update(total=D("50"))

    result = run_failing("check_orders")

    assert f"document {corrected.number} says 40.0000 + 6.2000 = 50.0000" in result.stdout
    assert "1 problems in 1 of" in str(result.error)


def test_a_line_that_is_not_price_times_count_is_reported(run_failing, corrected):
    InvoiceLine.objects.filter(invoice=corrected, position=1).update(count=3)

    result = run_failing("check_orders")

    assert "has 1 line(s) whose totals are not unit price x count" in result.stdout


def test_credit_notes_beyond_the_invoice_are_reported(run_failing, corrected):
    note = corrected.credit_notes.get()
    line = note.lines.first()
    InvoiceLine.objects.filter(pk=line.pk).update(
        unit_final=D("-100"), total_final=D("-100"), unit_base=D("-90"), total_base=D("-90")
    )

    result = run_failing("check_orders")

    assert f"credit notes take back more than invoice {corrected.number}" in result.stdout


def test_a_broken_series_is_reported(run_failing, corrected):
    NumberSeries.objects.filter(kind="invoice").update(last_number=3)

    result = run_failing("check_orders")

    assert "the invoice series of company" in result.stdout
    assert "1 documents numbered up to 1, the series says 3" in result.stdout
