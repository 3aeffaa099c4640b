"""The framework page: goals, objectives and themes, with what serves each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from tracker.deps import AdminPrincipal, CurrentPrincipal, FormDep, SessionDep
from tracker.formats import Text
from tracker.inputs import MAX_ID
from tracker.locales import N_, Nn_
from tracker.services.errors import InputError
from tracker.services.exchange.uploads import UploadRefused, clean_filename
from tracker.services.framework import sdg_links
from tracker.services.framework.params import SDGLinkCreate
from tracker.services.framework.translation_file import MAX_FILE_BYTES, TranslationFileError
from tracker.services.framework.translation_loader import load_translation
from tracker.services.framework.view import framework_overview
from tracker.web import urls
from tracker.web._forms import see_other
from tracker.web._params import read_form, url_with
from tracker.web.templating import templates

router = APIRouter()

LinkId = Annotated[int, Path(ge=1, le=MAX_ID)]
NOTICES = {
    "linked": Text(N_("The link is added.")),
    "confirmed": Text(N_("The link is confirmed.")),
    "unlinked": Text(N_("The link is removed.")),
}
TRANSLATED = Text(N_("The translation is loaded."))
SHOWN_PROBLEMS = 20  # of a refused translation file, listed on the page


def _page(request, session, principal, status=200, **context) -> HTMLResponse:
    notice = request.query_params.get("notice", "")
    context.setdefault("translation_notice", TRANSLATED if notice == "translated" else None)
    return templates.TemplateResponse(
        request,
        "framework/index.html",
        {
            "overview": framework_overview(session=session),
            "projects_url": lambda pairs: url_with(str(urls.url_for(request, "projects")), pairs),
            "heatmap_url": lambda pairs: url_with(str(urls.url_for(request, "heatmap")), pairs),
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
    return see_other(f"{urls.url_for(request, 'framework')}?notice={notice}#sdg-links")


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


@router.post("/framework/translations", response_class=HTMLResponse, name="load_translation")
def upload_translation(
    request: Request, session: SessionDep, principal: AdminPrincipal, form: FormDep
) -> Response:
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise UploadRefused({"file": Text(N_("choose a translation file (.yaml)"))})
        filename = clean_filename(upload.filename)
        content = upload.file.read(MAX_FILE_BYTES + 1)
        load_translation(session=session, content=content, filename=filename, actor=principal.user)
    except UploadRefused as exc:
        return _page(request, session, principal, 400, translation_errors=exc.errors)
    except TranslationFileError as exc:
        session.rollback()
        problems = [p.render(exc.file) for p in exc.problems]
        more = len(problems) - SHOWN_PROBLEMS
        message = Text.counted(
            *Nn_(
                "%(file)s was not loaded; %(num)s problem, listed below",
                "%(file)s was not loaded; %(num)s problems, listed below",
            ),
            len(problems),
            file=exc.file,
        )
        return _page(
            request,
            session,
            principal,
            400,
            translation_errors={"file": message},
            translation_problems=problems[:SHOWN_PROBLEMS]
            + ([Text(N_("and %(count)s more"), count=more)] if more > 0 else []),
        )
    session.commit()
    return see_other(f"{urls.url_for(request, 'framework')}?notice=translated#languages")


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
