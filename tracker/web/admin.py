"""Administration: people and their roles, and the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import AdminPrincipal, FormDep, SessionDep, SettingsDep
from tracker.formats import Text
from tracker.locales import N_
from tracker.places import Place
from tracker.services.accounts import users
from tracker.services.accounts.params import UserInvite, UserUpdate
from tracker.services.audit import describe as audit_log
from tracker.services.audit.params import AuditFilters
from tracker.services.coverage import targets as target_service
from tracker.services.coverage.params import TargetCreate
from tracker.services.errors import InputError
from tracker.services.reference.lists import framework_options, programmes_and_regions
from tracker.web import urls
from tracker.web._forms import public_link, see_other
from tracker.web._params import read_form, read_query
from tracker.web.templating import page_names, templates

router = APIRouter(prefix="/admin")


@router.get("", response_class=HTMLResponse, name="admin")
def admin_index(request: Request, principal: AdminPrincipal) -> HTMLResponse:
    return templates.TemplateResponse(request, "admin/index.html", {})


def _programme_options(session) -> list[tuple[str, str]]:
    return [(p.code, f"{p.name} ({p.code})") for p in users.all_programmes(session=session)]


def _users_page(request, session, status=200, **context) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "admin/users.html",
        {
            "rows": users.list_users(session=session),
            "programme_options": _programme_options(session),
            "form": context.pop("form", {"role": "viewer", "programmes": []}),
            **context,
        },
        status_code=status,
    )


@router.get("/users", response_class=HTMLResponse, name="admin_users")
def list_users(request: Request, session: SessionDep, principal: AdminPrincipal) -> HTMLResponse:
    return _users_page(request, session)


@router.post("/users", response_class=HTMLResponse, name="invite_user")
def invite_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    form: FormDep,
) -> HTMLResponse:
    shown = {
        "email": str(form.get("email", "")),
        "full_name": str(form.get("full_name", "")),
        "role": str(form.get("role", "viewer")),
        "programmes": [str(v) for v in form.getlist("programmes")],
    }
    try:
        invite = read_form(form, UserInvite)
        user, token = users.invite_user(
            session=session,
            email=invite.email,
            full_name=invite.full_name,
            role=str(invite.role),
            programmes=invite.programmes,
            actor=principal.user,
            valid_days=settings.invite_valid_days,
        )
    except InputError as exc:
        session.rollback()
        return _users_page(request, session, 400, errors=exc.errors, form=shown)
    session.commit()
    link = public_link(request, "invite_form", token=token)
    return _users_page(request, session, 201, invited=user, invite_link=link)


def _user_page(request, session, user_id, status=200, **context) -> HTMLResponse:
    user = users.get_user(session=session, user_id=user_id)
    form = context.pop("form", None) or {
        "full_name": user.full_name,
        "role": user.role,
        "programmes": users.programme_codes(session=session, user_id=user.id),
        "active": user.active,
    }
    return templates.TemplateResponse(
        request,
        "admin/user.html",
        {
            "user": user,
            "form": form,
            "programme_options": _programme_options(session),
            "sessions": next(
                (
                    r.active_sessions
                    for r in users.list_users(session=session)
                    if r.user.id == user.id
                ),
                0,
            ),
            **context,
        },
        status_code=status,
    )


@router.get("/users/{user_id}", response_class=HTMLResponse, name="admin_user")
def show_user(
    request: Request, user_id: int, session: SessionDep, principal: AdminPrincipal
) -> HTMLResponse:
    return _user_page(request, session, user_id, notice=request.query_params.get("notice"))


@router.post("/users/{user_id}", response_class=HTMLResponse, name="update_user")
def update_user(
    request: Request,
    user_id: int,
    session: SessionDep,
    principal: AdminPrincipal,
    form: FormDep,
) -> Response:
    shown = {
        "full_name": str(form.get("full_name", "")),
        "role": str(form.get("role", "")),
        "programmes": [str(v) for v in form.getlist("programmes")],
        "active": bool(form.get("active")),
    }
    try:
        change = read_form(form, UserUpdate)
        users.update_user(
            session=session,
            user_id=user_id,
            full_name=change.full_name,
            role=str(change.role),
            programmes=change.programmes,
            active=change.active,
            actor=principal.user,
        )
    except InputError as exc:
        session.rollback()
        return _user_page(request, session, user_id, 400, errors=exc.errors, form=shown)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_user", user_id=user_id)) + "?notice=saved")


@router.post("/users/{user_id}/sessions/end", name="end_user_sessions")
def end_sessions(
    request: Request, user_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    users.end_all_sessions(session=session, user_id=user_id, actor=principal.user)
    session.commit()
    return see_other(
        str(urls.url_for(request, "admin_user", user_id=user_id)) + "?notice=signed-out"
    )


@router.post("/users/{user_id}/invite", response_class=HTMLResponse, name="reinvite_user")
def reinvite(
    request: Request,
    user_id: int,
    session: SessionDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
) -> HTMLResponse:
    user = users.get_user(session=session, user_id=user_id)
    token = users.issue_invite(session=session, user=user, valid_days=settings.invite_valid_days)
    session.commit()
    link = public_link(request, "invite_form", token=token)
    return _user_page(request, session, user_id, 201, invite_link=link)


AUDIT_FILTERS = ("entity", "actor", "from", "to")  # the fields of the audit page's form


@router.get("/audit", response_class=HTMLResponse, name="admin_audit")
def audit_trail(request: Request, session: SessionDep, principal: AdminPrincipal) -> HTMLResponse:
    errors: dict[str, str] = {}
    result = None
    try:
        filters = read_query(request, AuditFilters)
    except InputError as exc:
        if set(exc.errors) - set(AUDIT_FILTERS):
            raise  # the page (or a name it does not read): no field to show it beside
        errors = exc.errors
    else:
        result = audit_log.list_events(
            session=session,
            entity_type=str(filters.entity) if filters.entity else None,
            actor_id=filters.actor,
            date_from=filters.date_from,
            date_to=filters.date_to,
            page=filters.page,
        )
    shown = {name: request.query_params.get(name, "") for name in AUDIT_FILTERS}
    return templates.TemplateResponse(
        request,
        "admin/audit.html",
        {
            "result": result,
            "describe": audit_log.describe,
            "changes": audit_log.changes,
            "entity_types": {k: Text(v) for k, v in audit_log.ENTITY_TYPES.items()},
            "actor_options": [(str(u.id), u.full_name) for u in audit_log.actors(session=session)],
            "filters": shown,
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


def _target_scopes(request, session) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a target may be for, grouped: the goals, then each goal's objectives."""
    framework = framework_options(session=session, names=page_names(request, session))
    return [(Text(N_("Goals")), framework.goals)] + [
        (Text(N_("Objectives of %(goal)s"), goal=goal), objectives)
        for goal, objectives in framework.objectives
    ]


def _targets_page(request, session, status=200, **context) -> HTMLResponse:
    _, regions = programmes_and_regions(session=session)
    return templates.TemplateResponse(
        request,
        "admin/targets.html",
        {
            "targets": target_service.list_targets(session=session),
            "scope_options": _target_scopes(request, session),
            "region_options": [("", Text(N_("Everywhere")))]
            + [(r.code, Place("region", r.code, r.name)) for r in regions],
            "form": context.pop("form", {}),
            **context,
        },
        status_code=status,
    )


@router.get("/targets", response_class=HTMLResponse, name="admin_targets")
def targets(request: Request, session: SessionDep, principal: AdminPrincipal) -> HTMLResponse:
    """The targets, and a form to set one, filled in when a gap's page asks for one."""
    chosen = {k: request.query_params.get(k, "")[:20] for k in ("code", "region")}
    return _targets_page(request, session, notice=request.query_params.get("notice"), form=chosen)


@router.post("/targets", response_class=HTMLResponse, name="set_target")
def set_target(
    request: Request, session: SessionDep, principal: AdminPrincipal, form: FormDep
) -> Response:
    fields = ("code", "region", "min_active_projects", "min_budget_eur")
    shown = {name: str(form.get(name, "")) for name in fields}
    try:
        target = read_form(form, TargetCreate)
        target_service.save_target(session=session, target=target, actor=principal.user)
    except InputError as exc:
        session.rollback()
        return _targets_page(request, session, 400, errors=exc.errors, form=shown)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_targets")) + "?notice=saved")


@router.post("/targets/{target_id}/delete", name="delete_target")
def delete_target(
    request: Request, target_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    target_service.delete_target(session=session, target_id=target_id, actor=principal.user)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_targets")) + "?notice=removed")
