"""The charts' geometry, and charts read from the right on pages written right to left."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tracker import charts


def test_a_line_chart_read_from_the_right_runs_time_leftwards_with_values_at_the_right():
    chart = charts.line_chart(["Jan", "Feb", "Mar"], [("GPG1", [1, 4, 2]), ("GPG2", [0, 2, 3])])
    assert chart.in_direction("ltr") is chart
    mirrored = chart.in_direction("rtl")
    assert [x for x, _ in chart.x_labels] == [64, 346, 628]
    assert [x for x, _ in mirrored.x_labels] == [576, 294, 12]
    for line, flipped in zip(chart.lines, mirrored.lines, strict=True):
        assert [(chart.width - x, y, v) for x, y, v in line.points] == flipped.points
    # The axis of values moves to the right, its labels anchored at their start.
    assert (chart.grid, chart.tick_x, chart.tick_anchor) == ((64, 628), 58, "end")
    assert (mirrored.grid, mirrored.tick_x, mirrored.tick_anchor) == ((12, 576), 582, "start")
    # The first and last time labels stay inside the chart.
    assert chart.label_anchor(True, False) == "start" and chart.label_anchor(False, True) == "end"
    assert mirrored.label_anchor(True, False) == "end"
    assert mirrored.label_anchor(False, True) == "start"
    assert mirrored.label_anchor(False, False) == "middle"
    assert mirrored.in_direction("rtl") is mirrored and mirrored.in_direction("ltr") == chart


def test_a_sparkline_read_from_the_right_ends_at_the_left():
    line = charts.sparkline([1, 2, 3])
    assert line.last[0] > line.points[0][0]
    mirrored = line.in_direction("rtl")
    assert mirrored.last[0] < mirrored.points[0][0]
    assert mirrored.path.startswith(f"M{line.width - line.points[0][0]:.1f},")


def test_trends_are_drawn_from_the_right_in_arabic(framework, browser_for):
    viewer = browser_for("viewer")

    def gap_chart(language: str) -> tuple[list[float], list[float]]:
        """Where the chart's days stand, first to last, and where its grid lines begin."""
        page = viewer.get(f"/trends?period=month&lang={language}")
        svg = BeautifulSoup(page.text, "lxml").select_one("figure.chart svg")
        bottom = max(float(t["y"]) for t in svg.select("text.chart__tick"))
        days = [float(t["x"]) for t in svg.select("text.chart__tick") if float(t["y"]) == bottom]
        return days, [float(line["x1"]) for line in svg.select("line.chart__grid")]

    (english, english_grid), (arabic, arabic_grid) = gap_chart("en"), gap_chart("ar")
    assert len(english) > 1 and english == sorted(english)
    assert arabic == sorted(arabic, reverse=True)
    assert set(english_grid) == {64} and set(arabic_grid) == {12}
