"""Cached matrices are reused while nothing changed, and never served stale after a write,
whichever worker or instance made it."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from tests import factories
from tests.services.coverage import portfolio
from tracker.db import make_engine, session_scope
from tracker.models import Project
from tracker.services.coverage import compute_matrix, parse_coverage_query


def _matrix(engine):
    with Session(engine) as session:
        return compute_matrix(
            session=session, query=parse_coverage_query(session=session, params={"rows": "goals"})
        )


def test_reused_until_any_instance_writes(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    first = _matrix(framework)
    assert _matrix(framework) is first  # nothing changed: the same figures, not recomputed

    other_instance = make_engine(framework.url.render_as_string(hide_password=False))
    try:
        with session_scope(other_instance) as session:
            factories.objective_tag(session, factories.project(session, code="NEW-1"), "7.1")
        second = _matrix(framework)
        assert second is not first
        assert second.total.projects == first.total.projects + 1

        # A bulk UPDATE statement (no ORM objects) invalidates too.
        with session_scope(other_instance) as session:
            session.execute(
                update(Project).where(Project.code == "NEW-1").values(status="completed")
            )
        third = _matrix(framework)
        assert third is not second and third.total.projects == first.total.projects
    finally:
        other_instance.dispose()


def test_a_rolled_back_write_leaves_the_cache_valid(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    first = _matrix(framework)
    with Session(framework) as session:
        factories.project(session, code="GONE-1")
        session.rollback()
    assert _matrix(framework) is first


def test_gaps_are_reused_until_a_write(framework):
    from tracker.services.coverage.gaps import find_gaps, parse_gap_query

    with session_scope(framework) as session:
        portfolio.build(session)

    def gaps():
        with Session(framework) as session:
            return find_gaps(session=session, query=parse_gap_query(session=session, params={}))

    first = gaps()
    assert gaps() == first
    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "P8")).one()
        project.screened_at = None
        factories.objective_tag(session, project, "7.6")
    after = gaps()
    assert "7.6 Environmental crime and public health" not in {g.subject for g in after}
    assert "7.6 Environmental crime and public health" in {g.subject for g in first}
