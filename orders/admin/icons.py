"""The back office's status icons: a small inline SVG set, drawn the same on every machine.

A status's `icon` is one of these names, or an emoji from the default statuses (mapped to
its icon here); anything else is left out and the badge is plain text, so no badge depends
on the emoji fonts a staff member's computer happens to have. The icons take the text's
colour (`currentColor`). The API still hands out `icon` as stored.
"""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# 24x24 outlines (stroke drawing, no fill), as in common open icon sets.
SHAPES = {
    "star": '<polygon points="12 2 15.1 8.3 22 9.3 17 14.1 18.2 21 12 17.8 5.8 21 7 14.1 2 9.3 '
    '8.9 8.3"/>',
    "clock": '<circle cx="12" cy="12" r="10"/><polyline points="12 6 12 12 16 14"/>',
    "card": '<rect x="2" y="5" width="20" height="14" rx="2"/><line x1="2" y1="10" x2="22" '
    'y2="10"/>',
    "gear": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 '
    '2.1M2 12h3M19 12h3M4.9 19.1L7 17M17 7l2.1-2.1"/>',
    "truck": '<rect x="1" y="4" width="14" height="12"/><polygon points="15 8 19 8 23 12 23 16 '
    '15 16"/><circle cx="5.5" cy="18.5" r="2.5"/><circle cx="18.5" cy="18.5" r="2.5"/>',
    "box": '<polygon points="12 2 21 7 21 17 12 22 3 17 3 7"/><polyline points="3 7 12 12 21 7"/>'
    '<line x1="12" y1="12" x2="12" y2="22"/>',
    "check": '<polyline points="20 6 9 17 4 12"/>',
    "x": '<line x1="18" y1="6" x2="6" y2="18"/><line x1="6" y1="6" x2="18" y2="18"/>',
    "pause": '<rect x="6" y="4" width="4" height="16"/><rect x="14" y="4" width="4" height="16"/>',
    "undo": '<polyline points="9 14 4 9 9 4"/><path d="M20 20v-7a4 4 0 0 0-4-4H4"/>',
    "alert": '<circle cx="12" cy="12" r="10"/><line x1="12" y1="8" x2="12" y2="12"/><line '
    'x1="12" y1="16" x2="12.01" y2="16"/>',
}
NAMES = tuple(SHAPES)

# The default statuses' emoji (statuses/migrations/0002) and a few more, as icons.
EMOJI = {
    "🆕": "star",
    "⏳": "clock",
    "⌛": "clock",
    "💳": "card",
    "💰": "card",
    "⚙️": "gear",
    "⚙": "gear",
    "🚚": "truck",
    "📦": "box",
    "✅": "check",
    "✔️": "check",
    "❌": "x",
    "✖️": "x",
    "⏸️": "pause",
    "↩️": "undo",
    "⚠️": "alert",
}


def icon_name(icon: str | None) -> str | None:
    """The set's name for a status's `icon` (a name or a known emoji), or None."""
    text = (icon or "").strip()
    if text.lower() in SHAPES:
        return text.lower()
    return EMOJI.get(text) or EMOJI.get(text.replace("\ufe0f", ""))


def icon_svg(icon: str | None, *, size: int = 12) -> SafeString:
    """The icon as inline SVG, or "" when it is not one of the set."""
    name = icon_name(icon)
    if name is None:
        return mark_safe("")
    return format_html(
        '<svg class="status-icon" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="2.5" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        size,
        size,
        mark_safe(SHAPES[name]),  # the set's own constants
    )
