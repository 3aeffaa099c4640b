"""The tracker's pages, for tests that open every one of them: every GET route that answers
with HTML, who may open it, and example values for its path (from a small demo portfolio)."""

from __future__ import annotations

from datetime import date

from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from sqlmodel import select

from tests import factories
from tests.routes import api_routes
from tracker.app import create_app
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Programme, Project, User
from tracker.services.accounts import users
from tracker.services.demo import seed_demo_portfolio
from tracker.services.digests.preview import preview
from tracker.services.digests.subscriptions import unsubscribe_token
from tracker.services.suggestions import store

ROLES = {"anonymous": None, "viewer": "viewer", "manager": "manager_this", "admin": "admin"}
NOT_SWEPT = {"/docs"}
# Who may open what (tests/web/test_permissions.py holds the whole table).
ANONYMOUS_ONLY = {"/login"}  # signed in, it sends you on
OPEN_TO_ALL = {"/invite/{token}", "/digests/unsubscribe/{token}"}
EDITORS_ONLY = {"/projects/new", "/projects/{code}/edit", "/screening"}

# Pages that need a query: the one the sweep opens.
QUERIES = {"/gaps/about": "kind=uncovered_objective&objective=1.4"}
# More views of the pages that have several.
MORE_VIEWS = {
    "/heatmap": [
        "/heatmap?rows=objectives&cols=regions",
        "/heatmap?rows=objectives&goal=GPG4&cols=regions",
        "/heatmap?rows=goals&cols=countries",
        "/heatmap?rows=goals&cols=countries&region=AFR",
        "/heatmap?rows=themes&cols=programmes&metric=budget",
        "/heatmap?rows=sdg_targets&cols=regions&metric=budget",
        "/heatmap?compare=2026-01-01&as_of=2026-06-30",
    ],
    "/trends": ["/trends?goal=GPG4&period=quarter&region=AFR"],
    "/projects": ["/projects?status=active&sort=-budget"],
    "/gaps": ["/gaps?region=EUR"],
}

EXAMPLE_KEYS = ("code", "user_id", "job_id", "subscription_id", "message_id", "token")


def html_pages() -> list[str]:
    """The path templates of every GET route that answers with a page."""
    app = create_app(Settings(database_url="sqlite://", env="test"))
    return sorted(
        path
        for path, route in api_routes(app.routes)
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and route.response_class is HTMLResponse
        and path not in NOT_SWEPT
    )


def may_open(role: str, template: str) -> bool:
    if template in OPEN_TO_ALL:
        return True
    if role == "anonymous":
        return template in ANONYMOUS_ONLY
    if template in ANONYMOUS_ONLY:
        return False
    if template.startswith("/admin"):
        return role == "admin"
    if template in EDITORS_ONLY:
        return role in ("admin", "manager")
    return True


def examples(engine, accounts, role: str) -> dict[str, dict[str, str]]:
    """A small demo portfolio, and values for the path parameters, per page (things of the
    role's own where a page is personal)."""
    with session_scope(engine) as session:
        seed_demo_portfolio(session=session, projects=40, seed=2023, today=date(2026, 11, 2))
        cybercrime = session.exec(select(Programme).where(Programme.code == "CYB")).one()
        project = session.exec(
            select(Project).where(Project.programme_id == cybercrime.id).order_by(Project.code)
        ).first()
        invited = factories.user(session, email="invited@example.org", full_name="Invited")
        invite = users.issue_invite(session=session, user=invited, valid_days=7)
        me = session.get(User, accounts[ROLES[role] or "viewer"].id)
        subscription = factories.subscription(session, me)
        # A past digest as it was sent: the one the preview shows.
        digest = preview(session=session, settings=Settings(env="test"), subscription=subscription)
        message = factories.outbox_message(
            session,
            subscription,
            status="sent",
            subject=digest.subject,
            body_html=digest.html,
            body_text=digest.text,
        )
        job = factories.import_job(session, session.get(User, accounts["admin"].id))
        values = {
            "code": project.code,
            "user_id": accounts["viewer"].id,
            "job_id": job.id,
            "subscription_id": subscription.id,
            "message_id": message.id,
            "token": invite,
        }
    # Suggestions as a trained model makes them: similar projects in their reasons, and the
    # projects likely to serve a gap.
    store.train_and_store(engine)
    unsubscribe = unsubscribe_token(Settings(env="test"), values["subscription_id"])
    return {"": values, "/digests/unsubscribe/{token}": {**values, "token": unsubscribe}}


def paths(role: str, examples: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(path template, path) of every page the role may open, in the order they are swept."""
    paths = []
    for template in html_pages():
        if not may_open(role, template):
            continue
        path = template.format(**examples.get(template, examples[""]))
        paths.append((template, f"{path}?{QUERIES[template]}" if template in QUERIES else path))
        paths += [(template, view) for view in MORE_VIEWS.get(template, [])]
    return paths
