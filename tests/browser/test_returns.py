"""Returns in a real browser: staff take a delivered tea back from the order page, receive
it and refund it with one click (the button says how much), confirming the dialog."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from orders import services
from orders.actors import Actor
from orders.models import Return
from tests.factories import ChannelFactory, UserFactory, delivered_parcel

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "staff-password"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order():
    actor = Actor.for_command("browser-test")
    order = services.order_create(
        actor=actor,
        channel_id=ChannelFactory(currency_code="EUR").pk,
        name="Jana Nováková",
        email="jana@mail.example",
        items=[
            services.ItemData(
                name="Green tea 100 g", count=2, vat=Decimal("21"), final_price=Decimal("5.90")
            ),
            services.ItemData(
                name="Ceramic mug", count=1, vat=Decimal("21"), final_price=Decimal("12.50")
            ),
        ],
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    tea, mug = order.items.get(name="Green tea 100 g"), order.items.get(name="Ceramic mug")
    delivered_parcel(order, [(mug, 1)])
    delivered_parcel(order, [(tea, 2)])
    UserFactory(username="anna", is_superuser=True, password=PASSWORD)
    return order


def test_staff_take_a_tea_back_receive_it_and_refund_it(chromium, live_server, order, tmp_path):
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)
    screenshots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/orders/order/{order.pk}/change/")
    expect(page.locator("#order-returns")).to_contain_text("No returns.")

    # a new return: each delivered product with what is left of it
    page.click("#new-return")
    tea = page.locator("tr", has_text="Green tea 100 g")
    expect(tea).to_contain_text("2")
    tea.locator("input[type=number]").fill("1")
    page.fill("#id_reason", "Opened, tastes of smoke")
    page.click("input[name='request']")
    goods_return = Return.objects.get()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Return {goods_return.pk} requested: 1 x Green tea 100 g."
    )

    # received, then refunded with one click after the confirmation that names the amount
    panel = page.locator("#order-returns")
    panel.locator("button[value='receive']").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Return {goods_return.pk} received.")
    refund = page.locator("#order-returns button[value='refund']")
    expect(refund).to_have_text("Refund €5.90")
    panel.screenshot(path=str(screenshots / "order-returns.png"))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    refund.click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Return {goods_return.pk} refunded: €5.90."
    )
    assert asked == [
        f"Refund €5.90 for return {goods_return.pk}? The money goes back to the customer."
    ]
    row = page.locator(f"#return-{goods_return.pk}")
    expect(row).to_contain_text("Refunded")
    expect(row).to_contain_text("€5.90")
    expect(page.locator(".fieldBox.field-refunded_display .readonly")).to_contain_text("€5.90")
