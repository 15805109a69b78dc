"""Our API extension: POST /System/Orders/{id}/invoice issues the invoice, GET
/System/Orders/{id}/invoices lists the documents; a buyer's numbers are checked on input."""

from decimal import Decimal

import pytest

from invoices.models import Invoice
from orders import services
from tests.api.test_schema import validate

from .conftest import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def issue(client, order, **headers):
    return client.post(f"/System/Orders/{order.pk}/invoice", {}, format="json", **headers)


def test_post_invoice_issues_it_and_answers_the_invoice_with_its_pdf(api, order, openapi):
    response = issue(api, order)

    assert response.status_code == 200, response.json()
    body = response.json()
    invoice = Invoice.objects.get(order=order)
    assert body["id"] == invoice.pk
    assert body["number"] == invoice.number
    assert (body["kind"], body["order_id"], body["corrects"]) == ("invoice", order.pk, None)
    assert (body["total"], body["total_base"], body["total_vat"]) == (46.2, 40, 6.2)
    assert [line["name"] for line in body["lines"]] == ["Green tea", "Cookbook"]
    assert body["pdf_url"] == f"http://testserver/order/{order.hash}/invoice.pdf"
    assert response["ETag"] == f'"{order.version}"'
    assert invoice.occasion == "api"
    assert invoice.actor == "Web shop"
    validate(openapi, response, "/System/Orders/{order_id}/invoice", "post")


def test_a_second_invoice_is_a_409_naming_the_first(api, order, openapi):
    first = issue(api, order).json()

    response = issue(api, order)

    assert response.status_code == 409
    assert first["number"] in response.json()["message"]
    assert Invoice.objects.count() == 1
    validate(openapi, response, "/System/Orders/{order_id}/invoice", "post")


def test_a_canceled_order_is_a_409(api, order, actor):
    services.order_cancel(order_id=order.pk, actor=actor)

    response = issue(api, order)

    assert response.status_code == 409
    assert "canceled" in response.json()["message"]


def test_an_invalid_buyer_vat_number_is_a_400_naming_the_field(api, channel, actor):
    order = make_order(channel, actor, company_vat="CZ25123890")

    response = issue(api, order)

    assert response.status_code == 400
    assert "company_vat" in response.json()["errors"]
    assert not Invoice.objects.exists()


def test_unknown_order_no_key_and_read_only_key(api, anonymous, read_only_api, order):
    assert issue(api, type("O", (), {"pk": 987654})()).status_code == 404
    assert issue(anonymous, order).status_code == 401
    assert issue(read_only_api, order).status_code == 403
    assert not Invoice.objects.exists()


def test_a_body_with_fields_is_refused(api, order):
    response = api.post(f"/System/Orders/{order.pk}/invoice", {"number": "X"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"number": ["Unknown field."]}


def test_a_retry_with_the_same_idempotency_key_replays_the_invoice(api, order):
    first = issue(api, order, HTTP_IDEMPOTENCY_KEY="invoice-1")
    again = issue(api, order, HTTP_IDEMPOTENCY_KEY="invoice-1")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Invoice.objects.count() == 1


def test_get_invoices_lists_the_invoice_and_credit_notes(api, read_only_api, order, actor, openapi):
    issue(api, order)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_refund(order_id=order.pk, actor=actor, reason="Dent", amount=D("5"))

    response = read_only_api.get(f"/System/Orders/{order.pk}/invoices")

    assert response.status_code == 200
    body = response.json()
    assert body["paginator"]["total"] == 2
    invoice, note = body["invoices"]
    assert (invoice["kind"], note["kind"]) == ("invoice", "credit_note")
    assert note["corrects"] == {"id": invoice["id"], "number": invoice["number"]}
    assert note["total"] == -5
    assert note["pdf_url"].endswith(f"/order/{order.hash}/credit-notes/{note['number']}.pdf")
    validate(openapi, response, "/System/Orders/{order_id}/invoices", "get")


def test_get_invoices_of_an_unknown_order_is_404_and_needs_a_key(api, anonymous, order):
    assert api.get("/System/Orders/987654/invoices").status_code == 404
    assert anonymous.get(f"/System/Orders/{order.pk}/invoices").status_code == 401
    assert api.get(f"/System/Orders/{order.pk}/invoices").json()["invoices"] == []


def test_creating_an_order_with_an_invalid_buyer_vat_number_is_a_400(api, channel):
    body = {"channel": channel.pk, "name": "Buyer a.s.", "state_code": "CZ"}

    bad_vat = api.post("/System/Orders", {**body, "company_vat": "CZ25123890"}, format="json")
    bad_nr = api.post("/System/Orders", {**body, "company_nr": "12345678"}, format="json")
    good = api.post(
        "/System/Orders",
        {**body, "company_vat": "CZ25123891", "company_nr": "25123891"},
        format="json",
    )

    assert bad_vat.status_code == 400
    assert "not a valid VAT number" in bad_vat.json()["errors"]["company_vat"][0]
    assert bad_nr.status_code == 400
    assert "not a valid company number in CZ" in bad_nr.json()["errors"]["company_nr"][0]
    assert good.status_code == 200


def test_numbers_of_an_unknown_country_are_kept_as_given(api, channel):
    body = {
        "channel": channel.pk,
        "email": "buyer@mail.example",
        "company_nr": "ABC-123",
        "company_vat": "ZZ999",
    }

    assert api.post("/System/Orders", body, format="json").status_code == 200
