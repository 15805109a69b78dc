"""In a real browser (Debian's Chromium through Playwright): staff issue an invoice with the
order page's button, the customer opens it at invoice_url and downloads the PDF. Saves the
docs' screenshots with UPDATE_SCREENSHOTS=1 (the order page's invoices panel, the invoice page,
and the PDF's first page through pdftoppm)."""

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from invoices.models import Invoice, InvoiceSettings, Trigger
from orders import services
from orders.actors import Actor
from tests.factories import ChannelFactory, CompanyFactory, PaymentMethodFactory, UserFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "staff-password"
D = Decimal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order():
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
    channel = ChannelFactory(name="Čajovna e-shop", company=seller, currency_code="CZK")
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
