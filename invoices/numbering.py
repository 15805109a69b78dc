"""Document numbers: one unbroken series per company, kind and year.

A number is taken inside the issuing transaction: the series row is locked
(SELECT ... FOR UPDATE) and incremented, so a second document issued at the same time
waits for the first to commit or roll back. Rolled back, the first leaves the number
untaken; committed, the second gets the next one. Numbers are neither shared nor skipped.

A format is text with `{year}` and `{number}` (with an optional format spec such as
`{number:06d}`), e.g. `{year}-{number:06d}` -> `2026-000123`. The year is in every format
because every year starts again at 1.
"""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from orders.models import Company

from .models import NumberSeries

MAX_LENGTH = 40
ALLOWED_CHARACTERS = re.compile(r"[A-Za-z0-9./_-]+")
FIELDS = {"year", "number"}


def format_number(pattern: str, *, year: int, number: int) -> str:
    return pattern.format(year=year, number=number)


def validate_number_format(pattern: str) -> None:
    """Refuse a format that cannot give unique, printable numbers."""
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as error:
        raise ValidationError(
            gettext("Not a number format: %(error)s.") % {"error": error}, code="format"
        ) from None
    if fields - FIELDS:
        unknown = ", ".join(sorted(f"{{{name}}}" for name in fields - FIELDS))
        raise ValidationError(
            gettext("Only {year} and {number} may be used, not %(unknown)s.") % {"unknown": unknown}
        )
    try:
        sample = format_number(pattern, year=2026, number=123456)
    except (ValueError, KeyError, IndexError, AttributeError) as error:
        raise ValidationError(
            gettext("Not a number format: %(error)s.") % {"error": error}, code="format"
        ) from None
    if fields != FIELDS:
        raise ValidationError(
            gettext(
                "A number format needs both {year} and {number} (numbers start again every year)."
            )
        )
    if not ALLOWED_CHARACTERS.fullmatch(sample):
        raise ValidationError(
            gettext("Numbers may hold letters, digits and - / . _ only (this gives %(sample)r).")
            % {"sample": sample}
        )
    if len(sample) > MAX_LENGTH:
        raise ValidationError(
            gettext("Numbers may be at most %(length)s characters long.") % {"length": MAX_LENGTH}
        )


def take_number(*, company: Company, kind: str, year: int, pattern: str) -> tuple[int, str]:
    """The next (sequence, number) of the series, taken for the current transaction."""
    series = _locked_series(company, kind, year)
    if series is None:
        # First document of the series: create the row (a concurrent creator wins
        # quietly, and we wait for its lock below).
        NumberSeries.objects.bulk_create(
            [NumberSeries(company=company, kind=kind, year=year)], ignore_conflicts=True
        )
        series = _locked_series(company, kind, year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    return series.last_number, format_number(pattern, year=year, number=series.last_number)


def _locked_series(company, kind, year) -> NumberSeries | None:
    return (
        NumberSeries.objects.select_for_update()
        .filter(company=company, kind=kind, year=year)
        .first()
    )


def variable_symbol(number: str) -> str:
    """The Czech payment reference (variabilní symbol): the number's digits, at most 10
    (the last ten when there are more)."""
    return re.sub(r"\D", "", number)[-10:]
