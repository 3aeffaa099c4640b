"""Administration: people and their roles, and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import AdminPrincipal, SessionDep, SettingsDep
from tracker.inputs import canonical_id
from tracker.services.accounts import users
from tracker.services.audit import describe as audit_log
from tracker.services.coverage import targets as target_service
from tracker.services.errors import InputError
from tracker.services.reference.lists import programmes_and_regions
from tracker.web._forms import public_link, see_other
from tracker.web.templating import templates

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
    email: Annotated[str, Form(max_length=1000)] = "",
    full_name: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=40)] = "viewer",
    programmes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> HTMLResponse:
    form = {"email": email, "full_name": full_name, "role": role, "programmes": programmes}
    try:
        user, token = users.invite_user(
            session=session,
            email=email,
            full_name=full_name,
            role=role,
            programmes=programmes,
            actor=principal.user,
            valid_days=settings.invite_valid_days,
        )
    except InputError as exc:
        session.rollback()
        return _users_page(request, session, 400, errors=exc.errors, form=form)
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
    full_name: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    programmes: Annotated[list[str], Form()] = [],  # noqa: B006
    active: Annotated[bool, Form()] = False,
) -> Response:
    form = {"full_name": full_name, "role": role, "programmes": programmes, "active": active}
    try:
        users.update_user(
            session=session,
            user_id=user_id,
            full_name=full_name,
            role=role,
            programmes=programmes,
            active=active,
            actor=principal.user,
        )
    except InputError as exc:
        session.rollback()
        return _user_page(request, session, user_id, 400, errors=exc.errors, form=form)
    session.commit()
    return see_other(str(request.url_for("admin_user", user_id=user_id)) + "?notice=saved")


@router.post("/users/{user_id}/sessions/end", name="end_user_sessions")
def end_sessions(
    request: Request, user_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    users.end_all_sessions(session=session, user_id=user_id, actor=principal.user)
    session.commit()
    return see_other(str(request.url_for("admin_user", user_id=user_id)) + "?notice=signed-out")


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


@router.get("/audit", response_class=HTMLResponse, name="admin_audit")
def audit_trail(
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
    entity: Annotated[str, Query(max_length=40)] = "",
    actor: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=20)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    errors: dict[str, str] = {}
    if entity and entity not in audit_log.ENTITY_TYPES:
        errors["entity"] = f"must be one of {', '.join(audit_log.ENTITY_TYPES)}"
    actor_id = None
    if actor:
        actor_id = canonical_id(actor)
        if actor_id is None:
            errors["actor"] = "must be a person from the list"
    parsed: dict[str, date | None] = {}
    for field, value in (("from", date_from), ("to", date_to)):
        try:
            parsed[field] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[field] = "must be a date such as 2026-03-12"
    if not errors and parsed["from"] and parsed["to"] and parsed["from"] > parsed["to"]:
        errors["to"] = "must not be before the 'from' date"
    result = None
    if not errors:
        result = audit_log.list_events(
            session=session,
            entity_type=entity or None,
            actor_id=actor_id,
            date_from=parsed["from"],
            date_to=parsed["to"],
            page=page,
        )
    return templates.TemplateResponse(
        request,
        "admin/audit.html",
        {
            "result": result,
            "describe": audit_log.describe,
            "changes": audit_log.changes,
            "entity_types": audit_log.ENTITY_TYPES,
            "actor_options": [(str(u.id), u.full_name) for u in audit_log.actors(session=session)],
            "filters": {"entity": entity, "actor": actor, "from": date_from, "to": date_to},
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


def _targets_page(request, session, status=200, **context) -> HTMLResponse:
    _, regions = programmes_and_regions(session=session)
    return templates.TemplateResponse(
        request,
        "admin/targets.html",
        {
            "targets": target_service.list_targets(session=session),
            "region_options": [("", "Everywhere")] + [(r.code, r.name) for r in regions],
            "form": context.pop("form", {}),
            **context,
        },
        status_code=status,
    )


@router.get("/targets", response_class=HTMLResponse, name="admin_targets")
def targets(request: Request, session: SessionDep, principal: AdminPrincipal) -> HTMLResponse:
    return _targets_page(request, session, notice=request.query_params.get("notice"))


@router.post("/targets", response_class=HTMLResponse, name="set_target")
def set_target(
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
    code: Annotated[str, Form(max_length=40)] = "",
    region: Annotated[str, Form(max_length=20)] = "",
    min_active_projects: Annotated[str, Form(max_length=40)] = "",
    min_budget_eur: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    form = {
        "code": code,
        "region": region,
        "min_active_projects": min_active_projects,
        "min_budget_eur": min_budget_eur,
    }
    try:
        target_service.set_target(
            session=session,
            code=code,
            region_code=region or None,
            min_active_projects=min_active_projects,
            min_budget_eur=min_budget_eur,
            actor=principal.user,
        )
    except InputError as exc:
        session.rollback()
        return _targets_page(request, session, 400, errors=exc.errors, form=form)
    session.commit()
    return see_other(str(request.url_for("admin_targets")) + "?notice=saved")


@router.post("/targets/{target_id}/delete", name="delete_target")
def delete_target(
    request: Request, target_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    target_service.delete_target(session=session, target_id=target_id, actor=principal.user)
    session.commit()
    return see_other(str(request.url_for("admin_targets")) + "?notice=removed")
