"""Two days side by side on a known history, on both databases: what the comparison finds,
exactly, and that it finds the same from the process's indexes (of projects, of their versions,
of the day's changes) as from the tables themselves, and the gaps of either day likewise."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tests.services.history import portfolio
from tracker.db import session_scope
from tracker.models import Project, ProjectSDGTag
from tracker.services.coverage import cache, parse_coverage_query
from tracker.services.coverage.gaps import find_gaps, view_gap_query
from tracker.services.coverage.index import store
from tracker.services.history import compare as comparing


@pytest.fixture
def history(framework):
    """The history of tests.services.history.portfolio, and P5 (Economic crime, France),
    registered on 10 January 2026 from 1 May 2025, never tagged nor screened; P1 carries an SDG
    target of its own (as from an IATI file)."""
    portfolio.build(framework)
    with portfolio.at("2026-01-10"), session_scope(framework) as session:
        portfolio._register(
            session, "P5", "OEC", "2025-05-01", "2026-12-31", "10000", [{"place": "FR"}]
        )
    with portfolio.at("2026-01-12"), session_scope(framework) as session:
        p1 = session.exec(select(Project).where(Project.code == "P1")).one()
        session.add(ProjectSDGTag(project_id=p1.id, vocabulary=3, code="16.4"))
    return framework


@pytest.fixture
def uncached(monkeypatch):
    """Nothing served from the coverage cache: each way is computed afresh."""
    monkeypatch.setattr(cache, "get", lambda key: None)


def _cells(matrix) -> dict:
    def of(cell):
        return (cell.projects, cell.principal, cell.budget)

    return {
        "cells": {k: of(v) for k, v in matrix.cells.items() if v.projects},
        "rows": {k: of(v) for k, v in matrix.row_totals.items() if v.projects},
        "columns": {k: of(v) for k, v in matrix.column_totals.items() if v.projects},
        "total": of(matrix.total),
        "row_keys": [r.key for r in matrix.rows],
        "column_keys": [c.key for c in matrix.columns],
    }


def _gap(gap) -> tuple:
    return (gap.kind, gap.subject, gap.reason, tuple(gap.link), gap.row, gap.column)


def _summary(result) -> dict:
    def listed(projects):
        return None if projects is None else (projects.shown, projects.total)

    return {
        "now": _cells(result.matrix),
        "then": _cells(result.earlier),
        "opened": [_gap(g) for g in result.gaps_opened],
        "closed": [_gap(g) for g in result.gaps_closed],
        "started": listed(result.started),
        "ended": listed(result.ended),
        "retagged": listed(result.retagged),
    }


def _compared(engine, params: dict, since: str) -> dict:
    with Session(engine) as session:
        query = parse_coverage_query(session=session, params=params)
        return _summary(comparing._compare(session, query, date.fromisoformat(since), None))


def _gaps(engine, params: dict) -> list[tuple]:
    with Session(engine) as session:
        query = parse_coverage_query(session=session, params=params)
        return [_gap(g) for g in find_gaps(session=session, query=view_gap_query(query))]


# (view, the earlier day): as of a day and now; goals and objectives; regions and a region's
# countries; a programme; principal tags only.
CASES = [
    ({"as_of": "2025-12-15"}, "2025-07-01"),
    ({"as_of": "2026-02-01", "rows": "objectives"}, "2025-03-01"),
    ({}, "2025-07-01"),
    ({"rows": "objectives"}, "2025-10-05"),
    ({"programme": "CYB"}, "2025-06-01"),
    ({"cols": "countries", "region": "AFR"}, "2025-09-30"),
    ({"floor": "2", "rows": "objectives"}, "2025-08-01"),
    ({"status": ["active", "completed"]}, "2025-07-01"),
]


@pytest.mark.parametrize(("params", "since"), CASES)
def test_the_comparison_is_the_same_from_the_indexes_as_from_the_tables(
    history, uncached, monkeypatch, params, since
):
    from_indexes = _compared(history, params, since)
    monkeypatch.setattr(store, "usable", lambda session: False)
    assert _compared(history, params, since) == from_indexes


@pytest.mark.parametrize(
    "params",
    [{}, {"as_of": "2025-12-15"}, {"as_of": "2026-02-01", "rows": "objectives"}, {"floor": "2"}],
)
def test_the_gaps_of_either_day_are_the_same_from_the_indexes_as_from_the_tables(
    history, uncached, monkeypatch, params
):
    from_indexes = _gaps(history, params)
    monkeypatch.setattr(store, "usable", lambda session: False)
    assert _gaps(history, params) == from_indexes
    kinds = {g[0] for g in from_indexes}
    if "as_of" not in params or params["as_of"] >= "2026-01-10":
        assert "unscreened" in kinds  # P5
    assert "unreached_sdg_target" in kinds


def test_what_a_comparison_finds(history, uncached):
    # 1 July 2025: P1, P2 and P3 active; 15 December 2025: P2 completed (1 December), P1
    # retagged (1 September), P2 retagged (6 October, 1 December).
    found = _compared(history, {"as_of": "2025-12-15"}, "2025-07-01")
    assert found["started"] == ([], 0)
    assert found["ended"] == ([("P2", "P2")], 1)
    # P1 (4.1, 7.1), P2 (4.3, 4.2), P3 tagged when registered.
    assert found["retagged"] == ([("P1", "P1"), ("P2", "P2"), ("P3", "P3")], 3)
    opened = {(kind, subject) for kind, subject, *_ in found["opened"]}
    assert {k for k, _ in opened} == {"uncovered_objective", "empty_goal_region"}
    assert ("empty_goal_region", "GPG1 Counter terrorism in Europe") in opened
    closed = {(kind, subject) for kind, subject, *_ in found["closed"]}
    # 7.1, principal for P1 in Kenya since 1 September.
    assert {k for k, _ in closed} == {"uncovered_objective", "empty_goal_region"}
    assert ("empty_goal_region", "GPG7 Environmental security in Africa") in closed
    assert any(k == "uncovered_objective" and s.startswith("7.1 ") for k, s in closed)
    goals = found["now"]["rows"]
    then = found["then"]["rows"]
    assert sum(n for n, _, _ in goals.values()) - sum(n for n, _, _ in then.values()) == -1

    # From 1 September 2025 to 15 February 2026: P5 registered in January from 1 May 2025
    # counts on both days, so it neither started nor ended; its registration is no retagging.
    found = _compared(history, {"as_of": "2026-02-15"}, "2025-09-01")
    assert found["started"] == ([], 0)
    assert found["ended"] == ([("P2", "P2")], 1)
    assert found["retagged"] == ([("P2", "P2")], 1)

    # From before P1 was registered (3 March 2025; it started on 1 January) to a day after
    # P2's registration: P2 started.
    found = _compared(history, {"as_of": "2025-06-15"}, "2024-12-31")
    assert found["started"] == ([("P1", "P1"), ("P2", "P2"), ("P5", "P5")], 3)
    assert found["ended"] == ([], 0)
    assert found["retagged"] == ([("P1", "P1"), ("P2", "P2")], 2)

    # The programme CYB only: P1 and P3.
    found = _compared(history, {"as_of": "2025-12-15", "programme": "CYB"}, "2025-07-01")
    assert found["ended"] == ([], 0)
    assert found["retagged"] == ([("P1", "P1"), ("P3", "P3")], 2)
