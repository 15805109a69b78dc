"""The language a person reads: a channel's (its customers'), an order's own override, and
dates written in a language with Babel (money: orders/money.py).

Languages are the codes of settings.LANGUAGES ("en", "cs"). The customer's pages, e-mails
and invoices of an order are in order_language(order); staff read the back office in their
own (Django's active language).
"""

from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from django.conf import settings
from django.utils import timezone, translation


def language_choices() -> list[tuple[str, str]]:
    """settings.LANGUAGES, for a model field's choices (a callable: the migrations do not
    change with the setting)."""
    return [(code, name) for code, name in settings.LANGUAGES]


def default_language() -> str:
    """settings.LANGUAGE_CODE as one of settings.LANGUAGES ("en-us" -> "en")."""
    try:
        return translation.get_supported_language_variant(settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGES[0][0]


def order_language(order) -> str:
    """The language of the order's customer-facing texts: the order's own, else its
    channel's, else the default. Reads order.channel (selected with the order by
    orders.selectors, so no query there)."""
    if order.language:
        return order.language
    if order.channel_id and order.channel.language:
        return order.channel.language
    return default_language()


def current_language() -> str:
    """The active language (the back office user's), or the default outside a request."""
    return translation.get_language() or default_language()


@lru_cache(maxsize=32)
def babel_locale(language: str) -> Locale:
    """The Babel locale of a Django language code: "cs" -> cs, "en-us" -> en_US."""
    return Locale.parse(translation.to_locale(language))


def format_day(value: date | datetime | None, language: str | None = None, length="medium"):
    """A date for people in `language` (default: the active one): "Jan 5, 2026" in English,
    "5. 1. 2026" in Czech (medium); "January 5, 2026", "5. ledna 2026" (long). A moment is
    written as its local date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value, format=length, locale=babel_locale(language or current_language()))


def format_moment(value: datetime | None, language: str | None = None) -> str:
    """A moment for people, in the local time zone: "Jan 5, 2026, 3:04 PM" in English,
    "5. 1. 2026 15:04" in Czech."""
    if value is None:
        return ""
    locale = babel_locale(language or current_language())
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    day = format_date(local.date(), format="medium", locale=locale)
    time = format_time(local.time(), format="short", locale=locale)
    return locale.datetime_formats["medium"].format(time, day)
