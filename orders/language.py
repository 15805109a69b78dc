"""The language a customer reads their order in: its page, its e-mails.

The order's own language when it has one, else its channel's, else the project's default
(LANGUAGE_CODE). The pages and e-mails render inside `translation.override(...)` of it.
"""

from django.conf import settings


def order_language(order) -> str:
    channel = getattr(order, "channel", None)
    return (
        getattr(order, "language", "") or getattr(channel, "language", "") or settings.LANGUAGE_CODE
    )
