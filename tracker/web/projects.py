"""Project pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.projects import project_detail
from tracker.web.templating import templates

router = APIRouter()


@router.get("/projects/{code}", response_class=HTMLResponse, name="project")
def show_project(
    request: Request, code: str, session: SessionDep, principal: CurrentPrincipal
) -> HTMLResponse:
    detail = project_detail(session=session, code=code)
    return templates.TemplateResponse(
        request,
        "projects/detail.html",
        {"detail": detail, "can_edit": principal.can_edit_project(detail.project)},
    )
