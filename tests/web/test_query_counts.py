"""No page issues a query per project: the number of queries stays the same as the portfolio
grows, and under a fixed bound."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select

from tracker.db import session_scope
from tracker.models import Project
from tracker.services.demo import seed_demo_portfolio

PAGES = {
    "/": 25,
    "/heatmap": 16,
    "/heatmap?rows=objectives&cols=countries&region=AFR&metric=budget": 16,
    # With a trained suggestion model, 3 more: the active projects most likely to serve an
    # objective nobody serves (the newest model, the candidates, their tags and dismissals).
    "/gaps": 22,
    "/projects": 26,
    "/projects?goal=GPG4&sort=-budget": 26,
    "/framework": 20,
    "/api/v1/coverage?rows=objectives": 10,
    "/project": 40,
}


def _count(engine, client, path: str) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return len(statements)


@pytest.fixture
def counts(framework, browser_for):
    viewer = browser_for("viewer")

    def measure(projects: int) -> dict[str, int]:
        with session_scope(framework) as session:
            seed_demo_portfolio(
                session=session, projects=projects, seed=projects, today=date(2026, 11, 2)
            )
        with session_scope(framework) as session:
            code = session.exec(select(Project.code).order_by(Project.code)).first()
        out = {}
        for page in PAGES:
            path = f"/projects/{code}" if page == "/project" else page
            _count(framework, viewer, path)  # warm up: the session's last-seen time
            out[page] = _count(framework, viewer, path)
        return out

    return measure


def test_queries_do_not_grow_with_the_portfolio(counts):
    small = counts(15)
    large = counts(120)  # 135 projects now
    for page, bound in PAGES.items():
        assert large[page] <= bound, f"{page}: {large[page]} queries, bound {bound}"
        assert large[page] <= small[page] + 2, (
            f"{page}: {small[page]} queries at 15 projects, {large[page]} at 135"
        )
