"""The back office in a real browser (Debian's Chromium through Playwright): a staff user
finds an order by its tracking number, adds an item, marks it sent, sees the history and
the money change, and opens the customer's pages. Saves the README's invoice screenshot (the
others come from the demo's data: test_demo_shop.py)."""

import os
import re

import pytest
from playwright.sync_api import expect

from orders import services
from orders.actors import Actor
from tests.browser.conftest import PASSWORD, README_SCREENSHOTS

# The live server needs committed data. An earlier transactional test may have flushed
# the migrations' data (default statuses), so the test makes what it uses itself.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_an_order_add_an_item_and_send_it(chromium, live_server, shop, tmp_path):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    screenshots = README_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    screenshots.mkdir(parents=True, exist_ok=True)

    # log in
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("anna")

    # the change list
    page.goto(f"{live_server.url}/admin/orders/order/")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    expect(page.locator("#result_list")).to_contain_text("Processing")

    # find the order by its tracking number
    page.fill("#searchbar", "PPL0042")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.click(f"#result_list tbody tr a[href*='/{shop.pk}/change/']")
    expect(page.locator("h2").first).to_be_visible()
    # 24.30 of goods and the courier's 4.90 fee (free only from 100.00 of goods).
    expect(page.locator(".fieldBox.field-money_display .readonly")).to_contain_text("€29.20")
    expect(page.locator(".field-charges_display")).to_contain_text("Courier")

    # add an item in the inline and save through the services
    page.fill("input[name='items-2-name']", "Desk lamp")
    page.fill("input[name='items-2-code']", "LAMP-006")
    page.fill("input[name='items-2-count']", "1")
    page.fill("input[name='items-2-unit_price_final']", "49.00")
    page.fill("input[name='items-2-vat']", "21")
    page.click("input[name='_continue']")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".fieldBox.field-money_display .readonly")).to_contain_text("€78.20")
    expect(page.locator("#order-history")).to_contain_text("Item added: 1 x Desk lamp")

    # mark it sent with the transition button
    page.click("button[name='transition'][value='sent']")
    expect(page.locator(".messagelist")).to_contain_text(f"Order {shop.pk} marked sent.")
    # "Order sent" in the history, by the staff member who sent it
    history = page.locator("#order-history tbody tr", has_text="Order sent")
    expect(history).to_have_count(1)
    expect(history).to_contain_text("anna")
    expect(page.locator("button[name='transition'][value='sent']")).to_have_count(0)

    # the customer's order page: no login, no staff note
    order_page_url = page.locator("a", has_text="Order page").get_attribute("href")
    customer = chromium.new_page(viewport={"width": 1400, "height": 1000})
    customer.goto(f"{live_server.url}{order_page_url}")
    expect(customer.locator("h1")).to_have_text(f"Order {shop.pk}")
    expect(customer.locator(".timeline")).to_contain_text("Order sent")
    expect(customer.locator("body")).to_contain_text("€78.20")
    expect(customer.locator("a", has_text="PPL0042")).to_have_attribute(
        "href", re.compile(r"PPL0042$")
    )
    expect(customer.locator("body")).not_to_contain_text("Staff only")

    # and its invoice: a proforma while none is issued (tests/invoices/test_browser.py)
    customer.click("a:has-text('Invoice')")
    expect(customer.locator("h1")).to_have_text(f"Proforma invoice {shop.pk}")
    expect(customer.locator(".vat")).to_contain_text("21 %")
    expect(customer.locator(".sum .grand")).to_contain_text("€78.20")
    customer.screenshot(path=str(screenshots / "invoice.png"), full_page=True)


def test_staff_give_a_discount_take_payment_and_refund_a_returned_unit(chromium, live_server, shop):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/orders/order/{shop.pk}/change/")
    money = page.locator(".fieldBox.field-money_display .readonly")
    expect(money).to_contain_text("€29.20")

    # a 10 % discount off the goods (24.30 -> 21.87), the fee stays
    page.fill("#discount-value", "10")
    page.select_option("#discount-type", "percent")
    page.fill("#discount-reason", "Loyal customer")
    page.click("button[name='discount']")
    expect(page.locator(".messagelist")).to_contain_text("money is now €26.77")
    expect(page.locator(".field-charges_display")).to_contain_text("Discount 10 %: Loyal customer")

    # paid in full, then a refund of one returned tea
    page.click("button[name='transition'][value='paid']")
    expect(page.locator(".messagelist")).to_contain_text("€26.77 paid")
    # the customer got the teas (goods come back from delivered parcels)
    actor = Actor.for_command("browser-test")
    services.order_mark_sent(order_id=shop.pk, actor=actor)
    services.order_mark_delivered(order_id=shop.pk, actor=actor)
    page.click("#refund-button")
    expect(page.locator("#refund-maximum")).to_have_text("€26.77")
    tea = page.locator("tr", has_text="Green tea 100 g")
    expect(tea).to_contain_text("€10.62")  # 2 x 5.90 less 10 %
    tea.locator("input[type=number]").fill("1")
    page.fill("#id_reason", "Arrived open")
    page.check("#id_mark_returned")
    page.click("input[name='refund']")

    expect(page.locator(".messagelist")).to_contain_text(f"Order {shop.pk} refunded €5.31.")
    expect(page.locator(".fieldBox.field-refunded_display .readonly")).to_contain_text("€5.31")
    expect(page.locator(".field-payment_state .readonly")).to_contain_text("Partially refunded")
    expect(page.locator("#order-history tbody tr").first).to_contain_text(
        re.compile(r"Refund for return \d+: 5\.31 EUR")
    )
    expect(page.locator("#order-returns")).to_contain_text("1 x Green tea 100 g")


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _hidden_width(page, selector: str) -> int:
    """How far the element's content reaches beyond its box (its own sideways scroll)."""
    return page.evaluate(
        f"(e => e.scrollWidth - e.clientWidth)(document.querySelector('{selector}'))"
    )


def test_order_list_and_order_page_fit_a_1400_px_window(chromium, live_server, shop):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("anna")

    page.goto(f"{live_server.url}/admin/orders/order/")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    list_width = _scroll_width(page)
    # the table does not scroll inside its own box either: every column is in sight
    assert _hidden_width(page, ".results") == 0
    last_column = page.locator("#result_list td.field-state_column").first.bounding_box()
    assert last_column["x"] + last_column["width"] <= 1400

    page.goto(f"{live_server.url}/admin/orders/order/{shop.pk}/change/")
    expect(page.locator("#order-history")).to_be_visible()
    page_width = _scroll_width(page)

    # no sideways scrolling: the list (one compact state column) and the order page with
    # its items inline (VAT, totals and delete) both fit the window
    assert list_width <= 1400, list_width
    assert page_width <= 1400, page_width
    for cell in ("th.column-vat", "td.field-line_total_display", "#id_items-0-DELETE"):
        box = page.locator(f"#items-group {cell}").first.bounding_box()
        assert box["x"] + box["width"] <= 1400, cell
