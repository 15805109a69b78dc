"""Czech in a real browser: a Czech staff member's back office, switching it to English with
the header's selector, and a Czech order's customer page. Saves the Czech screenshots
(docs/screenshots/*-cs.png) with UPDATE_SCREENSHOTS=1."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, README_SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_czech_staff_member_and_a_czech_customer(
    chromium, live_server, shop, monkeypatch, tmp_path
):
    # The order is Czech (its channel's or its own language; the live server shares this
    # process, so the page sees it).
    monkeypatch.setattr("orders.pages.order_language", lambda order: "cs")
    screenshots = README_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)
    # The browser asks for Czech (Accept-Language: cs-CZ), as a Czech staff member's does.
    context = chromium.new_context(locale="cs-CZ", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("#language-select")).to_have_value("cs")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("h1")).to_contain_text("Přehled")

    page.goto(f"{live_server.url}/admin/orders/order/{shop.pk}/change/")
    expect(
        page.get_by_role("region", name="Akce s objednávkou").get_by_role(
            "button", name="Označit jako odesláno"
        )
    ).to_be_visible()
    expect(page.locator("#order-history")).to_contain_text("Historie")
    page.screenshot(path=str(screenshots / "order-change-cs.png"), full_page=True)

    # The selector switches the back office to English and the choice stays.
    page.select_option("#language-select", "en")
    expect(page.locator("#parcels").get_by_role("button", name="Mark sent")).to_be_visible()
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("h1")).to_contain_text("Dashboard")

    # The customer's page follows the order, not the (now English) browser choice.
    customer = context.new_page()
    customer.goto(f"{live_server.url}/order/{shop.hash}")
    expect(customer.locator("h1")).to_have_text(f"Objednávka {shop.pk}")
    expect(customer.locator(".timeline")).to_contain_text("Přidáno sledovací číslo")
    customer.screenshot(path=str(screenshots / "order-page-cs.png"), full_page=True)
    context.close()
