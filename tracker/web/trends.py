"""Trends: coverage by goal (or a goal's objectives) along weeks, months or quarters, with the
gaps that opened and closed in each period, drawn as SVG charts with their figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker import charts, formats
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.locales import N_
from tracker.places import region_name
from tracker.services.errors import InputError
from tracker.services.framework.translations import Names
from tracker.services.framework.view import framework_overview
from tracker.services.history.trends import PERIOD_NOUNS, PERIODS, TrendParams, build_trend
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx, urls
from tracker.web._params import query_params, read_query, url_with
from tracker.web.templating import page_names

router = APIRouter()

METRICS = (
    ("projects", N_("Active projects")),
    ("principal", N_("Principal projects")),
    ("budget", N_("Attributed budget")),
)


def _label(day, period: str, locale: str = formats.DEFAULT_LOCALE) -> str:
    if period == "quarter":
        return formats.gettext(
            "Q%(quarter)s %(year)s", locale=locale, quarter=(day.month - 1) // 3 + 1, year=day.year
        )
    if period == "month":
        return formats.format_month(day, locale=locale)
    return formats.format_day_month(day, locale=locale)


def _name(names: Names | None, row) -> str:
    return names.get(row.level, row.code, row.label) if names else row.label


def trend_charts(
    trend, *, currency: str, locale: str = formats.DEFAULT_LOCALE, names: Names | None = None
) -> list[dict]:
    """One line chart per metric, a line per goal or objective, and the gap count; their
    titles, axes and figures in the locale, and the framework's names from `names` (its
    translation in the locale's language) where given."""

    def said(message: str) -> str:
        return formats.gettext(message, locale=locale)

    labels = [_label(d, trend.period, locale) for d in trend.days]
    # The charts stand three abreast: about four names fit under each without touching.
    every = max(1, -(-(len(labels) - 1) // 4))
    out = []
    for metric, title in METRICS:
        series = [
            (
                f"{s.row.code} {_name(names, s.row)}",
                [getattr(p, metric) for p in s.points],
            )
            for s in trend.series
        ]
        chart = charts.line_chart(labels, series, every=every)
        heads = [said(N_("Day")), *[s.row.code for s in trend.series]]
        rows = [
            [formats.format_date(day, locale=locale)]
            + [
                formats.format_money(s.points[i].budget, currency, locale=locale)
                if metric == "budget"
                else formats.format_number(getattr(s.points[i], metric), locale=locale)
                for s in trend.series
            ]
            for i, day in enumerate(trend.days)
        ]
        out.append(
            {"metric": metric, "title": said(title), "chart": chart, "heads": heads, "rows": rows}
        )
    gaps = charts.line_chart(
        labels, [(said(N_("Gaps")), [g.count for g in trend.gaps])], every=every
    )
    out.append(
        {
            "metric": "gaps",
            "title": said(N_("Gaps")),
            "chart": gaps,
            "heads": [said(N_("Day")), said(N_("Gaps")), said(N_("Opened")), said(N_("Closed"))],
            "rows": [
                [
                    formats.format_date(g.day, locale=locale),
                    formats.format_number(g.count, locale=locale),
                    formats.format_number(len(g.opened), locale=locale),
                    formats.format_number(len(g.closed), locale=locale),
                ]
                for g in trend.gaps
            ],
        }
    )
    return out


@router.get("/trends", response_class=HTMLResponse, name="trends")
def trends(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    locale = formats.locale_for(request)
    programmes, regions = programmes_and_regions(session=session)
    names = page_names(request, session)
    goals = [
        (g.code, f"{g.code} {names.get('goal', g.code, g.short_name)}")
        for g in framework_overview(session=session).goals
    ]
    context = {
        "params": params,
        "errors": {},
        "trend": None,
        "period_nouns": {k: formats.gettext(v, locale=locale) for k, v in PERIOD_NOUNS.items()},
        "options": {
            "goals": [("", formats.gettext("All goals", locale=locale)), *goals],
            "periods": [(k, formats.gettext(v, locale=locale)) for k, v in PERIODS.items()],
            "programmes": [(p.code, p.name) for p in programmes],
            "regions": [("", formats.gettext("All regions", locale=locale))]
            + [(r.code, region_name(r.name, locale=locale)) for r in regions],
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
            charts=trend_charts(
                trend,
                currency=request.app.state.settings.reporting_currency,
                locale=locale,
                names=names,
            ),
            heatmap_url=lambda day: url_with(
                str(urls.url_for(request, "heatmap")), trend.query.url_params(as_of=day.isoformat())
            ),
        )
    return htmx.render(
        request,
        page="trends/index.html",
        fragment="trends/_view.html",
        context=context,
        status=status,
    )
