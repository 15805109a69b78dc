"""The dashboard in a real browser: it fits the window and its charts are drawn."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders import services
from orders.actors import Actor
from orders.models import Order
from tests.factories import ChannelFactory, UserFactory, order_with_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "staff-password"


@pytest.fixture
def shop():
    """A month of orders in two channels, some paid and waiting, one parcel long on the road."""
    actor = Actor.for_command("browser-test")
    channels = [ChannelFactory(name="Web shop"), ChannelFactory(name="Marketplace")]
    now = timezone.now()
    for n in range(45):
        order = order_with_items(
            items=1 + n % 3,
            channel=channels[n % 2],
            name=f"Customer {n}",
            date_order=now - datetime.timedelta(days=n % 29, hours=n % 5),
        )
        if n % 3:
            services.order_mark_paid(order_id=order.pk, actor=actor)
        if n % 5 == 0:
            services.order_mark_sent(order_id=order.pk, actor=actor)
            Order.objects.filter(pk=order.pk).update(date_sent=now - datetime.timedelta(days=12))
    UserFactory(username="anna", is_superuser=True, password=PASSWORD)


def log_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


@pytest.mark.parametrize("width", [1400, 1024])
def test_the_dashboard_fits_the_window_and_draws_its_charts(
    chromium, live_server, shop, tmp_path, width
):
    page = chromium.new_page(viewport={"width": width, "height": 1000})
    page.set_default_timeout(15_000)

    log_in(page, live_server)

    expect(page.locator("#dash-orders svg")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for chart in ("#dash-orders", "#dash-revenue"):
        svg = page.locator(f"{chart} svg")
        box = svg.bounding_box()
        assert box["width"] > 300  # drawn at the card's width, not as a thumbnail
        assert box["height"] > 100
        bars = svg.locator("rect.dash-bar")
        assert bars.count() >= 29  # a bar per channel and day with orders
        tallest = max(b.bounding_box()["height"] for b in bars.all())
        assert tallest > 20  # bars are visible, not zero-height
        expect(page.locator(f"{chart} .dash-legend")).to_contain_text("Web shop")
        expect(page.locator(f"{chart} .dash-legend")).to_contain_text("Marketplace")
    expect(page.locator("#dash-paid-not-sent tbody tr").first).to_contain_text("Customer")
    expect(page.locator("#dash-sent-not-delivered")).to_contain_text("12 d")
    expect(page.locator("#dash-payment-split svg rect[fill]").first).to_be_visible()
    page.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=True)

    # a tile leads to the orders it counts
    page.click("a.dash-tile >> text=paid, not sent yet")
    expect(page).to_have_url(
        f"{live_server.url}/admin/orders/order/"
        "?payment_state__exact=paid&shipping_state__in=pending%2Cpartially_sent"
        "&closing_state__exact=open"
    )
