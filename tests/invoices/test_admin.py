"""The back office: the seller's invoicing settings (checked), the Invoices list with its
filters and CSV export, and the order page's invoices panel with its "Issue invoice"."""

import csv
import io

import pytest
from django.urls import reverse

from invoices import services as invoicing
from invoices.models import Invoice, InvoiceSettings
from orders import services
from tests.factories import ChannelFactory, CompanyFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db

COMPANY = {
    "name": "New Seller s.r.o.",
    "street": "Main 1",
    "city": "Praha",
    "zip": "11000",
    "state_code": "CZ",
    "company_nr": "25123891",
    "company_vat": "CZ25123891",
    "email": "",
    "phone": "",
    "bank_account": "",
    "invoice_settings-TOTAL_FORMS": "1",
    "invoice_settings-INITIAL_FORMS": "0",
    "invoice_settings-MIN_NUM_FORMS": "0",
    "invoice_settings-MAX_NUM_FORMS": "1",
    "invoice_settings-0-trigger": "paid",
    "invoice_settings-0-invoice_number_format": "FV{year}-{number:05d}",
    "invoice_settings-0-credit_note_number_format": "DB{year}-{number:05d}",
    "invoice_settings-0-iban": "cz65 0800 0000 1920 0014 5399",
    "invoice_settings-0-bic": "gibaczpx",
    "invoice_settings-0-due_days": "10",
    "invoice_settings-0-footer": "",
}


def add_company(client, **changes):
    return client.post(reverse("admin:orders_company_add"), {**COMPANY, **changes})


def test_a_seller_is_added_with_its_invoicing_settings(admin_client):
    response = add_company(admin_client)

    assert response.status_code == 302, response.context["errors"]
    settings = InvoiceSettings.objects.get(company__name="New Seller s.r.o.")
    assert (settings.trigger, settings.due_days) == ("paid", 10)
    assert (settings.iban, settings.bic) == ("CZ6508000000192000145399", "GIBACZPX")
    assert settings.invoice_number_format == "FV{year}-{number:05d}"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"company_vat": "CZ25123890"}, "is not a valid VAT number"),
        ({"company_nr": "25123890"}, "is not a valid company number in CZ"),
        ({"invoice_settings-0-iban": "CZ6508000000192000145398"}, "is not a valid IBAN"),
        ({"invoice_settings-0-bic": "GIBA"}, "is not a valid BIC"),
        ({"invoice_settings-0-invoice_number_format": "{number}"}, "needs both {year}"),
        (
            {"invoice_settings-0-credit_note_number_format": "FV{year}-{number:05d}"},
            "Credit notes need their own numbers",
        ),
    ],
)
def test_wrong_seller_data_is_a_form_error(admin_client, changes, message):
    response = add_company(admin_client, **changes)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InvoiceSettings.objects.exists()


@pytest.fixture
def documents(channel, actor, staff_actor):
    """An invoice paid (with a credit note) and one unpaid, of the seller; one of another."""
    paid = make_order(channel, actor)
    services.order_mark_paid(order_id=paid.pk, actor=actor)
    first = invoicing.invoice_issue(order_id=paid.pk, actor=staff_actor)
    services.order_cancel(order_id=paid.pk, actor=actor)
    unpaid = invoicing.invoice_issue(order_id=make_order(channel, actor).pk, actor=staff_actor)
    other = ChannelFactory(company=CompanyFactory(name="Other Seller"))
    elsewhere = invoicing.invoice_issue(
        order_id=make_order(other, actor, name="Petr Other").pk, actor=staff_actor
    )
    return first, first.credit_notes.get(), unpaid, elsewhere


def listed(client, **params) -> list[str]:
    response = client.get(reverse("admin:invoices_invoice_changelist"), params)
    assert response.status_code == 200
    return sorted(document.number for document in response.context["cl"].result_list)


def test_the_invoices_list_shows_number_order_buyer_total_issued_paid(admin_client, documents):
    response = admin_client.get(reverse("admin:invoices_invoice_changelist"))

    html = response.content.decode()
    first, note, _unpaid, _ = documents
    for text in (first.number, note.number, "Jana Nováková", "€46.20", "-€46.20", "PDF"):
        assert text in html
    assert reverse("admin:orders_order_change", args=[first.order_id]) in html


def test_the_invoices_list_filters_by_kind_company_year_and_state(admin_client, documents):
    first, note, unpaid, elsewhere = documents

    assert listed(admin_client, kind="credit_note") == [note.number]
    assert listed(admin_client, company__id__exact=elsewhere.company_id) == [elsewhere.number]
    assert len(listed(admin_client, year=first.year)) == 4
    assert listed(admin_client, year=first.year - 1) == []
    assert listed(admin_client, state="paid") == [first.number]
    assert sorted(listed(admin_client, state="unpaid")) == sorted([unpaid.number, elsewhere.number])
    assert listed(admin_client, q="Petr Other") == [elsewhere.number]


def test_the_csv_export_gives_the_accountant_every_selected_document(admin_client, documents):
    first, note, unpaid, _ = documents
    response = admin_client.post(
        reverse("admin:invoices_invoice_changelist"),
        {"action": "export_csv", "_selected_action": [first.pk, note.pk, unpaid.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["number"] for row in rows] == [first.number, note.number, unpaid.number]
    assert rows[0]["paid"] == "yes"
    assert rows[2]["paid"] == "no"
    assert rows[1]["corrects"] == first.number
    assert rows[1]["total"] == "-46.20"
    assert rows[0]["vat_by_rate"] == "21%: base 20.00 VAT 4.20; 10%: base 20.00 VAT 2.00"


def test_an_issued_document_is_read_only_in_the_back_office(admin_client, documents):
    first = documents[0]

    page = admin_client.get(reverse("admin:invoices_invoice_change", args=[first.pk]))
    delete = admin_client.post(reverse("admin:invoices_invoice_delete", args=[first.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert delete.status_code == 403
    assert Invoice.objects.filter(pk=first.pk).exists()


def test_the_order_page_issues_the_invoice_and_then_shows_it(manager_client, order):
    change = reverse("admin:orders_order_change", args=[order.pk])
    issue = reverse("admin:invoices_invoice_issue", args=[order.pk])
    assert "Issue invoice" in manager_client.get(change).content.decode()

    response = manager_client.post(issue, follow=True)

    invoice = Invoice.objects.get(order=order)
    html = response.content.decode()
    assert f"Invoice {invoice.number} issued." in html
    assert invoice.actor == "manager"
    assert reverse("order-invoice-pdf", args=[order.hash]) in html
    assert "Issue invoice" not in html
    again = manager_client.post(issue, follow=True).content.decode()
    assert "already has invoice" in again


def test_support_sees_the_panel_but_cannot_issue(support_client, order):
    html = support_client.get(reverse("admin:orders_order_change", args=[order.pk])).content
    response = support_client.post(reverse("admin:invoices_invoice_issue", args=[order.pk]))

    assert b"Invoice and credit notes" in html
    assert b"Issue invoice" not in html
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_issuing_needs_a_post(manager_client, order):
    response = manager_client.get(reverse("admin:invoices_invoice_issue", args=[order.pk]))

    assert response.status_code == 405
