"""The framework page: goals, objectives and themes, with what serves each."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.framework.view import framework_overview
from tracker.web._params import url_with
from tracker.web.templating import templates

router = APIRouter()


@router.get("/framework", response_class=HTMLResponse, name="framework")
def framework(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "framework/index.html",
        {
            "overview": framework_overview(session=session),
            "projects_url": lambda pairs: url_with(str(request.url_for("projects")), pairs),
        },
    )
