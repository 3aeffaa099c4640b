"""Charts as server-rendered SVG: the geometry of line charts, bar charts and sparklines,
which templates/macros/charts.html draws. Lines differ by dash and marker as well as by shade,
so that a chart reads in black and white and in print; every value is also in a table.

A page that reads right to left (Arabic) mirrors its charts: time runs from right to left and
the axis of values stands at the right (`LineChart.in_direction`, `Sparkline.in_direction`).
The SVG's own coordinates stay left to right, so that text is never mirrored."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 2 1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle-open", "square-open", "cross")
SHADES = ("#1b1f24", "#3b496c", "#6a6c71", "#00224e", "#948e77", "#5b4a00", "#444444")


def _nice(top: float) -> float:
    """A round number at or above `top`, for the axis."""
    if top <= 0:
        return 1
    step = 10 ** (len(str(int(top))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if top <= factor * step:
            return factor * step
    return 10 * step


@dataclass
class Line:
    label: str
    points: list[tuple[float, float, object]]  # x, y, value
    dash: str
    marker: str
    shade: str

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _) in enumerate(self.points)
        )


@dataclass
class LineChart:
    width: int
    height: int
    left: int  # room for the axis of values (at the right when mirrored)
    bottom: int
    lines: list[Line]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, object]]
    top: float = 10
    right: int = 12
    mirrored: bool = False

    @property
    def grid(self) -> tuple[float, float]:
        """Where the grid lines start and end."""
        if self.mirrored:
            return self.right, self.width - self.left
        return self.left, self.width - self.right

    @property
    def tick_x(self) -> float:
        """Where the values' labels stand, anchored at `tick_anchor`."""
        return self.width - self.left + 6 if self.mirrored else self.left - 6

    @property
    def tick_anchor(self) -> str:
        return "start" if self.mirrored else "end"

    def label_anchor(self, first: bool, last: bool) -> str:
        """The anchor of a time label: the first and last kept inside the chart."""
        if first == last:
            return "middle"
        return "start" if first != self.mirrored else "end"

    def in_direction(self, direction: str) -> LineChart:
        """The chart as a page written in `direction` ("ltr", "rtl") reads it."""
        if (direction == "rtl") == self.mirrored:
            return self

        def flip(x: float) -> float:
            return self.width - x

        return replace(
            self,
            lines=[
                replace(line, points=[(flip(x), y, v) for x, y, v in line.points])
                for line in self.lines
            ],
            x_labels=[(flip(x), label) for x, label in self.x_labels],
            mirrored=not self.mirrored,
        )


def line_chart(
    labels: list[str], series: list[tuple[str, list]], *, width=640, height=260, every=1
) -> LineChart:
    """A line for each (label, values) over the x `labels`."""
    left, right, top, bottom = 64, 12, 10, 40
    values = [float(v) for _, vs in series for v in vs] or [0]
    ceiling = _nice(max(values))
    span_x = max(1, len(labels) - 1)

    def x(i: int) -> float:
        return left + (width - left - right) * i / span_x

    def y(v) -> float:
        return top + (height - top - bottom) * (1 - float(v) / ceiling)

    lines = [
        Line(
            label,
            [(x(i), y(v), v) for i, v in enumerate(vs)],
            DASHES[n % len(DASHES)],
            MARKERS[n % len(MARKERS)],
            SHADES[n % len(SHADES)],
        )
        for n, (label, vs) in enumerate(series)
    ]
    x_labels = [(x(i), label) for i, label in enumerate(labels) if i % every == 0 or i == span_x]
    ticks = [(y(ceiling * k / 4), ceiling * k / 4) for k in range(5)]
    return LineChart(width, height, left, bottom, lines, x_labels, ticks, top, right)


@dataclass
class Bar:
    label: str
    value: object
    length: float
    shown: str


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar] = field(default_factory=list)
    bar_height: int = 18
    gap: int = 8


def bar_chart(items: list[tuple[str, object, str]], *, width=520, label_width=170) -> BarChart:
    """A horizontal bar for each (label, value, value as shown)."""
    top = max([float(v) for _, v, _ in items] or [0]) or 1
    room = width - label_width - 90
    bars = [Bar(label, v, room * float(v) / top, shown) for label, v, shown in items]
    chart = BarChart(width, 0, label_width, bars)
    chart.height = len(bars) * (chart.bar_height + chart.gap) + chart.gap
    return chart


@dataclass
class Sparkline:
    width: int
    height: int
    points: list[tuple[float, float]]
    values: list

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(self.points)
        )

    @property
    def last(self) -> tuple[float, float]:
        return self.points[-1] if self.points else (0, 0)

    def in_direction(self, direction: str) -> Sparkline:
        """The sparkline as a page written in `direction` reads it: from the right in "rtl"."""
        if direction != "rtl":
            return self
        return replace(self, points=[(self.width - x, y) for x, y in self.points])


def sparkline(values: list, *, width=120, height=28) -> Sparkline:
    top = max([float(v) for v in values] or [0]) or 1
    span = max(1, len(values) - 1)
    points = [
        (2 + (width - 4) * i / span, height - 3 - (height - 6) * float(v) / top)
        for i, v in enumerate(values)
    ]
    return Sparkline(width, height, points, values)


def as_number(value) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0
