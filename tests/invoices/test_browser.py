"""In a real browser (Debian's Chromium through Playwright): staff issue an invoice with the
order page's button, the customer opens it at invoice_url and downloads the PDF; a Czech
customer reads the order page and the invoice in Czech. Saves the docs' screenshots with
UPDATE_SCREENSHOTS=1 (the order page's invoices panel, the invoice page, the PDF's first
page through pdftoppm, and the Czech order page and invoice)."""

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from invoices import services as invoicing
from invoices.models import Invoice, InvoiceSettings, Trigger
from orders import services
from orders.actors import Actor
from orders.language import format_day
from tests.factories import (
    ChannelFactory,
    CompanyFactory,
    PaymentMethodFactory,
    ShipperFactory,
    UserFactory,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "staff-password"
D = Decimal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order():
    return tea_order(language="en")


@pytest.fixture
def czech_order():
    return tea_order(language="cs")


def tea_order(*, language: str):
    """A Czech tea shop's CZK order, its channel in `language`."""
    seller = CompanyFactory(
        name="Čajovna Praha s.r.o.", street="Vinohradská 12", city="Praha", zip="12000",
        state_code="CZ", company_nr="25123891", company_vat="CZ25123891",
        email="faktury@cajovna.example", bank_account="19-2000145399/0800",
    )  # fmt: skip
    InvoiceSettings.objects.create(
        company=seller, trigger=Trigger.NEVER, iban="CZ6508000000192000145399",
        bic="GIBACZPX", due_days=14,
        footer="Registered at the Municipal Court in Prague, file C 12345.",
    )  # fmt: skip
    channel = ChannelFactory(
        name="Čajovna e-shop", company=seller, currency_code="CZK", language=language
    )
    transfer = PaymentMethodFactory(name="Bank transfer", channel=channel, price=D("0"))
    actor = Actor.for_command("browser-test")
    order = services.order_create(
        actor=actor, channel_id=channel.pk, order_currency_code="CZK", currency_rate=D("0.04"),
        name="Jana Nováková", email="jana@mail.example", street="Dlouhá 5", city="Brno",
        zip="60200", state_code="CZ", delivery_name="Jana Nováková (práce)",
        delivery_street="Údolní 53", delivery_city="Brno", delivery_zip="60200",
        delivery_state_code="CZ",
        items=[
            services.ItemData(name="Sencha Kagoshima 100 g", code="SEN-100", count=2,
                              vat=D("12"), final_price=D("289")),
            services.ItemData(name="Konvička Tokoname", code="TOK-1", count=1, vat=D("21"),
                              final_price=D("1290")),
        ],
    )  # fmt: skip
    services.order_set_payment_method(order_id=order.pk, actor=actor, payment_id=transfer.pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=D("5"), reason="Stálý zákazník"
    )
    return order


def test_staff_issue_the_invoice_and_the_customer_reads_and_downloads_it(
    chromium, live_server, order, tmp_path
):
    UserFactory(username="eva", is_superuser=True)
    screenshots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eva")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    # The order page: no invoice yet, then the button (it asks first).
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    panel = page.locator("#order-invoices")
    expect(panel).to_contain_text("No invoice yet")
    page.once("dialog", lambda dialog: dialog.accept())
    panel.locator("button", has_text="Issue invoice").click()
    expect(page.locator(".messagelist")).to_contain_text("issued.")
    invoice = Invoice.objects.get(order=order)
    expect(page.locator(".messagelist")).to_contain_text(f"Invoice {invoice.number} issued.")
    expect(panel).to_contain_text(f"Invoice {invoice.number}")
    expect(panel.locator("button", has_text="Issue invoice")).to_have_count(0)
    panel.screenshot(path=str(screenshots / "order-invoices.png"))

    # The customer's page: the invoice from its snapshot, with the QR Platba code.
    customer = chromium.new_page(viewport={"width": 1000, "height": 900})
    customer.goto(f"{live_server.url}/order/{order.hash}/invoice")
    expect(customer.locator("h1")).to_have_text(f"Invoice {invoice.number}")
    expect(customer.locator(".doc-qr img")).to_be_visible()
    expect(customer.locator(".doc-qr")).to_contain_text("QR Platba")
    expect(customer.locator(".sum .grand")).to_contain_text("1,774.60")
    customer.screenshot(path=str(screenshots / "invoice-issued.png"), full_page=True)

    # The PDF behind the page's link.
    href = customer.locator("a", has_text="Download PDF").get_attribute("href")
    response = customer.request.get(f"{live_server.url}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    data = response.body()
    assert data.startswith(b"%PDF")
    pdf = screenshots / "invoice.pdf"
    pdf.write_bytes(data)
    if os.environ.get("UPDATE_SCREENSHOTS") and shutil.which("pdftoppm"):
        # docs/screenshots/invoice-pdf.png: the first page at 80 dpi (apt: poppler-utils).
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(screenshots / "invoice-pdf")],
            check=True,
        )  # fmt: skip
        pdf.unlink()


def test_a_czech_customer_reads_the_order_page_and_the_invoice_in_czech(
    chromium, live_server, czech_order, tmp_path
):
    actor = Actor.for_command("browser-test")
    invoice = invoicing.invoice_issue(order_id=czech_order.pk, actor=actor)
    ppl = ShipperFactory(name="PPL", tracking_url_template="https://ppl.example/track/{number}")
    services.order_tracking_add(
        order_id=czech_order.pk, actor=actor, shipper_id=ppl.pk, tracking_number="PPL0042"
    )
    services.order_mark_sent(order_id=czech_order.pk, actor=actor)
    screenshots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)

    # The order page: the channel's language writes the money and the dates.
    page.goto(f"{live_server.url}/order/{czech_order.hash}")
    expect(page.locator("tfoot .total")).to_have_text(
        "1\N{NO-BREAK SPACE}774,60\N{NO-BREAK SPACE}Kč"
    )
    expect(page.locator(".page-head")).to_contain_text(
        format_day(czech_order.date_order, "cs", length="long")
    )
    page.screenshot(path=str(screenshots / "order-page-cs.png"), full_page=True)

    # The invoice: a Czech tax document.
    page.goto(f"{live_server.url}/order/{czech_order.hash}/invoice")
    expect(page.locator("h1")).to_have_text(
        f"Faktura \N{EN DASH} daňový doklad č. {invoice.number}"
    )
    for term in ("Dodavatel", "Odběratel", "Datum uskutečnění zdanitelného plnění",
                 "Variabilní symbol", "Rekapitulace DPH", "Celkem k úhradě"):  # fmt: skip
        expect(page.locator(".doc")).to_contain_text(term)
    expect(page.locator(".sum .grand")).to_contain_text(
        "1\N{NO-BREAK SPACE}774,60\N{NO-BREAK SPACE}Kč"
    )
    expect(page.locator(".doc-qr")).to_contain_text("QR Platba")
    page.screenshot(path=str(screenshots / "invoice-cs.png"), full_page=True)
