"""One amount format in the back office: read-only amounts through the money formatter
(€12.10), inputs rounded to the currency's minor unit (12.10, not the stored 12.1000)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from orders import services
from orders.money import format_money
from tests.admin.conftest import change_form_data, change_url
from tests.factories import ChannelFactory, ShippingMethodFactory, order_with_items

pytestmark = pytest.mark.django_db
FOUR_DECIMALS = re.compile(r"\b\d+\.\d{4}\b")


def inputs(html: str, name_pattern: str) -> dict[str, str]:
    """name -> value of the page's <input>s whose name matches."""
    found = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name and re.fullmatch(name_pattern, name.group(1)):
            value = re.search(r'value="([^"]*)"', tag)
            found[name.group(1)] = value.group(1) if value else ""
    return found


def test_item_prices_are_edited_as_the_currency_writes_them(admin_client, actor):
    order = order_with_items(items=2)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="amount", value=Decimal("2.5"), reason="Voucher"
    )

    html = admin_client.get(change_url(order)).content.decode()

    assert inputs(html, r"items-\d-unit_price_final") == {
        "items-0-unit_price_final": "12.10",
        "items-1-unit_price_final": "12.10",
        "items-2-unit_price_final": "",  # the empty row to add one
    }
    assert 'name="items-0-unit_price_final" value="12.10" step="0.01"' in html
    assert 'id="discount-value" size="6" value="2.50"' in html
    assert 'placeholder="33.80"' in html  # mark paid: the order's money (36.30 - 2.50)
    assert not FOUR_DECIMALS.findall(html)


def test_read_only_items_show_money_like_the_totals_beside_them(admin_client, actor):
    order = order_with_items(items=2)
    services.order_mark_paid(order_id=order.pk, actor=actor)
    services.order_mark_sent(order_id=order.pk, actor=actor)  # items are read-only now

    html = admin_client.get(change_url(order)).content.decode()

    row = re.search(r'<tr class="form-row[^"]*"\s+id="items-0">.*?</tr>', html, re.S)
    cells = re.findall(r'<td class="field-(\w+)">\s*<p>(.*?)</p>', row.group(0), re.S)
    shown = dict(cells)
    assert shown["unit_final_display"] == "€12.10"
    assert shown["vat_display"] == "21 %"
    assert shown["unit_base_display"] == "€10.00"
    assert shown["line_total_display"] == "€12.10"
    assert not FOUR_DECIMALS.findall(html)


def test_a_yen_order_has_no_decimals_in_its_inputs(admin_client):
    order = order_with_items(items=1, currency="JPY")

    html = admin_client.get(change_url(order)).content.decode()

    assert inputs(html, r"items-0-unit_price_final") == {"items-0-unit_price_final": "12"}
    assert 'name="items-0-unit_price_final" value="12" step="1"' in html


def test_saving_a_rounded_price_untouched_changes_nothing(admin_client, actor):
    order = order_with_items(items=2)
    page = admin_client.get(change_url(order))

    response = admin_client.post(change_url(order), change_form_data(page))

    assert response.status_code == 302
    assert not order.history.filter(type="item").exists()


def test_shipping_methods_show_and_edit_prices_in_their_currency(admin_client):
    method = ShippingMethodFactory(
        channel=ChannelFactory(currency_code="CZK"), price=Decimal("79"), free_from=Decimal("2000")
    )

    listed = admin_client.get(reverse("admin:orders_shippingmethod_changelist")).content.decode()
    edited = admin_client.get(
        reverse("admin:orders_shippingmethod_change", args=[method.pk])
    ).content.decode()

    price, free_from = format_money(Decimal("79"), "CZK"), format_money(Decimal("2000"), "CZK")
    assert f'<td class="field-price_display">{price}</td>' in listed  # "CZK79.00" in en_US
    assert f'<td class="field-free_from_display">{free_from}</td>' in listed
    assert '<td class="field-vat_display">21 %</td>' in listed
    assert inputs(edited, "price|free_from") == {"price": "79.00", "free_from": "2000.00"}
    assert not FOUR_DECIMALS.findall(listed + edited)


def test_no_back_office_page_shows_a_stored_four_decimal_amount(admin_client, actor):
    order = order_with_items(items=2, shipping_id=ShippingMethodFactory().pk)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal("10"), reason="Loyal"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)
    item = order.items.filter(kind="product").first()
    services.order_refund(order_id=order.pk, actor=actor, lines=[(item.pk, 1)], reason="Broken")
    pages = [
        reverse("admin:index"),
        reverse("admin:orders_order_changelist"),
        change_url(order),
        reverse("admin:orders_order_history", args=[order.pk]),
        reverse("admin:orders_order_refund", args=[order.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not FOUR_DECIMALS.findall(html), url
        assert "€" in html, url  # amounts are there, formatted
