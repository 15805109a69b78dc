"""The API console (Swagger UI at /System/docs) in a real browser: assets load from this
server, a user pastes a key, tries a call and sees the live answer."""

import pytest
from playwright.sync_api import expect

from orders.api_keys import create_api_key
from tests.factories import order_with_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_pastes_a_key_and_tries_get_order(chromium, live_server):
    order = order_with_items(items=2)
    _, plain = create_api_key(name="Console user")
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    outside = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )

    page.goto(f"{live_server.url}/System/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Orders API")

    # Authorize with the key in the `token` header
    page.click("button.authorize")
    token_scheme = (
        page.locator(".modal-ux .auth-container")
        .filter(has_text="(apiKey)")
        .filter(has_text="token")
    )
    token_scheme.locator("input").fill(plain)
    token_scheme.locator("button.authorize").click()
    page.click(".modal-ux button.btn-done")

    # Try GET /System/Orders/{order-id}
    operation = page.locator("#operations-Orders-orders_read")
    operation.locator(".opblock-summary").click()
    # "Try it out" is on from the start (SWAGGER_UI_SETTINGS tryItOutEnabled)
    operation.locator("input[placeholder='order_id']").fill(str(order.pk))
    operation.locator("button.execute").click()

    response = operation.locator(".live-responses-table .response .response-col_status").first
    expect(response).to_contain_text("200")
    expect(operation.locator(".live-responses-table .microlight").first).to_contain_text(
        f'"id": {order.pk}'
    )
    assert outside == []  # no CDN: every asset and call went to this server


def test_the_console_starts_with_orders_and_offers_the_key_first(chromium, live_server):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/System/docs")

    groups = page.locator(".swagger-ui .opblock-tag-section h3")
    expect(groups.first).to_have_attribute("data-tag", "Orders")
    expect(page.locator("#operations-Channels-channels_read .opblock-summary")).to_contain_text(
        "Read one channel"
    )
    page.click("button.authorize")
    schemes = page.locator(".modal-ux .auth-container")
    expect(schemes).to_have_count(2)
    expect(schemes.nth(0)).to_contain_text("token")
    expect(schemes.nth(1)).to_contain_text("staffSession")
    expect(schemes.nth(1)).to_contain_text("need no key in this console")


def test_signed_in_staff_write_from_the_console_without_a_key(chromium, live_server):
    from orders.models import HistoryRecord
    from tests.factories import UserFactory

    order = order_with_items(items=1)
    UserFactory(username="eva", is_staff=True, is_superuser=True, password="console-pass-1")
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "eva")
    page.fill("#id_password", "console-pass-1")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("eva")

    # No Authorize: the session (and the CSRF header the console adds) is enough.
    page.goto(f"{live_server.url}/System/docs")
    operation = page.locator("#operations-Orders-orders_mark_sent")
    operation.locator(".opblock-summary").click()
    operation.locator("input[placeholder='order_id']").fill(str(order.pk))
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status").first
    expect(status).to_contain_text("200")
    order.refresh_from_db()
    assert order.sent
    sent = HistoryRecord.objects.filter(order=order, type="state").latest("id")
    assert "eva" in sent.actor
