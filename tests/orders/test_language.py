"""The language of an order's customer-facing texts: its own, else its channel's, else the
project's default."""

from types import SimpleNamespace

from orders.language import order_language


def test_the_order_s_own_language_wins():
    order = SimpleNamespace(language="cs", channel=SimpleNamespace(language="en"))

    assert order_language(order) == "cs"


def test_else_its_channel_s():
    order = SimpleNamespace(language="", channel=SimpleNamespace(language="cs"))

    assert order_language(order) == "cs"


def test_else_the_default_language(settings):
    settings.LANGUAGE_CODE = "cs"

    assert order_language(SimpleNamespace(language="", channel=None)) == "cs"
    assert order_language(SimpleNamespace(channel=SimpleNamespace())) == "cs"
