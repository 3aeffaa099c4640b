"""Every route against every kind of caller.

The table below is the contract: a route that the application serves but the table does not
list fails the test, so no route can appear without a decision about who may use it.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlmodel import select
from starlette.routing import Mount

from tests import factories
from tests.conftest import GPG_FILE, csrf_of
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import GroupMapping, Project, SDGLink
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token
from tracker.services.coverage import targets
from tracker.services.digests.subscriptions import unsubscribe_token

SPANISH = GPG_FILE.with_name("gpg-2023.es.yaml")
CALLERS = ["anonymous", "viewer", "manager_other", "manager_this", "admin", "api_token"]

# Statuses in the order of CALLERS. 303 = sent to sign in (or on, after signing out).
EVERYONE_OK = (200,) * 6
SIGNED_IN_PAGE = (303, 200, 200, 200, 200, 303)
ADMIN_PAGE = (303, 403, 403, 403, 200, 303)
# A form post: the API token caller has no cookies and so no CSRF token: 403.
ADMIN_POST_REDIRECT = (303, 403, 403, 403, 303, 403)
ADMIN_POST_CREATED = (303, 403, 403, 403, 201, 403)
API_READ = (401, 200, 200, 200, 200, 200)
# Changing a Cybercrime project: its manager and administrators only; the API token is its
# manager's, but a form post without cookies has no CSRF token.
PROJECT_POST = (303, 403, 403, 303, 303, 403)
API_PROJECT_WRITE = (401, 403, 403, 200, 200, 200)

ROUTES: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/healthz"): EVERYONE_OK,
    ("GET", "/login"): (200, 303, 303, 303, 303, 200),
    ("POST", "/login"): (400, 400, 400, 400, 400, 403),
    ("GET", "/invite/{token}"): EVERYONE_OK,
    ("POST", "/invite/{token}"): (400, 400, 400, 400, 400, 403),
    ("GET", "/"): SIGNED_IN_PAGE,
    ("GET", "/account"): SIGNED_IN_PAGE,
    ("GET", "/projects/{code}"): SIGNED_IN_PAGE,
    ("GET", "/projects"): SIGNED_IN_PAGE,
    ("GET", "/heatmap"): SIGNED_IN_PAGE,
    ("GET", "/heatmap.csv"): SIGNED_IN_PAGE,
    ("GET", "/trends"): SIGNED_IN_PAGE,
    ("GET", "/reports/board-pack.pdf"): SIGNED_IN_PAGE,
    ("GET", "/gaps"): SIGNED_IN_PAGE,
    ("GET", "/gaps/about"): SIGNED_IN_PAGE,
    ("GET", "/framework"): SIGNED_IN_PAGE,
    ("POST", "/framework/sdg-links"): ADMIN_POST_REDIRECT,
    ("POST", "/framework/sdg-links/{link_id}/confirm"): ADMIN_POST_REDIRECT,
    ("POST", "/framework/sdg-links/{link_id}/delete"): ADMIN_POST_REDIRECT,
    ("POST", "/framework/translations"): ADMIN_POST_REDIRECT,
    ("POST", "/account/tokens"): (303, 201, 201, 201, 201, 403),
    # The token belongs to the administrator: anyone else is told there is no such token.
    ("POST", "/account/tokens/{token_id}/revoke"): (303, 404, 404, 404, 303, 403),
    ("GET", "/admin"): ADMIN_PAGE,
    ("GET", "/admin/users"): ADMIN_PAGE,
    ("POST", "/admin/users"): ADMIN_POST_CREATED,
    ("GET", "/admin/users/{user_id}"): ADMIN_PAGE,
    ("POST", "/admin/users/{user_id}"): ADMIN_POST_REDIRECT,
    ("POST", "/admin/users/{user_id}/sessions/end"): ADMIN_POST_REDIRECT,
    ("POST", "/admin/users/{user_id}/invite"): ADMIN_POST_CREATED,
    ("GET", "/admin/audit"): ADMIN_PAGE,
    ("GET", "/admin/sign-in"): ADMIN_PAGE,
    ("POST", "/admin/sign-in/mappings"): ADMIN_POST_REDIRECT,
    ("POST", "/admin/sign-in/mappings/{mapping_id}/delete"): ADMIN_POST_REDIRECT,
    # Sign-in with the organisation's provider is not set up here: not found, for everyone.
    # (tests/web/test_oidc_sign_in.py and test_oidc_hostile.py test them set up.)
    ("GET", "/login/oidc"): (404,) * 6,
    ("GET", "/login/oidc/callback"): (404,) * 6,
    ("POST", "/login/oidc/backchannel-logout"): (404,) * 6,
    ("GET", "/admin/targets"): ADMIN_PAGE,
    ("POST", "/admin/targets"): ADMIN_POST_REDIRECT,
    ("POST", "/admin/targets/{target_id}/delete"): ADMIN_POST_REDIRECT,
    ("GET", "/api/v1/me"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/coverage"): API_READ,
    ("GET", "/api/v1/gaps"): API_READ,
    ("GET", "/api/v1/trends"): API_READ,
    ("GET", "/api/v1/framework"): API_READ,
    ("GET", "/api/v1/sdgs"): API_READ,
    ("GET", "/api/v1/targets"): API_READ,
    # JSON writes: the API token here is a manager's, so it is refused like the manager.
    ("POST", "/api/v1/targets"): (401, 403, 403, 403, 201, 403),
    ("DELETE", "/api/v1/targets/{target_id}"): (401, 403, 403, 403, 204, 403),
    ("GET", "/projects/new"): (303, 403, 200, 200, 200, 303),
    # The new project is of Cybercrime: the other programme's manager is refused (403), as
    # when editing one.
    ("POST", "/projects/new"): (303, 403, 403, 303, 303, 403),
    ("GET", "/projects/{code}/edit"): (303, 403, 403, 200, 200, 303),
    ("POST", "/projects/{code}/edit"): PROJECT_POST,
    ("POST", "/projects/{code}/tags"): PROJECT_POST,
    ("POST", "/projects/{code}/tags/remove"): PROJECT_POST,
    ("POST", "/projects/{code}/screen"): PROJECT_POST,
    ("POST", "/projects/{code}/suggestions/accept"): PROJECT_POST,
    ("POST", "/projects/{code}/suggestions/dismiss"): PROJECT_POST,
    # The screening queue: people who edit projects (a manager sees their own programmes).
    ("GET", "/screening"): (303, 403, 200, 200, 200, 303),
    ("POST", "/screening/{code}/screened"): PROJECT_POST,
    ("GET", "/api/v1/projects/{code}/suggestions"): API_READ,
    ("POST", "/api/v1/suggestions"): (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/projects"): API_READ,
    ("POST", "/api/v1/projects"): (401, 403, 403, 201, 201, 201),
    ("GET", "/api/v1/projects/{code}"): API_READ,
    ("PUT", "/api/v1/projects/{code}"): API_PROJECT_WRITE,
    ("GET", "/api/v1/projects/{code}/tags"): API_READ,
    ("PUT", "/api/v1/projects/{code}/tags"): API_PROJECT_WRITE,
    ("GET", "/digests"): SIGNED_IN_PAGE,
    ("POST", "/digests"): (303, 303, 303, 303, 303, 403),
    # The subscription and the past digest are the administrator's own.
    ("POST", "/digests/{subscription_id}"): (303, 404, 404, 404, 303, 403),
    ("GET", "/digests/{subscription_id}/preview"): (303, 404, 404, 404, 200, 303),
    ("GET", "/digests/archive/{message_id}"): (303, 404, 404, 404, 200, 303),
    # One-click unsubscribe needs no session and no CSRF token: the signed token is the proof.
    ("GET", "/digests/unsubscribe/{token}"): EVERYONE_OK,
    ("POST", "/digests/unsubscribe/{token}"): EVERYONE_OK,
    ("GET", "/admin/imports"): ADMIN_PAGE,
    ("GET", "/admin/imports/template.{kind}"): SIGNED_IN_PAGE,
    ("POST", "/admin/imports"): ADMIN_POST_REDIRECT,
    ("GET", "/admin/imports/{job_id}"): ADMIN_PAGE,
    # The job was checked and found fine; committing it starts the import.
    ("POST", "/admin/imports/{job_id}/commit"): ADMIN_POST_REDIRECT,
    # The job is a spreadsheet's: it has no IATI levels to check again at (400, said why).
    ("POST", "/admin/imports/{job_id}/level"): (303, 403, 403, 403, 400, 403),
    ("GET", "/projects/export.{kind}"): SIGNED_IN_PAGE,
    ("GET", "/admin/outbox"): ADMIN_PAGE,
    ("POST", "/admin/outbox/{message_id}/retry"): ADMIN_POST_REDIRECT,
    ("GET", "/docs"): EVERYONE_OK,
    ("GET", "/favicon.ico"): EVERYONE_OK,
    ("GET", "/openapi.json"): EVERYONE_OK,
    ("GET", "/static"): EVERYONE_OK,
    ("POST", "/digests/{subscription_id}/delete"): (303, 404, 404, 404, 303, 403),
    # Near the end, as they remove the projects the rows above use.
    ("POST", "/projects/{code}/delete"): PROJECT_POST,
    ("DELETE", "/api/v1/projects/{code}"): (401, 403, 403, 204, 204, 204),
    # Last, as it ends the caller's session.
    ("POST", "/logout"): (303, 303, 303, 303, 303, 403),
    # Anyone may choose a language (kept in the browser, and on the account when signed in).
    ("POST", "/language"): (303, 303, 303, 303, 303, 403),
}

PROJECT_FIELDS = {
    "title": "Renamed",
    "kind": "capacity_building",
    "status": "active",
    "programme": "CYB",
    "budget_amount": "1000",
    "budget_currency": "EUR",
}
FORM_BODIES = {
    "/framework/sdg-links": {"owner": "GPG4", "target": "17.8", "note": "Technology cooperation"},
    "/projects/new": {"code": "CYB-NEW-1", **PROJECT_FIELDS},
    "/projects/{code}/edit": lambda v: {"code": "CYB-2026-0001", "version": v, **PROJECT_FIELDS},
    "/projects/{code}/tags": lambda v: {
        "kind": "objective",
        "code": "4.1",
        "significance": "principal",
        "version": v,
    },
    "/projects/{code}/tags/remove": lambda v: {"kind": "objective", "code": "4.1", "version": v},
    "/projects/{code}/screen": lambda v: {"version": v},
    "/projects/{code}/suggestions/accept": lambda v: {
        "kind": "theme",
        "code": "II",
        "significance": "significant",
        "version": v,
    },
    "/projects/{code}/suggestions/dismiss": {"kind": "objective", "code": "1.4"},
    # Screened before the project is screened again through its own page: a version it has.
    "/screening/{code}/screened": lambda v: {"version": v},
    "/projects/{code}/delete": lambda v: {"version": v},
    "/admin/users": {
        "email": "someone.new@example.org",
        "full_name": "Someone New",
        "role": "viewer",
    },
    "/admin/users/{user_id}": {"full_name": "Viewer Renamed", "role": "viewer", "active": "true"},
    "/invite/{token}": {"password": "long enough password", "confirm": "does not match"},
    "/account/tokens": {"name": "script"},
    "/language": {"lang": "fr", "back": "/"},
    "/admin/targets": {"code": "4.2", "min_active_projects": "2"},
    "/admin/sign-in/mappings": {"group": "tracker-staff", "role": "viewer"},
    "/digests": {"frequency": "weekly", "weekday": "0", "hour": "8", "timezone": "UTC"},
    "/admin/imports": {"kind": "iati", "programme": "CYB"},
    "/admin/imports/{job_id}/level": {"level": "2"},
    "/digests/{subscription_id}": {"frequency": "daily", "hour": "7", "timezone": "Asia/Singapore"},
}
UPLOADS = {
    "/admin/imports": {"file": ("activities.xml", b"<iati-activities/>")},
    "/framework/translations": {"file": ("gpg-2023.es.yaml", SPANISH.read_bytes())},
}
JSON_BODIES = {
    "/api/v1/targets": {"code": "GPG1", "min_active_projects": 1},
    "/api/v1/projects": {"code": "CYB-API-1", **PROJECT_FIELDS},
    "/api/v1/projects/{code}": lambda v: {"code": "CYB-API-0001", "version": v, **PROJECT_FIELDS},
    "/api/v1/suggestions": {"title": "Ransomware", "summary": "Disrupt cybercrime."},
    "/api/v1/projects/{code}/tags": lambda v: {
        "version": v,
        "objectives": [{"code": "4.2", "significance": "principal"}],
    },
}


def _path(route) -> str:
    """The address as the table writes it: converters such as {code:path} left out."""
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)


def _served_routes(app) -> set[tuple[str, str]]:
    served = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            served.add(("GET", _path(route)))
        else:
            for method in (route.methods or set()) - {"HEAD"}:
                served.add((method, _path(route)))
    return served


def test_every_route_has_a_rule(client):
    served = _served_routes(client.app)
    assert served - set(ROUTES) == set(), "routes without a permission rule in this table"
    assert set(ROUTES) - served == set(), "rules for routes that no longer exist"


@pytest.fixture
def fixtures(framework, accounts):
    """Things the paths refer to: an invitation, an administrator's token, a user."""
    with session_scope(framework) as session:
        invited = factories.user(session, email="invited@example.org", full_name="Invited")
        invite = users.issue_invite(session=session, user=invited, valid_days=7)
        admin = users.get_user(session=session, user_id=accounts["admin"].id)
        admin_token, _ = create_api_token(session=session, user=admin, name="admin's")
        manager = users.get_user(session=session, user_id=accounts["manager_this"].id)
        _, manager_raw = create_api_token(session=session, user=manager, name="manager's")
        project = factories.project(session, code="CYB-2026-0001")
        api_project = factories.project(session, code="CYB-API-0001")
        target, api_target = (
            targets.set_target(
                session=session,
                code=code,
                region_code=None,
                min_active_projects=1,
                min_budget_eur=None,
                actor=None,
            )
            for code in ("GPG2", "GPG3")
        )
        subscription = factories.subscription(session, admin)
        message = factories.outbox_message(session, subscription, status="failed")
        job = factories.import_job(session, admin)
        link = session.exec(select(SDGLink).order_by(SDGLink.id)).first()
        mapping = GroupMapping(group_name="tracker-admins", role="admin")
        session.add(mapping)
        session.flush()
    settings = Settings(env="test")
    return {
        "job_id": job.id,
        "mapping_id": mapping.id,
        "kind": "csv",
        "subscription_id": subscription.id,
        "message_id": message.id,
        "unsubscribe_token": unsubscribe_token(settings, subscription.id),
        "target_id": target.id,
        "api_target_id": api_target.id,
        "code": project.code,
        "api_code": api_project.code,
        "token": invite,
        "token_id": admin_token.id,
        "user_id": accounts["viewer"].id,
        "api_token": manager_raw,
        "link_id": link.id,
    }


def _version(engine, code: str) -> int:
    with session_scope(engine) as session:
        project = session.exec(select(Project).where(Project.code == code)).first()
        return project.version if project else 1


def _token(client, caller) -> str:
    if caller == "api_token":
        return ""
    return csrf_of(client, "/login" if caller == "anonymous" else "/account")


@pytest.mark.parametrize("caller", CALLERS)
def test_route_table(caller, fixtures, framework, browser_for, client_factory):
    client = client_factory() if caller == "api_token" else browser_for(caller)
    headers = {"Authorization": f"Bearer {fixtures['api_token']}"} if caller == "api_token" else {}
    mismatches = []
    for (method, template), statuses in ROUTES.items():
        expected = statuses[CALLERS.index(caller)]
        # The pages and the API each change a target and a project of their own.
        api = template.startswith("/api/")
        api_ids = (
            {"target_id": fixtures["api_target_id"], "code": fixtures["api_code"]} if api else {}
        )
        tokens = {"token": fixtures["unsubscribe_token"]} if "unsubscribe" in template else {}
        path = template.format(**{**fixtures, **api_ids, **tokens})
        version = _version(framework, api_ids.get("code", fixtures["code"]))
        if method == "DELETE" and template == "/api/v1/projects/{code}":
            path += f"?version={version}"
        if template == "/static":
            path = "/static/css/app.css"
        if method == "GET":
            response = client.get(path, headers=headers, follow_redirects=False)
        else:
            if template in JSON_BODIES or method == "DELETE":
                body = JSON_BODIES.get(template)
                response = client.request(
                    method,
                    path,
                    json=body(version) if callable(body) else body,
                    headers={**headers, "X-CSRF-Token": _token(client, caller)},
                    follow_redirects=False,
                )
                if response.status_code != expected:
                    mismatches.append(
                        f"{method} {template}: expected {expected}, got {response.status_code}"
                    )
                continue
            body = FORM_BODIES.get(template, {})
            data = dict(body(version) if callable(body) else body)
            if caller != "api_token":
                data["csrf_token"] = csrf_of(
                    client, "/login" if caller == "anonymous" else "/account"
                )
            files = UPLOADS.get(template)
            response = client.request(
                method, path, data=data, files=files, headers=headers, follow_redirects=False
            )
        if response.status_code != expected:
            mismatches.append(
                f"{method} {template}: expected {expected}, got {response.status_code}"
            )
    assert mismatches == []
