"""The landing page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.overview import active_framework, goal_project_counts
from tracker.web.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "home/index.html",
        {
            "framework": active_framework(session=session),
            "goals": goal_project_counts(session=session),
        },
    )
