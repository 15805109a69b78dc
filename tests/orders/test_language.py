"""The language an order's customer reads (its own, else its channel's, else the default),
and dates written in a language."""

import datetime as dt

import pytest
from django.utils import translation

from orders import services
from orders.errors import InvalidInput
from orders.language import default_language, format_day, format_moment, order_language
from orders.models import Channel, Order
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def test_an_order_reads_its_channels_language(actor):
    channel = ChannelFactory(language="cs")
    order = services.order_create(actor=actor, channel_id=channel.pk, email="jana@mail.example")

    assert order.language == ""
    assert order_language(Order.objects.get(pk=order.pk)) == "cs"


def test_the_orders_own_language_wins_over_its_channels(actor):
    channel = ChannelFactory(language="cs")
    order = services.order_create(
        actor=actor, channel_id=channel.pk, email="john@mail.example", language="en"
    )

    assert order_language(Order.objects.get(pk=order.pk)) == "en"


def test_an_order_without_a_channel_reads_the_default_language(actor, settings):
    settings.LANGUAGE_CODE = "cs"
    order = services.order_create(actor=actor, email="jana@mail.example")

    assert order_language(order) == "cs"


def test_the_default_language_is_language_code_as_one_of_languages(settings):
    settings.LANGUAGE_CODE = "en-us"
    assert default_language() == "en"
    settings.LANGUAGE_CODE = "de"  # not one of LANGUAGES: the first of them
    assert default_language() == "en"


def test_a_new_channel_gets_the_default_language(settings):
    settings.LANGUAGE_CODE = "cs"
    assert Channel.objects.create(name="Obchod").language == "cs"


def test_a_staff_edit_changes_the_orders_language(actor):
    channel = ChannelFactory(language="en")
    order = services.order_create(actor=actor, channel_id=channel.pk, email="jana@mail.example")

    services.order_update(order_id=order.pk, actor=actor, changes={"language": "cs"})

    order.refresh_from_db()
    assert order_language(order) == "cs"
    record = order.history.order_by("-id").first()
    assert record.changes["language"] == ["", "cs"]


def test_an_unknown_language_is_refused(actor):
    with pytest.raises(InvalidInput) as refused:
        services.order_create(actor=actor, email="jana@mail.example", language="de")
    assert refused.value.field == "language"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("language", "medium", "long"),
    [("en", "Jan 5, 2026", "January 5, 2026"), ("cs", "5. 1. 2026", "5. ledna 2026")],
)
def test_dates_are_written_in_the_language(language, medium, long):
    day = dt.date(2026, 1, 5)
    assert format_day(day, language) == medium
    assert format_day(day, language, length="long") == long
    with translation.override(language):
        assert format_day(day) == medium


def test_a_moment_is_written_in_local_time(settings):
    settings.TIME_ZONE = "Europe/Prague"
    moment = dt.datetime(2026, 1, 5, 14, 4, tzinfo=dt.UTC)  # 15:04 in Prague
    assert format_moment(moment, "cs") == "5. 1. 2026 15:04"
    assert format_moment(moment, "en") == "Jan 5, 2026, 3:04\N{NARROW NO-BREAK SPACE}PM"
