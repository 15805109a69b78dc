"""The customer's order page and invoice: addressed by the hash, no login, and never
showing the staff note or staff-only history."""

from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from orders import services
from orders.actors import Actor
from orders.language import format_day
from statuses.models import OrderStatus
from tests.factories import ChannelFactory, ShipperFactory, ShippingMethodFactory, order_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(actor):
    channel = ChannelFactory(name="Tea shop", company__name="Tea Seller s.r.o.")
    order = services.order_create(
        actor=actor,
        channel_id=channel.pk,
        name="Jana Nováková",
        email="jana@mail.example",
        street="Long 5",
        city="Brno",
        delivery_name="Jana at work",
        delivery_city="Praha",
        note="Please ring twice",
        our_note="SECRET staff note: bad payer",
        items=[
            services.ItemData(
                name="Green tea", count=2, vat=Decimal("21"), final_price=Decimal("12.10")
            ),
            services.ItemData(
                name="Cookbook", count=1, vat=Decimal("10"), final_price=Decimal("22.00")
            ),
        ],
    )
    staff = Actor(name="petr.staff", source="admin")
    services.order_history_add(
        order_id=order.pk, actor=staff, type="note", name="Internal: customer shouted"
    )
    services.order_tracking_add(
        order_id=order.pk,
        actor=actor,
        shipper_id=ShipperFactory(name="PPL").pk,
        tracking_number="PPL777",
    )
    services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_status_assign(
        order_id=order.pk, status_id=OrderStatus.objects.get(name="Shipped").pk, actor=actor
    )
    order.refresh_from_db()
    return order


def test_order_page_shows_items_money_status_tracking_and_timeline(client, order):
    response = client.get(reverse("order-page", args=[order.hash]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Order {order.pk}" in html
    assert "Green tea" in html
    assert "Cookbook" in html
    assert "€46.20" in html  # 2 x 12.10 + 22.00
    assert "Shipped" in html
    assert 'href="https://carrier.example/track/PPL777"' in html
    for event in ("Order created", "Order sent", "Status changed to Shipped"):
        assert event in html
    assert "Please ring twice" in html  # the customer's own note
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_order_page_never_shows_staff_notes_or_staff_only_history(client, order):
    html = client.get(reverse("order-page", args=[order.hash])).content.decode()

    assert "SECRET staff note" not in html
    assert "Internal: customer shouted" not in html
    assert "petr.staff" not in html


def test_invoice_shows_seller_buyer_lines_vat_by_rate_and_totals(client, order):
    response = client.get(reverse("order-invoice", args=[order.hash]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Proforma invoice {order.pk}" in html  # no invoice issued yet (tests/invoices)
    assert "Tea Seller s.r.o." in html
    assert "Jana Nováková" in html
    assert "Jana at work" in html
    # VAT by rate: 21 % on 24.20 (base 20.00), 10 % on 22.00 (base 20.00)
    vat_table = html.split('class="vat"')[1].split("</table>")[0]
    assert vat_table.index("21 %") < vat_table.index("10 %")
    for amount in ("€20.00", "€4.20", "€24.20", "€2.00", "€22.00"):
        assert amount in vat_table
    assert "€40.00" in html  # total without VAT
    assert "€6.20" in html  # VAT
    assert "€46.20" in html
    assert "orders/pages.css" in html
    with open(finders.find("orders/pages.css")) as stylesheet:
        assert "@media print" in stylesheet.read()
    assert "SECRET staff note" not in html


def test_invoice_uses_the_orders_currency(client):
    order = order_with_items(items=1, currency="CZK")

    html = client.get(reverse("order-invoice", args=[order.hash])).content.decode()

    assert "CZK" in html
    assert "€" not in html


@pytest.mark.parametrize("name", ["order-page", "order-invoice"])
def test_unknown_hash_is_404(client, order, name):
    response = client.get(reverse(name, args=["not-a-real-hash"]))

    assert response.status_code == 404
    assert "Green tea" not in response.content.decode()


def test_pages_need_no_login_and_refuse_writes(client, order):
    assert client.get(reverse("order-page", args=[order.hash])).status_code == 200
    assert client.post(reverse("order-page", args=[order.hash])).status_code == 405


def test_without_a_delivery_address_the_billing_address_is_where_it_goes(client, actor):
    order = order_with_items(items=1, street="Billing street 9", city="Plzeň")

    html = client.get(reverse("order-invoice", args=[order.hash])).content.decode()

    deliver_to = html.split("Deliver to")[1].split("</section>")[0]
    assert "Billing street 9" in deliver_to
    assert "Plzeň" in deliver_to


def test_order_page_lists_fees_discounts_and_refunds_but_not_the_reason(client, actor):
    order = order_with_items(
        items=2, shipping_id=ShippingMethodFactory(name="Courier", price=Decimal("4.90")).pk
    )
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="amount", value=Decimal("6.30"), reason="Voucher"
    )
    services.order_mark_paid(order_id=order.pk, actor=actor)  # 30.00 + 4.90
    tea = order.items.get(name="Article 1")
    services.order_refund(
        order_id=order.pk,
        actor=actor,
        lines=[(tea.pk, 1)],
        reason="Staff only: customer was rude",
    )

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()

    assert "Courier" in html
    assert "Discount: Voucher" in html
    assert '<th colspan="3">Refunded</th><td class="num">€10.00</td>' in html
    refunds = html[html.index('id="refunds"') :]
    assert "<strong>€10.00</strong> for 1 x Article 1" in refunds
    assert "rude" not in html
    assert "Refund: €10.00" in html  # the timeline's customer-visible record


def test_invoice_recaps_vat_net_of_the_discount(client, actor):
    order = order_with_items(items=1)
    services.order_discount_set(
        order_id=order.pk, actor=actor, type="percent", value=Decimal("50"), reason="Half"
    )

    html = client.get(reverse("order-invoice", args=[order.hash])).content.decode()

    # 12.10 less 6.05: 5.00 without VAT, 1.05 VAT at 21 %.
    assert '<td class="num">21 %</td><td class="num">€5.00</td><td class="num">€1.05</td>' in html


def test_a_czech_orders_page_writes_money_and_dates_the_czech_way(client, actor, settings):
    settings.TIME_ZONE = "Europe/Prague"
    channel = ChannelFactory(currency_code="CZK", language="cs")
    order = order_with_items(items=1, currency="CZK", channel=channel, actor=actor)
    english = order_with_items(items=1, currency="CZK", channel=channel, actor=actor)
    services.order_update(order_id=english.pk, actor=actor, changes={"language": "en"})

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()
    in_english = client.get(reverse("order-page", args=[english.hash])).content.decode()

    assert "12,10\N{NO-BREAK SPACE}Kč" in html
    assert format_day(order.date_order, "cs", length="long") in html  # "5. ledna 2026"
    assert "CZK12.10" in in_english  # the order's own language wins over its channel's
    assert format_day(english.date_order, "en", length="long") in in_english


def test_order_page_lists_parcels_with_their_items_and_tracking_links(client, actor):
    order = order_with_items(items=2)  # Article 0 x 1, Article 1 x 2
    second = order.items.order_by("id").last()
    ppl = ShipperFactory(name="PPL", tracking_url_template="https://ppl.example/t/{number}")
    one = services.shipment_create(
        order_id=order.pk, actor=actor, lines=[(second.pk, 2)], shipper_id=ppl.pk,
        tracking_number="PPL-1",
    )  # fmt: skip
    services.shipment_mark_sent(order_id=order.pk, shipment_id=one.pk, actor=actor)
    services.shipment_create(order_id=order.pk, actor=actor)  # Article 0, being packed

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()

    parcels = html[html.index('id="parcels"') :]
    assert "Parcel 1</strong> · sent" in parcels
    assert 'href="https://ppl.example/t/PPL-1"' in parcels
    assert "<li>2 x Article 1</li>" in parcels
    assert "Parcel 2</strong> · being packed" in parcels
    assert "<li>1 x Article 0</li>" in parcels
    assert "Not shipped yet." not in html
    assert "Partly sent" in html


def test_the_status_badge_draws_its_icon_without_emoji(client, order):
    shipped = OrderStatus.objects.get(name="Shipped")
    assert shipped.icon == "\N{DELIVERY TRUCK}"  # as the default statuses store it

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()

    badge = html[html.index('<span class="badge"') :]
    badge = badge[: badge.index("</span>")]
    assert '<svg class="status-icon"' in badge  # the back office's truck, drawn inline
    assert "Shipped" in badge
    assert "\N{DELIVERY TRUCK}" not in html


@pytest.mark.parametrize("icon", ["\N{PARTY POPPER}", "party", ""])
def test_a_status_icon_outside_the_set_leaves_plain_text(client, order, icon):
    OrderStatus.objects.filter(pk=order.status_id).update(icon=icon)

    html = client.get(reverse("order-page", args=[order.hash])).content.decode()

    start = html.index('<span class="badge"')
    badge = html[start : html.index("</span>", start) + len("</span>")]
    assert badge.endswith(">Shipped</span>")  # the name alone, no icon
    assert "<svg" not in badge
    assert "\N{PARTY POPPER}" not in html
