"""Suggested tags: accepting and dismissing them (on the project page and in the screening
queue), and the screening queue itself."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from tracker.deps import CurrentPrincipal, EditorPrincipal, FormDep, HXRequest, SessionDep
from tracker.formats import Text, listed
from tracker.locales import N_
from tracker.services.accounts.permissions import Principal, require_can_edit
from tracker.services.errors import Conflict, InputError
from tracker.services.projects.detail import get_project, project_detail
from tracker.services.projects.tagging import mark_screened
from tracker.services.suggestions.decisions import accept_suggestion, dismiss_suggestion
from tracker.services.suggestions.params import ScreeningParams, SuggestionForm
from tracker.services.suggestions.screening import screening_queue
from tracker.services.suggestions.suggest import suggestions_for_project
from tracker.web import htmx, urls
from tracker.web._forms import see_other
from tracker.web._params import read_form, read_query
from tracker.web.project_forms import PAGE_LIMITS, _apply, _version

router = APIRouter()


# The screening queue -------------------------------------------------------------------------


def not_saved(exc: InputError | Conflict) -> Text:
    """Why a change was not saved, as the page says it."""
    if isinstance(exc, Conflict):
        return Text(N_("Not saved: %(problem)s"), problem=exc.args[0] if exc.args else str(exc))
    return Text(N_("Not saved: %(problem)s"), problem=listed(exc.errors.values(), clauses=True))


def _added(kind: str, code: str, *, principal: bool) -> Text:
    if kind == "theme":
        if principal:
            return Text(N_("Added theme %(code)s as principal."), code=code)
        return Text(N_("Added theme %(code)s as significant."), code=code)
    if principal:
        return Text(N_("Added objective %(code)s as principal."), code=code)
    return Text(N_("Added objective %(code)s as significant."), code=code)


def _card_context(session: Session, principal: Principal, queue, **extra) -> dict:
    context = {"queue": queue, "detail": None, "suggestions": None, **extra}
    if queue.project is not None:
        context["detail"] = project_detail(session=session, code=queue.project.code)
        context["suggestions"] = suggestions_for_project(
            session=session, project=queue.project, limits=PAGE_LIMITS
        )
    return context


def _screening(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    at: str | None = None,
    after: str | None = None,
    status: int = 200,
    **extra,
) -> Response:
    queue = screening_queue(session=session, principal=principal, at=at, after=after)
    return htmx.render(
        request,
        page="screening/index.html",
        fragment="screening/_card_response.html",
        context=_card_context(session, principal, queue, **extra),
        status=status,
    )


@router.get("/screening", response_class=HTMLResponse, name="screening")
def screening(request: Request, session: SessionDep, principal: EditorPrincipal) -> Response:
    params = read_query(request, ScreeningParams)
    return _screening(request, session, principal, at=params.at, after=params.after)


@router.post("/screening/{code}/screened", response_class=HTMLResponse, name="screening_done")
def screened(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    """Mark the project screened and go on to the next one waiting."""
    project = get_project(session=session, code=code)
    require_can_edit(principal, project)
    data = read_form(form, SuggestionForm)
    try:
        mark_screened(
            session=session,
            project=project,
            expected_version=_version(data.version),
            principal=principal,
        )
    except (InputError, Conflict) as exc:
        session.rollback()
        return _screening(request, session, principal, at=code, status=409, problem=not_saved(exc))
    session.commit()
    if not hx:
        return see_other(str(urls.url_for(request, "screening")) + f"?after={code}")
    saved = Text(N_("Marked %(code)s as screened."), code=code)
    return _screening(request, session, principal, after=code, saved=saved, marked=True)


# Accepting and dismissing --------------------------------------------------------------------


def _decide(request, session, principal, code, hx, form, *, accept: bool) -> Response:
    project = get_project(session=session, code=code)
    require_can_edit(principal, project)
    data = read_form(form, SuggestionForm)
    if accept:
        saved = _added(data.kind, data.code, principal=data.significance == "principal")

        def change():
            accept_suggestion(
                session=session,
                project=project,
                kind=data.kind,
                code=data.code,
                significance=data.significance,
                expected_version=_version(data.version),
                principal=principal,
            )
    else:
        if data.kind == "theme":
            message = N_("Dismissed theme %(code)s: it is not suggested for %(project)s again.")
        else:
            message = N_("Dismissed objective %(code)s: it is not suggested for %(project)s again.")
        saved = Text(message, code=data.code, project=code)

        def change():
            dismiss_suggestion(
                session=session,
                project=project,
                kind=data.kind,
                code=data.code,
                principal=principal,
            )

    if data.back == "screening":
        try:
            change()
        except (InputError, Conflict) as exc:
            session.rollback()
            status = 409 if isinstance(exc, Conflict) else 400
            return _screening(
                request, session, principal, at=code, status=status, problem=not_saved(exc)
            )
        session.commit()
        if not hx:
            return see_other(str(urls.url_for(request, "screening")) + f"?at={code}")
        return _screening(request, session, principal, at=code, saved=saved)
    return _apply(
        request,
        session,
        principal,
        code,
        hx,
        change,
        saved=saved,
        form_key=f"suggestion:{data.kind}:{data.code}",
    )


@router.post(
    "/projects/{code}/suggestions/accept", response_class=HTMLResponse, name="accept_suggestion"
)
def accept(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    return _decide(request, session, principal, code, hx, form, accept=True)


@router.post(
    "/projects/{code}/suggestions/dismiss", response_class=HTMLResponse, name="dismiss_suggestion"
)
def dismiss(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    return _decide(request, session, principal, code, hx, form, accept=False)
