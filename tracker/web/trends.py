"""Trends: coverage by goal (or a goal's objectives) along weeks, months or quarters, with the
gaps that opened and closed in each period, drawn as SVG charts with their figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker import charts, formats
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.errors import InputError
from tracker.services.framework.view import framework_overview
from tracker.services.history.trends import PERIODS, TrendParams, build_trend
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx
from tracker.web._params import query_params, read_query, url_with

router = APIRouter()

METRICS = (
    ("projects", "Active projects"),
    ("principal", "Principal projects"),
    ("budget", "Attributed budget"),
)


def _label(day, period: str) -> str:
    if period == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if period == "month":
        return formats.format_month(day)
    return formats.format_day_month(day)


def trend_charts(trend, *, currency: str) -> list[dict]:
    """One line chart per metric, a line per goal or objective, and the gap count."""
    labels = [_label(d, trend.period) for d in trend.days]
    # The charts stand three abreast: about four names fit under each without touching.
    every = max(1, -(-(len(labels) - 1) // 4))
    out = []
    for metric, title in METRICS:
        series = [
            (f"{s.row.code} {s.row.label}", [getattr(p, metric) for p in s.points])
            for s in trend.series
        ]
        chart = charts.line_chart(labels, series, every=every)
        heads = ["Day", *[s.row.code for s in trend.series]]
        rows = [
            [formats.format_date(day)]
            + [
                formats.format_money(s.points[i].budget, currency)
                if metric == "budget"
                else formats.format_number(getattr(s.points[i], metric))
                for s in trend.series
            ]
            for i, day in enumerate(trend.days)
        ]
        out.append({"metric": metric, "title": title, "chart": chart, "heads": heads, "rows": rows})
    gaps = charts.line_chart(labels, [("Gaps", [g.count for g in trend.gaps])], every=every)
    out.append(
        {
            "metric": "gaps",
            "title": "Gaps",
            "chart": gaps,
            "heads": ["Day", "Gaps", "Opened", "Closed"],
            "rows": [
                [formats.format_date(g.day), g.count, len(g.opened), len(g.closed)]
                for g in trend.gaps
            ],
        }
    )
    return out


@router.get("/trends", response_class=HTMLResponse, name="trends")
def trends(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    programmes, regions = programmes_and_regions(session=session)
    goals = [
        (g.code, f"{g.code} {g.short_name}") for g in framework_overview(session=session).goals
    ]
    context = {
        "params": params,
        "errors": {},
        "trend": None,
        "options": {
            "goals": [("", "All goals"), *goals],
            "periods": list(PERIODS.items()),
            "programmes": [(p.code, p.name) for p in programmes],
            "regions": [("", "All regions")] + [(r.code, r.name) for r in regions],
        },
    }
    status = 200
    try:
        trend = build_trend(session=session, params=read_query(request, TrendParams))
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        context.update(
            trend=trend,
            charts=trend_charts(trend, currency=request.app.state.settings.reporting_currency),
            heatmap_url=lambda day: url_with(
                str(request.url_for("heatmap")), trend.query.url_params(as_of=day.isoformat())
            ),
        )
    return htmx.render(
        request,
        page="trends/index.html",
        fragment="trends/_view.html",
        context=context,
        status=status,
    )
