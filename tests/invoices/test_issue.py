"""Issuing an invoice: a numbered snapshot that nothing on the order changes later."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from invoices import services as invoicing
from invoices.errors import AlreadyInvoiced, NotInvoiceable
from invoices.models import Invoice, InvoiceLine
from orders import services
from orders.errors import InvalidInput, TransitionNotAllowed
from orders.models import OrderEvent
from tests.factories import ChannelFactory, OrderFactory, OrderItemFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db
D = Decimal


def test_an_invoice_is_a_numbered_snapshot_of_seller_buyer_lines_and_money(order, staff_actor):
    services.order_mark_paid(order_id=order.pk, actor=staff_actor)

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    today = timezone.localdate()
    assert invoice.number == f"{today.year}-000001"
    assert (invoice.kind, invoice.occasion, invoice.actor) == ("invoice", "staff", "eva.staff")
    assert invoice.issue_date == today
    assert invoice.taxable_supply_date == today  # paid today
    assert invoice.due_date == today + datetime.timedelta(days=14)
    assert (invoice.total_base, invoice.total_vat, invoice.total) == (D("40"), D("6.2"), D("46.2"))
    assert (invoice.paid_at_issue, invoice.amount_due) == (D("46.2"), D("0"))
    assert invoice.currency_code == "EUR"
    assert invoice.seller["name"] == "Tea Seller s.r.o."
    assert invoice.seller["company_vat"] == "CZ25123891"
    assert invoice.seller["iban"] == "CZ6508000000192000145399"
    assert invoice.buyer["name"] == "Jana Nováková"
    assert invoice.delivery["city"] == "Brno"  # no delivery address: the billing one
    assert invoice.payment["variable_symbol"] == f"{today.year}000001"
    lines = [
        (
            line.position,
            line.kind,
            line.name,
            line.count,
            line.unit_base,
            line.unit_final,
            line.vat,
            line.total_final,
        )
        for line in invoice.lines.all()
    ]
    assert lines == [
        (1, "product", "Green tea", 2, D("10"), D("12.1"), D("21"), D("24.2")),
        (2, "product", "Cookbook", 1, D("20"), D("22"), D("10"), D("22")),
    ]


def test_issuing_writes_history_and_an_event_with_the_number(order, staff_actor):
    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    record = order.history.get(type="invoice")
    assert record.name == f"Invoice {invoice.number} issued"
    assert record.customer_visible
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.type == "order.invoiced"
    assert event.payload["invoice"]["number"] == invoice.number
    assert event.payload["invoice"]["total"] == "46.2000"


def test_fees_and_discounts_are_lines_of_the_invoice(channel, actor, staff_actor):
    order = make_order(channel, actor)
    services.order_discount_set(
        order_id=order.pk, actor=staff_actor, type="percent", value=D("10"), reason="Loyal"
    )
    order.refresh_from_db()

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    kinds = [line.kind for line in invoice.lines.all()]
    assert kinds.count("discount") == 2  # one per VAT rate
    assert invoice.total == order.money == sum(line.total_final for line in invoice.lines.all())
    assert invoice.total_base == order.money_base


def test_an_order_change_after_issuing_leaves_the_invoice_unchanged(order, staff_actor):
    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
    before = list(invoice.lines.values())
    item = order.items.get(name="Green tea")

    services.order_item_update(
        order_id=order.pk,
        item_id=item.pk,
        actor=staff_actor,
        item=services.ItemData(name="Black tea", count=5, vat=D("21"), final_price=D("20")),
    )
    services.order_update(
        order_id=order.pk, actor=staff_actor, changes={"name": "Someone Else", "city": "Ostrava"}
    )

    again = Invoice.objects.get(pk=invoice.pk)
    assert list(again.lines.values()) == before
    assert again.total == D("46.2")
    assert again.buyer["name"] == "Jana Nováková"
    assert again.buyer["city"] == "Brno"


def test_an_issued_document_refuses_to_change_or_be_deleted(invoiced):
    invoiced.reason = "edited"
    with pytest.raises(ValueError, match="never changes"):
        invoiced.save()
    with pytest.raises(ValueError, match="never deleted"):
        invoiced.delete()
    line = invoiced.lines.first()
    line.count = 99
    with pytest.raises(ValueError, match="never changes"):
        line.save()


def test_an_order_has_one_invoice(invoiced, staff_actor):
    with pytest.raises(AlreadyInvoiced) as refused:
        invoicing.invoice_issue(order_id=invoiced.order_id, actor=staff_actor)

    assert refused.value.code == "already_invoiced"
    assert invoiced.number in refused.value.message
    assert Invoice.objects.filter(order_id=invoiced.order_id).count() == 1


def test_the_database_holds_one_invoice_per_order_too(invoiced):
    copy = {
        f.attname: getattr(invoiced, f.attname)
        for f in Invoice._meta.concrete_fields
        if f.attname not in ("id",)
    }
    copy.update(number="other", sequence=999)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(**copy)


def test_a_canceled_order_is_not_invoiced(order, staff_actor):
    services.order_cancel(order_id=order.pk, actor=staff_actor)

    with pytest.raises(TransitionNotAllowed):
        invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)
    assert not Invoice.objects.exists()


def test_an_order_without_a_seller_or_lines_is_not_invoiced(staff_actor):
    no_seller = OrderFactory(company=None, channel=ChannelFactory(company=None))
    OrderItemFactory(order=no_seller)
    empty = OrderFactory()

    with pytest.raises(NotInvoiceable) as refused:
        invoicing.invoice_issue(order_id=no_seller.pk, actor=staff_actor)
    assert refused.value.code == "no_seller"
    with pytest.raises(NotInvoiceable) as refused:
        invoicing.invoice_issue(order_id=empty.pk, actor=staff_actor)
    assert refused.value.code == "no_lines"


def test_an_invalid_buyer_vat_number_is_refused_naming_the_field(channel, actor, staff_actor):
    order = make_order(channel, actor, company_vat="CZ25123890", company_nr="25123891")

    with pytest.raises(InvalidInput) as refused:
        invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    assert refused.value.field == "company_vat"
    assert "not a valid VAT number" in refused.value.detail["company_vat"][0]
    assert not Invoice.objects.exists()


def test_a_valid_business_buyer_and_a_delivery_address_are_kept(channel, actor, staff_actor):
    order = make_order(
        channel,
        actor,
        name="Buyer a.s.",
        company_nr="25123891",
        company_vat="CZ25123891",
        delivery_name="Warehouse",
        delivery_street="Skladová 1",
        delivery_city="Kolín",
        delivery_state_code="CZ",
    )

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    assert invoice.buyer["company_vat"] == "CZ25123891"
    assert (invoice.delivery["name"], invoice.delivery["city"]) == ("Warehouse", "Kolín")


def test_the_taxable_supply_date_is_the_earlier_of_payment_and_dispatch(order, staff_actor):
    services.order_mark_sent(order_id=order.pk, actor=staff_actor)
    sent = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    type(order).objects.filter(pk=order.pk).update(date_sent=sent)

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    assert invoice.taxable_supply_date == datetime.date(2026, 3, 2)
    assert invoice.amount_due == D("46.2")  # not paid yet


def test_without_invoicing_settings_the_defaults_number_the_invoice(actor, staff_actor):
    channel = ChannelFactory()  # its company has no settings
    order = make_order(channel, actor)

    invoice = invoicing.invoice_issue(order_id=order.pk, actor=staff_actor)

    assert invoice.number == f"{invoice.issue_date.year}-000001"
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=14)
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 2
