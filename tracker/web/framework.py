"""The framework page: goals, objectives and themes, with what serves each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import AdminPrincipal, CurrentPrincipal, FormDep, SessionDep
from tracker.inputs import MAX_ID
from tracker.services.errors import InputError
from tracker.services.framework import sdg_links
from tracker.services.framework.params import SDGLinkCreate
from tracker.services.framework.view import framework_overview
from tracker.web._forms import see_other
from tracker.web._params import read_form, url_with
from tracker.web.templating import templates

router = APIRouter()

LinkId = Annotated[int, Path(ge=1, le=MAX_ID)]
NOTICES = {
    "linked": "The link is added.",
    "confirmed": "The link is confirmed.",
    "unlinked": "The link is removed.",
}


def _page(request, session, principal, status=200, **context) -> HTMLResponse:
    notice = request.query_params.get("notice", "")
    return templates.TemplateResponse(
        request,
        "framework/index.html",
        {
            "overview": framework_overview(session=session),
            "projects_url": lambda pairs: url_with(str(request.url_for("projects")), pairs),
            "heatmap_url": lambda pairs: url_with(str(request.url_for("heatmap")), pairs),
            "may_edit_links": principal.is_admin,
            "notice": NOTICES.get(notice),
            "form": context.pop("form", {}),
            **context,
        },
        status_code=status,
    )


@router.get("/framework", response_class=HTMLResponse, name="framework")
def framework(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    return _page(request, session, principal)


def _back(request: Request, notice: str) -> Response:
    return see_other(f"{request.url_for('framework')}?notice={notice}#sdg-links")


@router.post("/framework/sdg-links", response_class=HTMLResponse, name="add_sdg_link")
def add_sdg_link(
    request: Request, session: SessionDep, principal: AdminPrincipal, form: FormDep
) -> Response:
    shown = {name: str(form.get(name, ""))[:500] for name in ("owner", "target", "weight", "note")}
    try:
        link = read_form(form, SDGLinkCreate)
        sdg_links.add_link(
            session=session,
            actor=principal.user,
            owner_code=link.owner,
            target=link.target,
            weight=link.weight,
            note=link.note,
        )
    except InputError as exc:
        session.rollback()
        return _page(request, session, principal, 400, errors=exc.errors, form=shown)
    session.commit()
    return _back(request, "linked")


@router.post("/framework/sdg-links/{link_id}/confirm", name="confirm_sdg_link")
def confirm_sdg_link(
    request: Request, link_id: LinkId, session: SessionDep, principal: AdminPrincipal
) -> Response:
    sdg_links.confirm_link(session=session, actor=principal.user, link_id=link_id)
    session.commit()
    return _back(request, "confirmed")


@router.post("/framework/sdg-links/{link_id}/delete", name="remove_sdg_link")
def remove_sdg_link(
    request: Request, link_id: LinkId, session: SessionDep, principal: AdminPrincipal
) -> Response:
    sdg_links.remove_link(session=session, actor=principal.user, link_id=link_id)
    session.commit()
    return _back(request, "unlinked")
