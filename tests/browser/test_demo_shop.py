"""The back office on the demo's data (orders/demo.py: 90 days of a shop) in a 1400 x 1000
window, as staff first see it after `make run`: the dashboard, the order list, an order's
page, its parcels, a returned order's timeline and the customer's page fit the window
(the document is no wider than it) and show the shop. These are the docs' screenshots:
UPDATE_SCREENSHOTS=1 writes them to docs/screenshots/ (an ordinary run to a temporary
folder)."""

import os
from pathlib import Path

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from orders import demo
from orders.models import ClosingState, Order, Return, ShippingState
from statuses.models import OrderStatus
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH, HEIGHT = 1400, 1000
PASSWORD = "staff-password"


@pytest.fixture
def shop(default_statuses):
    demo.seed(150)  # as `make run` makes
    UserFactory(username="anna", is_superuser=True, password=PASSWORD)


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def staff_page(chromium, live_server, shop):
    page = chromium.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("anna")
    return page


def fits_the_window(page) -> None:
    """No sideways scrolling: not the page, and not a table inside its own box."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"
    hidden = page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('.results, .module')]"
        ".map(e => e.scrollWidth - e.clientWidth))"
    )
    assert hidden == 0, f"{page.url}: a table scrolls sideways by {hidden} px"


def test_the_demo_shop_at_1400_px(staff_page, live_server, screenshots):
    page = staff_page

    # the dashboard: the charts are drawn and every panel has something to show
    expect(page.locator("#dash-orders svg rect.dash-bar").first).to_be_visible()
    expect(page.locator("#dash-revenue .dash-legend")).to_contain_text("Web shop")
    expect(page.locator("#dash-paid-not-sent tbody tr").first).to_be_visible()
    expect(page.locator("#dash-sent-not-delivered tbody tr").first).to_be_visible()
    fits_the_window(page)
    bottom = page.locator("#dash-events").bounding_box()
    page.screenshot(  # the dashboard without the app list under it
        path=str(screenshots / "dashboard.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": WIDTH, "height": bottom["y"] + bottom["height"] + 16},
    )

    # the order list: Czech customers, status badges, the lifecycle in one column
    page.goto(f"{live_server.url}/admin/orders/order/")
    expect(page.locator("#result_list tbody tr")).to_have_count(50)
    expect(page.locator("#result_list .order-status-badge svg").first).to_be_visible()
    fits_the_window(page)
    page.screenshot(path=str(screenshots / "order-list.png"))

    # an order on its way: delivered, waiting to be closed, with its parcels (two if an
    # order has them) and payment
    order = (
        Order.objects.filter(
            closing_state=ClosingState.OPEN,
            shipping_state=ShippingState.DELIVERED,
            trackings__isnull=False,
        )
        .annotate(parcels=Count("shipments"))
        .order_by("-parcels", "-date_order")
        .first()
    )
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(page.locator("#order-history")).to_contain_text("Order delivered")
    expect(page.locator("button[name='transition'][value='done']")).to_be_visible()
    fits_the_window(page)
    page.screenshot(path=str(screenshots / "order-change.png"))

    # the latest order sent in two parcels: each with its carrier, number, weight and dates
    split = (
        Order.objects.annotate(parcels=Count("shipments"))
        .filter(parcels=2)
        .order_by("-date_order")
        .first()
    )
    page.goto(f"{live_server.url}/admin/orders/order/{split.pk}/change/")
    panel = page.locator("#parcels")
    for parcel in split.shipments.select_related("tracking"):
        row = panel.locator(f"#parcel-{parcel.pk}")
        expect(row).to_contain_text(parcel.tracking.tracking_number)
        expect(row).to_contain_text(parcel.get_state_display())
    fits_the_window(page)
    panel.screenshot(path=str(screenshots / "order-parcels.png"))

    # an order still to be sent: its items inline, editable, with VAT, totals and delete
    # (the widest amounts: crowns)
    waiting = (
        Order.objects.filter(
            closing_state=ClosingState.OPEN,
            shipping_state=ShippingState.PENDING,
            order_currency_code="CZK",
        )
        .order_by("-money")
        .first()
    )
    page.goto(f"{live_server.url}/admin/orders/order/{waiting.pk}/change/")
    items = page.locator("#items-group")
    expect(items.locator("input[name='items-0-unit_price_final']")).to_be_visible()
    expect(items.locator("#id_items-0-DELETE")).to_be_visible()
    fits_the_window(page)
    items.screenshot(path=str(screenshots / "order-items.png"))

    # a returned order's timeline (the HISTORY button): names and amounts, not ids
    goods_return = (
        Return.objects.filter(state="refunded", order__closing_state=ClosingState.DONE)
        .order_by("-order__date_order")
        .first()
    )
    page.goto(f"{live_server.url}/admin/orders/order/{goods_return.order_id}/history/")
    timeline = page.locator("body")
    expect(timeline).to_contain_text(f"Return {goods_return.pk} requested")
    expect(timeline).to_contain_text(f"Return {goods_return.pk} received")
    expect(timeline).to_contain_text(f"Refund for return {goods_return.pk}")
    expect(timeline).to_contain_text("Status: Delivered → Completed")
    fits_the_window(page)
    page.screenshot(path=str(screenshots / "order-history.png"))

    # the customer's page of the delivered order: its badge is drawn, not an emoji
    page.goto(f"{live_server.url}/order/{order.hash}")
    expect(page.locator("h1")).to_have_text(f"Order {order.pk}")
    expect(page.locator(".badge svg.status-icon")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Order delivered")
    fits_the_window(page)
    page.screenshot(path=str(screenshots / "order-page.png"))


def test_a_status_that_contradicts_a_done_order_is_refused(staff_page, live_server):
    page = staff_page
    done = Order.objects.filter(closing_state=ClosingState.DONE).order_by("-date_order").first()
    processing = OrderStatus.objects.get(name="Processing")
    page.goto(f"{live_server.url}/admin/orders/order/{done.pk}/change/")
    expect(page.locator(".fieldBox.field-status_display")).to_contain_text("Completed")

    page.select_option("#assign-status", str(processing.pk))
    page.click("button[name='transition'][value='status']")

    expect(page.locator(".messagelist .error")).to_contain_text(
        f"Order {done.pk} cannot be given the status Processing: it is done"
    )
    expect(page.locator(".fieldBox.field-status_display")).to_contain_text("Completed")
    assert Order.objects.get(pk=done.pk).status.name == "Completed"
    fits_the_window(page)
