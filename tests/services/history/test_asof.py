"""Coverage as of a past day, from a portfolio with a known history, on both databases: the
figures and gaps of several days exactly, the same from the day's changes as from the project
versions, the same after a rebuild from the audit trail, and equal to the snapshot taken live."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests.services.history import portfolio
from tracker.db import session_scope
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
        # GPG1's link to 16.1: nothing else reaches it (16.a is GPG4's too).
        (
            "unreached_sdg_target",
            "16.1 Significantly reduce all forms of violence and related death rates everywhere",
        ),
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


def test_a_project_registered_with_an_earlier_start_changes_the_past_and_its_snapshots(history):
    from tracker.services.digests.backfill import backfill as backfill_snapshots

    with portfolio.at("2026-01-05"), session_scope(history) as session:
        portfolio._register(session, "P4", "OEC", "2025-05-01", "2026-06-30", "10000", [])
    with Session(history) as session:
        gone = session.exec(
            select(CoverageSnapshot).where(CoverageSnapshot.week == portfolio.SNAPSHOT_WEEK)
        ).first()
    assert gone is None  # it counted three projects, and there were four
    with portfolio.at("2026-01-05"):
        assert backfill_snapshots(history) > 0
    with Session(history) as session:
        stored = session.exec(
            select(CoverageSnapshot).where(CoverageSnapshot.week == portfolio.SNAPSHOT_WEEK)
        ).one()
        then = headline(session=session, scope=Scope(), as_of=date(2025, 10, 5))
    assert stored.data == then
    assert then["active_projects"] == 4


def test_comparison_and_trend(history):
    from tracker.fields import read_params
    from tracker.services.history.compare import compare
    from tracker.services.history.trends import TrendParams, build_trend

    with Session(history) as session:
        query = parse_coverage_query(session=session, params={"as_of": "2025-12-15"})
        result = compare(session=session, query=query, since=date(2025, 7, 1))
        changes = {r.code: result.row_total(r).projects for r in result.matrix.rows}
        assert changes["GPG1"] == -1 and changes["GPG4"] == -1 and changes["GPG7"] == 1
        assert [g.subject for g in result.gaps_opened if g.kind == "uncovered_objective"] == [
            "1.1 " + _name(history, "1.1"),
            "4.2 " + _name(history, "4.2"),
        ]
        assert result.ended.shown == [("P2", "P2")] and result.started.total == 0
        assert result.retagged.total == 3  # P1 (4.1, 7.1), P2 (4.3, 4.2), P3 tagged when registered
        trend = build_trend(
            session=session,
            params=read_params(
                TrendParams, {"period": "quarter", "from": "2025-01-01", "to": "2025-12-31"}
            ),
        )
        assert trend.days == [
            date(2025, 3, 31),
            date(2025, 6, 30),
            date(2025, 9, 30),
            date(2025, 12, 31),
        ]
        gpg4 = next(s for s in trend.series if s.row.code == "GPG4")
        assert [p.projects for p in gpg4.points] == [2, 3, 3, 2]
        for point in gpg4.points:  # each point is the heatmap as of its day
            _, _, totals = _goals(session, point.day.isoformat())
            assert totals["GPG4"].projects == point.projects
            assert totals["GPG4"].budget == point.budget
        last = trend.gaps[-1]
        assert {g.subject for g in last.opened} >= {"1.1 " + _name(history, "1.1")}
