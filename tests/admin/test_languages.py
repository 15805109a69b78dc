"""The back office in the staff member's language: the browser's Accept-Language until they
choose one in the header (Django's set_language, kept in the language cookie)."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orders import services
from tests.admin.conftest import change_url, transition_url
from tests.factories import ChannelFactory, ShipperFactory, order_with_items

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")
ORDERS = reverse("admin:orders_order_changelist")
CZECH = {"accept_language": "cs-CZ,cs;q=0.9,en;q=0.5"}


def text_of(response) -> str:
    """The page's words, without tags (labels end up split over elements)."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_in_czech(admin_client, actor):
    paid = order_with_items(items=1, channel=ChannelFactory(name="Web"))
    services.order_mark_paid(order_id=paid.pk, actor=actor)

    response = admin_client.get(HOME, headers=CZECH)

    assert response.status_code == 200
    assert response["Content-Language"] == "cs"
    text = text_of(response)
    for words in (
        "Přehled",  # the page's title
        "objednávky za posledních 30 dní",
        "zaplaceno, zatím neodesláno",
        "Objednávky za den, posledních 30 dní",
        "Zaplaceno, neodesláno (1)",
        "Dní na cestě",
        "Jak je zaplacena 1 otevřená objednávka",
        "Poslední události",
        "Vše v administraci",
    ):
        assert words in text
    assert "Latest events" not in text
    html = response.content.decode()
    # The chart's label for screen readers and its day labels (5. 1., not 5 Jan).
    assert "Objednávky za den a kanál, posledních 30 dní: celkem 1." in html
    today = timezone.localdate()
    assert f">{today.day}. {today.month}.</text>" in html


def test_the_dashboard_in_english_by_default(admin_client):
    text = text_of(admin_client.get(HOME))

    assert "Latest events" in text
    assert "Poslední události" not in text


def test_the_order_list_in_czech(admin_client):
    order_with_items(items=1, name="Jana Nováková")

    response = admin_client.get(ORDERS, headers=CZECH)

    text = text_of(response)
    for words in ("Datum", "Zákazník", "Částka", "Zaplaceno", "Stav", "Průběh"):
        assert f" {words} " in text  # the column headings
    assert "Otevřeno · Neodesláno" in text  # the lifecycle cell
    assert "stav platby" in text.lower()  # a filter, from the field's verbose name
    assert "Označit jako odesláno" in text  # a bulk action
    assert "Jana Nováková" in text


def test_the_order_page_in_czech(admin_client, order, actor):
    services.order_tracking_add(
        order_id=order.pk, actor=actor, shipper_id=ShipperFactory().pk, tracking_number="CZ123"
    )

    response = admin_client.get(change_url(order), headers=CZECH)

    text = text_of(response)
    for words in (
        f"Objednávka {order.pk}",
        "Zákazník a fakturace",  # a fieldset
        "IČO",  # a field label (the order's company number)
        "Interní poznámka — zákazník ji nikdy neuvidí",
        "Označit jako zaplaceno",  # the transition buttons
        "Označit jako odesláno",
        "Stornovat objednávku",
        "Přiřadit stav",
        "Nastavit slevu",
        "Poznámka do historie",
        "Historie",
        "Sledování zásilky: ",  # the timeline's label of the tracking change
        "Vidí zákazník",
    ):
        assert words in text
    assert "Mark sent" not in text


def test_a_transition_s_message_is_in_the_staff_member_s_language(admin_client, order):
    response = admin_client.post(transition_url(order, "sent"), headers=CZECH)

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f"Objednávka {order.pk} označena jako odeslaná."


def test_a_bulk_action_counts_in_czech_plural_forms(admin_client):
    orders = [order_with_items(items=1) for _ in range(2)]

    response = admin_client.post(
        ORDERS,
        {"action": "mark_sent", "_selected_action": [o.pk for o in orders]},
        headers=CZECH,
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 objednávky jsou označeny jako odeslané."
    ]


def test_the_choice_in_the_header_is_kept_in_the_language_cookie(admin_client):
    response = admin_client.post(
        reverse("set_language"), {"language": "cs", "next": HOME}, headers={"accept_language": "en"}
    )

    assert response.status_code == 302
    assert response["Location"] == HOME
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cs"
    assert cookie["max-age"] == 365 * 24 * 60 * 60  # outlives the browser session
    # The cookie wins over the browser's language from now on.
    assert "Poslední události" in text_of(admin_client.get(HOME, headers={"accept_language": "en"}))


def test_the_header_offers_english_and_czech(admin_client):
    html = admin_client.get(HOME, headers=CZECH).content.decode()

    form = html[
        html.index('id="language-form"') : html.index("</form>", html.index('id="language-form"'))
    ]
    assert f'action="{reverse("set_language")}"' in form
    assert '<option value="en" lang="en">English</option>' in form
    assert '<option value="cs" lang="cs" selected>Česky</option>' in form  # each in its own
    assert f'name="next" type="hidden" value="{HOME}"' in form


def test_the_login_page_offers_the_languages_too(client):
    html = client.get(reverse("admin:login"), headers=CZECH).content.decode()

    assert 'id="language-form"' in html
    assert "<title>Přihlášení" in html  # Django's own Czech


def test_the_history_page_in_czech(admin_client, order):
    response = admin_client.get(
        reverse("admin:orders_order_history", args=[order.pk]), headers=CZECH
    )

    text = text_of(response)
    assert "Časová osa" in text
    assert "Kdy Kdo Odkud Co Změny Vidí zákazník" in text
    assert "Příkaz" in text  # where the order came from: a command (the test's actor)
