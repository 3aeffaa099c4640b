"""The dashboard: the figures leadership sees first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.dashboard import build_dashboard
from tracker.web._params import url_with
from tracker.web.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    dashboard = build_dashboard(session=session)
    return templates.TemplateResponse(
        request,
        "dashboard/index.html",
        {
            "dashboard": dashboard,
            "projects_url": lambda pairs: url_with(str(request.url_for("projects")), pairs),
            "gap_url": lambda gap: url_with(str(request.url_for("gap")), gap.about),
        },
    )
