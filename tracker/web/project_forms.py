"""Registering and editing projects, and the tag editor on the project page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from tracker import formats
from tracker.deps import CurrentPrincipal, EditorPrincipal, FormDep, HXRequest, SessionDep
from tracker.formats import Text
from tracker.inputs import canonical_id
from tracker.locales import N_
from tracker.services.accounts.permissions import Principal, require_can_edit
from tracker.services.coverage.params import STATUS_NAMES
from tracker.services.errors import Conflict, InputError
from tracker.services.projects.detail import get_project, project_coverage, project_detail
from tracker.services.projects.edit import (
    PROJECT_FIELDS,
    LocationInput,
    ProjectInput,
    create_project,
    delete_project,
    form_input,
    update_project,
)
from tracker.services.projects.params import KIND_NAMES, TagForm
from tracker.services.projects.tagging import TagChange, mark_screened, remove_tag, set_tag
from tracker.services.reference import lists as reference_lists
from tracker.services.suggestions.suggest import suggestions_for_project
from tracker.web import htmx, urls
from tracker.web._forms import see_other
from tracker.web._params import read_form
from tracker.web.errors import error_page
from tracker.web.templating import page_names, templates

router = APIRouter()
EMPTY_PLACE_ROWS = 3
PAGE_LIMITS = {"objective": 3, "theme": 2}  # suggestions a page shows, best first


def _choices(session: Session, principal: Principal, locale: str) -> dict:
    programmes, _ = reference_lists.programmes_and_regions(session=session)
    managers = reference_lists.project_managers(session=session)
    return {
        "programmes": [("", Text(N_("Choose…")))]
        + [(p.code, p.name) for p in programmes if principal.can_edit_programme(p.id)],
        "currencies": [("", "–")]
        + [(c, c) for c in reference_lists.currency_codes(session=session)],
        "places": reference_lists.project_places(session=session, locale=locale),
        "managers": [("", Text(N_("Nobody in particular")))]
        + [(u.email, f"{u.full_name} ({u.email})") for u in managers],
        "kinds": [(k, Text(v)) for k, v in KIND_NAMES.items()],
        "statuses": [(s, Text(name)) for s, name in STATUS_NAMES.items()],
    }


def _form_data(form) -> tuple[ProjectInput, int | None]:
    values = {name: str(form.get(name, "")) for name in PROJECT_FIELDS}
    places, percentages = form.getlist("place"), form.getlist("percentage")
    locations = [
        LocationInput(str(place), str(pct) if str(pct).strip() else None)
        for place, pct in zip(places, percentages, strict=False)
    ]
    return ProjectInput(**values, locations=locations), _version(str(form.get("version", "")))


def _form_page(
    request, session, principal, data: ProjectInput, *, project=None, status=200, **context
):
    rows = list(data.locations) + [LocationInput("")] * EMPTY_PLACE_ROWS
    return templates.TemplateResponse(
        request,
        "projects/form.html",
        {
            "data": data,
            "project": project,
            "locations": rows,
            "choices": _choices(session, principal, formats.locale_for(request)),
            **context,
        },
        status_code=status,
    )


@router.get("/projects/new", response_class=HTMLResponse, name="new_project")
def new_project(request: Request, session: SessionDep, principal: EditorPrincipal) -> HTMLResponse:
    return _form_page(request, session, principal, ProjectInput())


@router.post("/projects/new", response_class=HTMLResponse, name="create_project")
def create(
    request: Request, session: SessionDep, principal: EditorPrincipal, form: FormDep
) -> Response:
    data, _ = _form_data(form)
    try:
        project = create_project(session=session, data=data, principal=principal)
    except InputError as exc:
        session.rollback()
        return _form_page(request, session, principal, data, status=400, errors=exc.errors)
    session.commit()
    return see_other(str(urls.url_for(request, "project", code=project.code)) + "?notice=created")


@router.get("/projects/{code}/edit", response_class=HTMLResponse, name="edit_project")
def edit_project(
    request: Request, code: str, session: SessionDep, principal: CurrentPrincipal
) -> HTMLResponse:
    project = get_project(session=session, code=code)
    require_can_edit(principal, project)
    return _form_page(request, session, principal, form_input(project, session), project=project)


@router.post("/projects/{code}/edit", response_class=HTMLResponse, name="update_project")
def update(
    request: Request, code: str, session: SessionDep, principal: CurrentPrincipal, form: FormDep
) -> Response:
    project = get_project(session=session, code=code)
    require_can_edit(principal, project)
    data, version = _form_data(form)
    try:
        update_project(
            session=session,
            project=project,
            data=data,
            expected_version=version,
            principal=principal,
        )
    except InputError as exc:
        session.rollback()
        return _form_page(
            request, session, principal, data, project=project, status=400, errors=exc.errors
        )
    except Conflict as exc:
        project = get_project(session=session, code=code)
        return _form_page(
            request, session, principal, data, project=project, status=409, conflict=exc.args[0]
        )
    session.commit()
    return see_other(str(urls.url_for(request, "project", code=project.code)) + "?notice=saved")


@router.post("/projects/{code}/delete", name="delete_project")
def delete(
    request: Request, code: str, session: SessionDep, principal: CurrentPrincipal, form: FormDep
) -> Response:
    project = get_project(session=session, code=code)
    try:
        delete_project(
            session=session,
            project=project,
            expected_version=_version(str(form.get("version", ""))),
            principal=principal,
        )
    except Conflict as exc:
        # Rendered here, while the session can still reload what the rollback expired.
        session.rollback()
        return error_page(request, 409, Text(N_("Someone else changed this first")), exc.args[0])
    session.commit()
    return see_other(str(urls.url_for(request, "projects")) + f"?q={code}")


def _tag_response(
    request, session, principal, code: str, hx: bool, *, status=200, **context
) -> Response:
    """The tag editor again (HTMX), with the figures that depend on the tags; or the page."""
    if not hx and status == 200:
        return see_other(str(urls.url_for(request, "project", code=code)) + "?notice=saved#tags")
    detail = project_detail(session=session, code=code)
    template = "projects/_tags_response.html" if hx else "projects/detail.html"
    response = templates.TemplateResponse(
        request,
        template,
        {
            "detail": detail,
            "coverage": project_coverage(session=session, project=detail.project),
            "can_edit": principal.can_edit_project(detail.project),
            "tag_choices": tag_choices(request, session),
            "suggestions": project_suggestions(session, principal, detail.project),
            **context,
        },
        status_code=status,
    )
    return htmx.varies(response)


def project_suggestions(session: Session, principal: Principal, project):
    """What the project page offers above the tag editor: suggestions, for its editors."""
    if not principal.can_edit_project(project):
        return None
    return suggestions_for_project(session=session, project=project, limits=PAGE_LIMITS)


def tag_choices(request, session: Session) -> dict:
    """Objectives grouped by goal, and themes, for the tag editor's selectors, named in the
    page's language."""
    framework = reference_lists.framework_options(
        session=session, names=page_names(request, session)
    )
    return {"objectives": framework.objectives, "themes": framework.themes}


def _version(value: str) -> int | None:
    """The version the form was filled in against; one that no project can have is stale."""
    value = value.strip()
    if not value:
        return None
    number = canonical_id(value)
    return number if number is not None else -1


def _tag_form(request, session, principal, code, hx, form) -> TagForm | Response:
    """The tag editor's form as TagForm, or the editor again naming the field it refuses."""
    try:
        return read_form(form, TagForm)
    except InputError as exc:
        return _tag_response(request, session, principal, code, hx, status=400, errors=exc.errors)


def _apply(request, session, principal, code, hx, change, *, saved, form_key="", attempted=None):
    """Make one change to the tags or screening, then answer with the editor again."""
    try:
        change()
    except InputError as exc:
        session.rollback()
        errors = {"form": form_key, **exc.errors}
        return _tag_response(
            request, session, principal, code, hx, status=400, errors=errors, attempted=attempted
        )
    except Conflict as exc:
        conflict = exc.args[0] if exc.args and isinstance(exc.args[0], Text) else str(exc)
        return _tag_response(request, session, principal, code, hx, status=409, conflict=conflict)
    session.commit()
    return _tag_response(request, session, principal, code, hx, saved=saved)


@router.post("/projects/{code}/tags", response_class=HTMLResponse, name="set_tag")
def tag(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    project = get_project(session=session, code=code)
    data = _tag_form(request, session, principal, code, hx, form)
    if isinstance(data, Response):
        return data
    change = TagChange(
        kind=data.kind,
        code=data.code,
        significance=data.significance,
        budget_share=(data.budget_share or "").strip() or None,
        rationale=data.rationale,
    )
    return _apply(
        request,
        session,
        principal,
        code,
        hx,
        lambda: set_tag(
            session=session,
            project=project,
            change=change,
            expected_version=_version(data.version),
            principal=principal,
        ),
        saved=Text(
            N_("Saved objective %(code)s.")
            if change.kind == "objective"
            else N_("Saved theme %(code)s."),
            code=change.code,
        ),
        form_key=f"{change.kind}:{change.code}",
        attempted=change,
    )


@router.post("/projects/{code}/tags/remove", response_class=HTMLResponse, name="remove_tag")
def untag(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    project = get_project(session=session, code=code)
    data = _tag_form(request, session, principal, code, hx, form)
    if isinstance(data, Response):
        return data
    return _apply(
        request,
        session,
        principal,
        code,
        hx,
        lambda: remove_tag(
            session=session,
            project=project,
            kind=data.kind,
            code=data.code,
            expected_version=_version(data.version),
            principal=principal,
        ),
        saved=Text(
            N_("Removed objective %(code)s.")
            if data.kind == "objective"
            else N_("Removed theme %(code)s."),
            code=data.code,
        ),
    )


@router.post("/projects/{code}/screen", response_class=HTMLResponse, name="screen_project")
def screen(
    request: Request,
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    hx: HXRequest,
    form: FormDep,
) -> Response:
    project = get_project(session=session, code=code)
    data = _tag_form(request, session, principal, code, hx, form)
    if isinstance(data, Response):
        return data
    return _apply(
        request,
        session,
        principal,
        code,
        hx,
        lambda: mark_screened(
            session=session,
            project=project,
            expected_version=_version(data.version),
            principal=principal,
        ),
        saved=Text(N_("Marked as screened.")),
    )
