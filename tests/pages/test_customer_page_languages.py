"""The customer's order page speaks its order's language (orders/language.py), whatever the
browser asks for: English or Czech, words, dates and the timeline."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from orders import services
from orders.money import format_money
from statuses.models import OrderStatus
from tests.factories import ChannelFactory, ShipperFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(actor):
    order = services.order_create(
        actor=actor,
        channel_id=ChannelFactory(name="Čajovna").pk,
        name="Jana Nováková",
        email="jana@mail.example",
        date_order=datetime.datetime(2025, 1, 5, 14, 30, tzinfo=datetime.UTC),
        items=[
            services.ItemData(
                name="Zelený čaj", count=2, vat=Decimal("21"), final_price=Decimal("12.10")
            )
        ],
    )
    services.order_mark_paid(order_id=order.pk, actor=actor, amount=Decimal("10.00"))
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=ShipperFactory(name="PPL").pk,
        tracking_number="PPL777",
    )  # fmt: skip
    services.order_mark_sent(order_id=order.pk, actor=actor)
    services.order_status_assign(
        order_id=order.pk, status_id=OrderStatus.objects.get(name="Shipped").pk, actor=actor
    )
    return order


@pytest.fixture
def in_language(monkeypatch):
    """Give every order the language (as its channel or itself would)."""

    def set_language(code: str) -> None:
        monkeypatch.setattr("orders.pages.order_language", lambda order: code)

    return set_language


def page(client, order, **headers):
    response = client.get(reverse("order-page", args=[order.hash]), headers=headers)
    assert response.status_code == 200
    return response


def test_a_czech_order_s_page_is_in_czech_even_for_an_english_browser(client, order, in_language):
    in_language("cs")

    response = page(client, order, accept_language="en")

    html = response.content.decode()
    assert '<html lang="cs">' in html
    assert response["Content-Language"] == "cs"
    assert f"<title>Objednávka {order.pk}</title>" in html
    assert "objednáno 5. ledna 2025" in html  # the genitive month, as Czech dates are written
    for words in ("Zaplaceno", "Odesláno", "Doručeno", "Vyřízeno", "Položky", "Množství"):
        assert f">{words}<" in html
    assert "Celkem (včetně DPH)" in html
    assert "Zbývá zaplatit" in html
    assert "Zásilky" in html
    # The timeline is worded in Czech from each record (the stored names are English).
    timeline = html[html.index("Co se stalo") :]
    with translation.override("cs"):
        paid = format_money(Decimal("10.00"), "EUR")  # money as the page writes it in Czech
    for event in (
        "Objednávka přijata",
        f"Platba přijata: zaplaceno {paid}",
        "Přidáno sledovací číslo: PPL PPL777",
        "Objednávka odeslána",
        "Stav změněn na Shipped",
    ):
        assert event in timeline
    assert "Order sent" not in html
    assert "What happened" not in html


def test_an_english_order_s_page_is_in_english_even_for_a_czech_browser(client, order, in_language):
    in_language("en")

    response = page(client, order, accept_language="cs")

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert "ordered January 5, 2025" in html  # Babel's long English date
    timeline = html[html.index("What happened") :]
    for event in (
        "Order created",
        "Payment received: €10.00 paid",
        "Tracking number added: PPL PPL777",
        "Order sent",
        "Status changed to Shipped",
    ):
        assert event in timeline
    assert "Objednávka" not in html


def test_without_a_language_of_its_own_the_page_is_in_the_default_language(client, actor, settings):
    order = services.order_create(actor=actor, name="Jana", email="jana@mail.example")
    settings.LANGUAGE_CODE = "cs"  # no channel, and the order names no language

    html = page(client, order, accept_language="en").content.decode()

    assert "Co se stalo" in html


def test_the_page_leaves_the_request_s_language_as_it_was(client, order, in_language):
    in_language("cs")
    translation.activate("en")

    page(client, order)

    assert translation.get_language() == "en"


def test_a_canceled_czech_order_says_so(client, actor, in_language):
    in_language("cs")
    order = services.order_create(actor=actor, name="Petr", email="petr@mail.example")
    services.order_cancel(order_id=order.pk, actor=actor)

    html = page(client, order).content.decode()

    assert 'class="canceled">Stornováno<' in html
    assert "Objednávka stornována" in html
    assert "Zatím žádné položky." in html
    assert "Zatím neodesláno." in html
