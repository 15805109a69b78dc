"""Numbers: one unbroken series per company, kind and year, in the company's format."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from invoices import numbering
from invoices import services as invoicing
from invoices.models import Invoice, InvoiceSettings, NumberSeries
from tests.factories import ChannelFactory, CompanyFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_company(channel, actor, staff_actor):
    other_channel = ChannelFactory()
    numbers = []
    for each in (channel, other_channel, channel, channel):
        order = make_order(each, actor)
        numbers.append(invoicing.invoice_issue(order_id=order.pk, actor=staff_actor).number)

    year = timezone.localdate().year
    assert numbers == [f"{year}-000001", f"{year}-000001", f"{year}-000002", f"{year}-000003"]


def test_the_company_format_and_a_new_year_restart(
    channel, seller, actor, staff_actor, monkeypatch
):
    InvoiceSettings.objects.filter(company=seller).update(
        invoice_number_format="FV{year}/{number:04d}"
    )
    first = invoicing.invoice_issue(order_id=make_order(channel, actor).pk, actor=staff_actor)
    monkeypatch.setattr(
        invoicing.timezone, "localdate", lambda: datetime.date(first.issue_date.year + 1, 1, 1)
    )

    second = invoicing.invoice_issue(order_id=make_order(channel, actor).pk, actor=staff_actor)

    year = first.issue_date.year
    assert first.number == f"FV{year}/0001"
    assert second.number == f"FV{year + 1}/0001"
    assert (second.year, second.sequence) == (year + 1, 1)
    assert NumberSeries.objects.filter(company=seller).count() == 2


def test_a_refused_issue_takes_no_number(channel, actor, staff_actor):
    bad = make_order(channel, actor, company_vat="CZ25123890")
    with pytest.raises(Exception, match="not valid"):
        invoicing.invoice_issue(order_id=bad.pk, actor=staff_actor)

    good = invoicing.invoice_issue(order_id=make_order(channel, actor).pk, actor=staff_actor)

    assert good.sequence == 1


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("{number:06d}", "needs both {year} and {number}"),
        ("{year}", "needs both"),
        ("{year}-{order}-{number}", "Only {year} and {number}"),
        ("{year}-{number:06d", "Not a number format"),
        ("{year} {number}", "letters, digits"),
        ("{year}-{number:040d}", "at most 40"),
    ],
)
def test_a_format_that_cannot_give_good_numbers_is_refused(pattern, error):
    with pytest.raises(ValidationError, match=error):
        numbering.validate_number_format(pattern)


@pytest.mark.parametrize(
    "pattern", ["{year}-{number:06d}", "D{year}-{number:06d}", "FV{year}/{number}"]
)
def test_good_formats_pass(pattern):
    numbering.validate_number_format(pattern)


def test_the_variable_symbol_is_the_numbers_last_ten_digits():
    assert numbering.variable_symbol("2026-000123") == "2026000123"
    # A symbol has at most ten digits: a longer number keeps its last ten.
    assert numbering.variable_symbol("FV2026/0000000123") == "0000000123"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invoices_issued_at_once_never_share_or_skip_a_number(actor):
    """Twelve invoices of one seller issued by twelve threads at the same moment, on
    PostgreSQL (the series row lock is what this tests)."""
    company = CompanyFactory()
    channel = ChannelFactory(company=company)
    orders = [make_order(channel, actor) for _ in range(12)]
    barrier = threading.Barrier(len(orders))
    results = [None] * len(orders)

    def issue(index, order):
        try:
            barrier.wait()
            results[index] = invoicing.invoice_issue(order_id=order.pk, actor=actor).sequence
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i, o)) for i, o in enumerate(orders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == list(range(1, 13)), results
    numbers = set(Invoice.objects.values_list("number", flat=True))
    assert len(numbers) == 12
    assert NumberSeries.objects.get(company=company).last_number == 12
