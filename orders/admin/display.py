"""Small HTML pieces the back office shows: status badges, money, state icons."""

from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.utils.html import format_html

from ..money import format_money
from .icons import icon_svg

EMPTY = "\N{EN DASH}"  # what an empty cell shows


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on the badge's colour."""
    try:
        red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    except (TypeError, ValueError):
        return "#fff"
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#000" if luminance > 160 else "#fff"


def status_badge(status) -> str:
    """An order status as a coloured pill with its icon (an inline SVG of the back office's
    set, never an emoji that needs a font); a dash when there is none."""
    if status is None:
        return EMPTY
    return format_html(
        '<span class="order-status-badge" style="background:{};color:{};padding:2px 8px;'
        "border-radius:10px;white-space:nowrap;font-size:11px;display:inline-flex;"
        'align-items:center;gap:4px;">{}{}</span>',
        status.color,
        text_colour(status.color),
        icon_svg(status.icon),
        status.name,
    )


def money(amount, currency: str) -> str:
    return format_money(amount, currency) if amount is not None else EMPTY


def percent(rate) -> str:
    """A VAT rate as people write it: "21 %", "10.5 %" (not the stored 21.00)."""
    return EMPTY if rate is None else f"{rate.normalize():f} %"


def flag(value: bool) -> str:
    return _boolean_icon(value)
