"""The dashboard: the figures leadership sees first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker import charts, formats
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.dashboard import build_dashboard
from tracker.web import urls
from tracker.web._params import url_with
from tracker.web.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    dashboard = build_dashboard(session=session)
    goals = dashboard.goals
    currency = request.app.state.settings.reporting_currency
    locale = formats.locale_for(request)
    return templates.TemplateResponse(
        request,
        "dashboard/index.html",
        {
            "dashboard": dashboard,
            "projects_bars": charts.bar_chart(
                [
                    (r.code, c.projects, formats.format_number(c.projects, locale=locale))
                    for r, c in goals
                ],
                label_width=60,
            ),
            "budget_bars": charts.bar_chart(
                [
                    (r.code, c.budget, formats.format_money(c.budget, currency, locale=locale))
                    for r, c in goals
                ],
                label_width=60,
            ),
            "sparklines": {
                code: charts.sparkline(values) for code, values in dashboard.sparklines.items()
            },
            "gap_chart": charts.line_chart(
                [formats.format_day_month(d, locale=locale) for d, _ in dashboard.gap_counts],
                [(formats.gettext("Gaps", locale=locale), [n for _, n in dashboard.gap_counts])],
                width=520,
                height=200,
                every=max(1, len(dashboard.gap_counts) // 6),
            ),
            "projects_url": lambda pairs: url_with(str(urls.url_for(request, "projects")), pairs),
            "gap_url": lambda gap: url_with(str(urls.url_for(request, "gap")), gap.about),
        },
    )
