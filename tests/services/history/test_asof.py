"""Coverage as of a past day, from a portfolio with a known history, on both databases: the
figures and gaps of several days exactly, the same from the day's changes as from the project
versions, the same after a rebuild from the audit trail, and equal to the snapshot taken live."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests.services.history import portfolio
from tracker.models import CoverageSnapshot, ProjectVersion
from tracker.services.coverage import compute_matrix, parse_coverage_query
from tracker.services.coverage.gaps import find_gaps, parse_gap_query
from tracker.services.coverage.matrix import compute_from_tables
from tracker.services.digests.content import Scope, headline
from tracker.services.history import replay


@pytest.fixture
def history(framework):
    portfolio.build(framework)
    return framework


def _goals(session, day: str, **params):
    query = parse_coverage_query(session=session, params={"as_of": day, **params})
    matrix = compute_matrix(session=session, query=query)
    return query, matrix, {r.code: matrix.row_total(r) for r in matrix.rows}


# Day: {goal: (projects, principal, budget)}
EXPECTED = {
    # Only P3, which counts from its start date though registered in September 2025.
    "2024-06-01": {"GPG4": (1, 1, Decimal("50000"))},
    # P1 from its start date, as registered (tagged 4.1 principal on that day), and P3.
    "2025-01-15": {"GPG4": (2, 2, Decimal("150000"))},
    # P2 registered: 1.1 principal takes its whole budget; 4.2 significant takes none.
    "2025-07-01": {"GPG1": (1, 1, Decimal("200000")), "GPG4": (3, 2, Decimal("150000"))},
    # P1 retagged: 7.1 principal takes its budget, 4.1 significant none.
    "2025-10-05": {
        "GPG1": (1, 1, Decimal("200000")),
        "GPG4": (3, 1, Decimal("50000")),
        "GPG7": (1, 1, Decimal("100000")),
    },
    # P2 completed: it counts no more.
    "2025-12-15": {"GPG4": (2, 1, Decimal("50000")), "GPG7": (1, 1, Decimal("100000"))},
}


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_goals_as_of_each_day(history, day):
    with Session(history) as session:
        query, matrix, totals = _goals(session, day)
        assert query.as_of == date.fromisoformat(day)
        shown = {
            code: (c.projects, c.principal, c.budget) for code, c in totals.items() if c.projects
        }
        assert shown == EXPECTED[day]
        # The same figures from the project versions of the day, cell by cell.
        slow = compute_from_tables(session, query)
        assert {k: (v.projects, v.principal, v.budget) for k, v in slow.cells.items()} == {
            k: (v.projects, v.principal, v.budget) for k, v in matrix.cells.items()
        }
        assert slow.total == matrix.total


def test_regions_and_programmes_as_of_a_day(history):
    with Session(history) as session:
        _, matrix, _ = _goals(session, "2025-07-01")
        cells = {
            (r.code, c.code): matrix.cell(r, c).budget
            for r in matrix.rows
            for c in matrix.columns
            if matrix.cell(r, c).projects
        }
        assert cells == {
            ("GPG1", "AFR"): Decimal("100000"),
            ("GPG1", "EUR"): Decimal("100000"),
            ("GPG4", "AFR"): Decimal("150000"),
            ("GPG4", "EUR"): Decimal("0"),
        }
        _, by_programme, _ = _goals(session, "2025-07-01", cols="programmes")
        assert {
            (r.code, c.code): by_programme.cell(r, c).projects
            for r in by_programme.rows
            for c in by_programme.columns
            if by_programme.cell(r, c).projects
        } == {("GPG1", "CT"): 1, ("GPG4", "CT"): 1, ("GPG4", "CYB"): 2}
        # A view the day's changes do not hold comes from the versions: countries, any status.
        _, countries, _ = _goals(
            session, "2025-12-15", cols="countries", region="AFR", status="any"
        )
        assert {c.code: countries.column_total(c).projects for c in countries.columns} == {
            "KE": 2,  # P1, and P2 completed
            "whole-region": 1,  # P3
            "elsewhere": 1,  # P2 in France
        }


def test_gaps_as_of_a_day(history):
    with Session(history) as session:
        before = {
            (g.kind, g.subject)
            for g in find_gaps(
                session=session,
                query=parse_gap_query(session=session, params={"as_of": "2025-10-05"}),
            )
        }
        after = {
            (g.kind, g.subject)
            for g in find_gaps(
                session=session,
                query=parse_gap_query(session=session, params={"as_of": "2025-12-15"}),
            )
        }
    # P2 serves 1.1 in France and Kenya; once it completed, nothing serves 1.1 nor works in
    # Europe.
    assert ("empty_goal_region", "GPG1 Counter terrorism in Africa") not in before
    assert after - before == {
        ("uncovered_objective", "1.1 " + _name(history, "1.1")),
        ("uncovered_objective", "4.2 " + _name(history, "4.2")),
        ("empty_goal_region", "GPG1 Counter terrorism in Africa"),
        ("empty_goal_region", "GPG1 Counter terrorism in Europe"),
        ("empty_goal_region", "GPG4 Cybercrime in Europe"),
    }


def _name(engine, code):
    from tracker.models import Objective

    with Session(engine) as session:
        objective = session.exec(select(Objective).where(Objective.code == code)).one()
        return objective.short_name


def test_as_of_equals_the_snapshot_taken_live(history):
    with Session(history) as session:
        stored = session.exec(
            select(CoverageSnapshot).where(CoverageSnapshot.week == portfolio.SNAPSHOT_WEEK)
        ).one()
        then = headline(session=session, scope=Scope(), as_of=date(2025, 10, 5))
    assert stored.data["active_projects"] == 3
    assert then == stored.data


def test_a_rebuild_from_the_audit_trail_gives_the_same_history(history):
    def everything():
        with Session(history) as session:
            versions = sorted(
                (v.project_id, v.valid_from, v.valid_to, v.status)
                for v in session.exec(select(ProjectVersion))
            )
            figures = {day: _goals(session, day)[2] for day in [*EXPECTED, "2026-03-01"]}
            return versions, {
                d: {k: (c.projects, c.principal, c.budget) for k, c in t.items()}
                for d, t in figures.items()
            }

    followed = everything()
    replay.rebuild(history)
    assert everything() == followed
