"""Dates in the active language, written by Babel (orders/language.py):
`{{ order.date_order|day:"long" }}` gives "January 5, 2026" or "5. ledna 2026",
`{{ record.created_at|moment }}` "Jan 5, 2026, 3:04 PM" or "5. 1. 2026 15:04"."""

from django import template

from orders.language import format_day, format_moment

register = template.Library()


@register.filter
def day(value, length: str = "medium") -> str:
    return format_day(value, length=length)


@register.filter
def moment(value) -> str:
    return format_moment(value)
