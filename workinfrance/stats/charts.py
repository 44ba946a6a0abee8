"""Geometry of the server-side SVG charts (no JavaScript): bars, lines and axes in a fixed viewBox.

Templates under `stats/charts/` draw them; every chart carries a title and a description and is
followed on the page by a table holding the same figures.
"""

import math
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .models import Outcome

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 16, 40
# DSFR colours with at least 3:1 contrast on white; lines also differ by dash pattern.
SERIES = {
    Outcome.ACCEPTED: "#18753c",
    Outcome.REFUSED: "#ce0500",
    Outcome.CLOSED: "#666666",
    "in_progress": "#6a6af4",
    "median": "#000091",
    "p90": "#b34000",
}


# The stacked series, in order: each decision, then the files still in progress (`Figures` attributes).
STACKED = (Outcome.ACCEPTED, Outcome.REFUSED, Outcome.CLOSED, "in_progress")


def series_labels() -> dict[str, str]:
    return {
        Outcome.ACCEPTED: _("Acceptés"),
        Outcome.REFUSED: _("Refusés"),
        Outcome.CLOSED: _("Classés sans suite"),
        "in_progress": _("En cours"),
        "median": _("Délai médian"),
        "p90": _("90e centile (9 dossiers sur 10 décidés en moins de)"),
    }


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class Legend:
    color: str
    label: str
    dashed: bool = False


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    ticks: list[Tick]
    x_labels: list[XLabel]
    legend: list[Legend]
    rects: list[Rect]
    lines: list[tuple[str, str, bool]]  # (points "x,y x,y", colour, dashed)
    dots: list[tuple[float, float, str, str]]  # (x, y, colour, tooltip)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def axis(value: float) -> tuple[float, list[float]]:
    """A round top and its gridlines: steps of 1, 2 or 5 x 10^k, at most five of them."""
    if value <= 0:
        return 1, [0, 1]
    power = 10 ** math.floor(math.log10(value / 5)) if value >= 5 else 1
    step = next(s * power for s in (1, 2, 5, 10) if s * power * 5 >= value)
    count = math.ceil(value / step)
    return step * count, [step * i for i in range(count + 1)]


def _ticks(values: list[float], scale) -> list[Tick]:
    return [Tick(y=round(scale(v), 1), label=number_format(v, decimal_pos=0)) for v in values]


def _month_label(month) -> str:
    return date_format(month, "M y")


def monthly_volumes(by_month) -> Chart:
    """Stacked bars per month of first submission: accepted, refused, closed, still in progress."""
    top, gridlines = axis(max((f.filed for _, f in by_month), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(by_month), 1)
    labels = series_labels()

    def scale(value):
        return HEIGHT - BOTTOM - value / top * plot_height

    rects, x_labels = [], []
    for index, (month, figures) in enumerate(by_month):
        x = LEFT + index * slot + slot * 0.15
        base = 0
        for key in STACKED:
            value = getattr(figures, key)
            if value:
                rects.append(
                    Rect(
                        x=round(x, 1),
                        y=round(scale(base + value), 1),
                        width=round(slot * 0.7, 1),
                        height=round(value / top * plot_height, 1),
                        color=SERIES[key],
                        label=f"{_month_label(month)} — {labels[key]} : {value}",
                    )
                )
            base += value
        x_labels.append(XLabel(x=round(LEFT + (index + 0.5) * slot, 1), label=_month_label(month)))
    legend = [Legend(SERIES[key], labels[key]) for key in STACKED]
    return Chart(WIDTH, HEIGHT, _ticks(gridlines, scale), x_labels, legend, rects, [], [])


def processing_trend(by_month) -> Chart:
    """Median and 90th percentile of the processing time, per month of first submission."""
    values = [v for _, f in by_month for v in (f.median_days, f.p90_days) if v is not None]
    top, gridlines = axis(max(values, default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(by_month), 1)
    labels = series_labels()

    def scale(value):
        return HEIGHT - BOTTOM - value / top * plot_height

    lines, dots = [], []
    for key, attribute, dashed in (("median", "median_days", False), ("p90", "p90_days", True)):
        points = []
        for index, (month, figures) in enumerate(by_month):
            value = getattr(figures, attribute)
            if value is None:
                continue
            x, y = round(LEFT + (index + 0.5) * slot, 1), round(scale(value), 1)
            points.append(f"{x},{y}")
            dots.append(
                (x, y, SERIES[key], f"{_month_label(month)} — {labels[key]} : {number_format(value, 1)} j")
            )
        if len(points) > 1:
            lines.append((" ".join(points), SERIES[key], dashed))
    x_labels = [
        XLabel(x=round(LEFT + (index + 0.5) * slot, 1), label=_month_label(month))
        for index, (month, _) in enumerate(by_month)
    ]
    legend = [Legend(SERIES["median"], labels["median"]), Legend(SERIES["p90"], labels["p90"], dashed=True)]
    return Chart(WIDTH, HEIGHT, _ticks(gridlines, scale), x_labels, legend, [], lines, dots)


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: list[Rect]
    y: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    legend: list[Legend]


def category_breakdown(rows) -> BarChart:
    """Horizontal stacked bars, one per (label, figures) row, the label above its bar."""
    bar_height, gap = 28, 26
    top = max((f.filed for _, f in rows), default=0) or 1
    usable = WIDTH - 80
    labels = series_labels()
    bars = []
    for index, (label, figures) in enumerate(rows):
        y = index * (bar_height + gap) + 20
        x, segments = 0, []
        for key in STACKED:
            value = getattr(figures, key)
            if value:
                width = value / top * usable
                segments.append(
                    Rect(round(x, 1), y, round(width, 1), bar_height, SERIES[key], f"{labels[key]} : {value}")
                )
                x += width
        bars.append(Bar(label=label, total=figures.filed, segments=segments, y=y))
    height = len(rows) * (bar_height + gap) + 20
    legend = [Legend(SERIES[key], labels[key]) for key in STACKED]
    return BarChart(WIDTH, max(height, 60), bars, legend)
