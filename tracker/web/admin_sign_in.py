"""Administration of signing in with the organisation's provider: how it is set up, and which
provider groups give which role (rules from the settings, and rules set here, each audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import AdminPrincipal, FormDep, SessionDep, SettingsDep
from tracker.formats import Text
from tracker.locales import N_
from tracker.services.accounts import users
from tracker.services.accounts.oidc import roles
from tracker.services.accounts.oidc.params import GroupMappingCreate
from tracker.services.accounts.params import ROLE_NAMES
from tracker.services.errors import InputError
from tracker.web import urls
from tracker.web._forms import see_other
from tracker.web._params import read_form
from tracker.web.templating import templates

router = APIRouter(prefix="/admin/sign-in")

FIELDS = ("group", "role", "programme")


def _page(request, session, settings, status=200, **context) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "admin/sign_in.html",
        {
            "settings": settings,
            "rules": roles.rules(session=session, settings=settings),
            "role_names": ROLE_NAMES,
            "role_options": [(role, Text(name)) for role, name in ROLE_NAMES.items()],
            "programme_options": [("", Text(N_("None (not a manager rule)")))]
            + [(p.code, f"{p.name} ({p.code})") for p in users.all_programmes(session=session)],
            "form": context.pop("form", {"role": "viewer"}),
            **context,
        },
        status_code=status,
    )


@router.get("", response_class=HTMLResponse, name="admin_sign_in")
def sign_in_settings(
    request: Request, session: SessionDep, settings: SettingsDep, principal: AdminPrincipal
) -> HTMLResponse:
    return _page(request, session, settings, notice=request.query_params.get("notice"))


@router.post("/mappings", response_class=HTMLResponse, name="add_group_mapping")
def add_mapping(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: AdminPrincipal,
    form: FormDep,
) -> Response:
    shown = {name: str(form.get(name, "")) for name in FIELDS}
    try:
        rule = read_form(form, GroupMappingCreate)
        roles.add_mapping(
            session=session,
            group=rule.group,
            role=str(rule.role),
            programme=rule.programme,
            actor=principal.user,
        )
    except InputError as exc:
        session.rollback()
        return _page(request, session, settings, 400, errors=exc.errors, form=shown)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_sign_in")) + "?notice=saved")


@router.post("/mappings/{mapping_id}/delete", name="delete_group_mapping")
def delete_mapping(
    request: Request, mapping_id: int, session: SessionDep, principal: AdminPrincipal
) -> Response:
    roles.remove_mapping(session=session, mapping_id=mapping_id, actor=principal.user)
    session.commit()
    return see_other(str(urls.url_for(request, "admin_sign_in")) + "?notice=removed")
