"""Charts drawn on the server as SVG (templates/admin/orders/dashboard/*.html): no script, no
library, no CDN. Python computes the geometry in the SVG's own units (the viewBox) and the
browser scales it to the page's width, so a chart never makes the page scroll sideways.

Colours are the Okabe-Ito palette (distinguishable with the common colour blindnesses);
every bar has a <title>, so hovering tells its exact value.
"""

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.dateformat import format as date_format
from django.utils.translation import ngettext, pgettext

# Okabe-Ito, without its yellow (too pale on white); grey is "the rest".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
REST = "#8c8c8c"
WIDTH, HEIGHT = 640, 230
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 12, 26


def _n(value: float) -> str:
    # Coordinates as text with a dot whatever the locale, two decimals at most.
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class XLabel:
    x: str
    label: str


@dataclass(frozen=True)
class LegendItem:
    name: str
    colour: str
    total: str


@dataclass
class BarChart:
    """A stacked bar chart: one bar per day, one colour per series."""

    label: str  # what a screen reader says
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_labels: list[XLabel] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    baseline: str = _n(HEIGHT - BOTTOM)
    center_x: str = _n((LEFT + WIDTH - RIGHT) / 2)
    center_y: str = _n((TOP + HEIGHT - BOTTOM) / 2)
    empty: bool = False


def nice_ceiling(value: float, steps: int = 4) -> tuple[float, float]:
    """(top, step): a round top of the axis at or above `value`, in `steps` round steps."""
    if value <= 0:
        return float(steps), 1.0
    raw = value / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * steps, step


def compact(value: float) -> str:
    """An axis label: 950, 1.2k, 15k, 2.5M."""
    for limit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(value) >= limit:
            text = f"{value / limit:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{value:g}"


def day_label(day: datetime.date) -> str:
    """A day on the axis, in the staff member's language: "5 Jan", "5. 1."."""
    return date_format(day, pgettext("date format: a day on a chart's axis", "j M"))


def stacked_bars(
    days: Sequence[datetime.date],
    series: Sequence[tuple[str, Sequence[float | Decimal]]],
    *,
    label: str,
    describe: Callable[[float | Decimal], str],
    max_series: int = len(PALETTE),
) -> BarChart:
    """One bar per day, stacked by series (the first series at the bottom). Series past
    `max_series` are summed into one grey "Other" series. `describe` writes a value for
    people (bar titles and legend totals)."""
    series = list(series)
    grouped = len(series) > max_series
    if grouped:
        rest = series[max_series - 1 :]
        summed = [sum(values[n] for _, values in rest) for n in range(len(days))]
        others = ngettext("%(count)d other channel", "%(count)d other channels", len(rest)) % {
            "count": len(rest)
        }
        series = [*series[: max_series - 1], (others, summed)]
    colours = [PALETTE[n % len(PALETTE)] for n in range(len(series))]
    if grouped:
        colours[-1] = REST

    chart = BarChart(label=label)
    totals = [sum((float(values[n]) for _, values in series), 0.0) for n in range(len(days))]
    top, step = nice_ceiling(max(totals, default=0))
    chart.empty = not any(totals)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = chart.plot_right - chart.plot_left
    slot = plot_width / max(len(days), 1)
    bar_width = slot * 0.72

    def y_of(value: float) -> float:
        return HEIGHT - BOTTOM - value / top * plot_height

    tick = 0.0
    while tick <= top + step / 2:
        chart.y_ticks.append(Tick(_n(y_of(tick)), compact(tick)))
        tick += step
    for n, day in enumerate(days):
        x = chart.plot_left + n * slot + (slot - bar_width) / 2
        stacked = 0.0
        for (name, values), colour in zip(series, colours, strict=True):
            value = float(values[n])
            if value <= 0:
                continue
            bottom, stacked = y_of(stacked), stacked + value
            height = bottom - y_of(stacked)
            chart.bars.append(
                Bar(
                    _n(x),
                    _n(y_of(stacked)),
                    _n(bar_width),
                    _n(max(height, 0.5)),
                    colour,
                    f"{day_label(day)} · {name}: {describe(values[n])}",
                )
            )
        # Every 7th day from the last one (today), so today is always labelled.
        if (len(days) - 1 - n) % 7 == 0:
            chart.x_labels.append(XLabel(_n(x + bar_width / 2), day_label(day)))
    chart.legend = [
        LegendItem(name, colour, describe(sum(values)))
        for (name, values), colour in zip(series, colours, strict=True)
    ]
    return chart


@dataclass(frozen=True)
class Segment:
    x: str
    width: str
    colour: str
    name: str
    count: int
    percent: str


def split_bar(parts: Sequence[tuple[str, int, str]], *, width: int = WIDTH) -> list[Segment]:
    """A 100 % bar of (name, count, colour) parts; empty parts take no room."""
    total = sum(count for _, count, _ in parts)
    segments, x = [], 0.0
    for name, count, colour in parts:
        share = count / total if total else 0
        segments.append(
            Segment(_n(x), _n(share * width), colour, name, count, f"{share * 100:.0f} %")
        )
        x += share * width
    return segments
