"""The coverage matrix against a hand-computed portfolio: every cell."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.services.coverage import compute_matrix, parse_coverage_query


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def _matrix(engine, **params):
    with session_scope(engine) as session:
        query = parse_coverage_query(session=session, params=params)
        return compute_matrix(session=session, query=query)


def _by_code(matrix, level):
    """{(row code, column code): (projects, principal, budget to the cent)}, non-empty cells."""
    out = {}
    for row in matrix.rows:
        if row.level != level:
            continue
        for column in matrix.columns:
            cell = matrix.cell(row, column)
            if cell.projects:
                out[(row.code, column.code)] = (
                    cell.projects,
                    cell.principal,
                    cell.budget.quantize(Decimal("0.01")),
                )
    return out


def _d(value):
    return Decimal(value).quantize(Decimal("0.01"))


def test_goals_by_regions_every_cell(example):
    matrix = _matrix(example, rows="goals", cols="regions")
    assert [c.code for c in matrix.columns] == ["AFR", "AME", "ASP", "EUR", "MENA", "global"]
    assert _by_code(matrix, "goal") == {
        ("GPG1", "AFR"): (3, 1, _d(60_000)),
        ("GPG1", "AME"): (1, 0, _d(20_000)),
        ("GPG1", "global"): (1, 1, _d(100_000)),
        ("GPG4", "AFR"): (3, 2, _d(142_000)),
        ("GPG4", "EUR"): (1, 1, _d(28_000)),
        ("GPG4", "ASP"): (1, 1, _d(60_000)),
        ("GPG4", "global"): (1, 0, _d(0)),
        ("GPG5", "AFR"): (2, 0, _d(38_000)),
        ("GPG5", "EUR"): (1, 0, _d(12_000)),
        ("GPG5", "AME"): (1, 0, _d(20_000)),
        ("GPG5", "MENA"): (1, 1, _d(90_000)),
    }
    totals = {r.code: matrix.row_total(r) for r in matrix.rows}
    assert (totals["GPG1"].projects, totals["GPG1"].principal, _d(totals["GPG1"].budget)) == (
        4,
        2,
        _d(180_000),
    )
    assert (totals["GPG4"].projects, totals["GPG4"].principal, _d(totals["GPG4"].budget)) == (
        5,
        3,
        _d(230_000),
    )
    assert (totals["GPG5"].projects, totals["GPG5"].principal, _d(totals["GPG5"].budget)) == (
        3,
        1,
        _d(160_000),
    )
    assert totals["GPG7"].projects == 0
    columns = {c.code: matrix.column_total(c) for c in matrix.columns}
    assert {k: (v.projects, v.principal, _d(v.budget)) for k, v in columns.items()} == {
        "AFR": (5, 3, _d(240_000)),
        "AME": (1, 0, _d(40_000)),
        "ASP": (1, 1, _d(60_000)),
        "EUR": (1, 1, _d(40_000)),
        "MENA": (1, 1, _d(90_000)),
        "global": (1, 1, _d(100_000)),
    }
    assert (matrix.total.projects, matrix.total.principal, _d(matrix.total.budget)) == (
        8,
        6,
        _d(570_000),
    )


def test_objectives_by_regions_every_cell(example):
    matrix = _matrix(example, rows="objectives", cols="regions")
    assert _by_code(matrix, "objective") == {
        ("1.1", "AFR"): (2, 1, _d(30_000)),
        ("1.1", "global"): (1, 1, _d(50_000)),
        ("1.2", "global"): (1, 1, _d(50_000)),
        ("1.3", "AFR"): (1, 0, _d(20_000)),
        ("1.3", "AME"): (1, 0, _d(20_000)),
        ("1.4", "AFR"): (1, 1, _d(10_000)),
        ("4.1", "AFR"): (2, 2, _d(142_000)),
        ("4.1", "EUR"): (1, 1, _d(28_000)),
        ("4.1", "ASP"): (1, 1, _d(30_000)),
        ("4.2", "global"): (1, 0, _d(0)),
        ("4.2", "ASP"): (1, 1, _d(30_000)),
        ("4.3", "AFR"): (1, 0, _d(0)),
        ("5.1", "AFR"): (1, 0, _d(20_000)),
        ("5.1", "AME"): (1, 0, _d(20_000)),
        ("5.2", "AFR"): (1, 0, _d(18_000)),
        ("5.2", "EUR"): (1, 0, _d(12_000)),
        ("5.3", "MENA"): (1, 1, _d(36_000)),
        ("5.4", "MENA"): (1, 0, _d(54_000)),
    }
    # Goal rows appear above their objectives, with the goal's own figures.
    assert [r.code for r in matrix.rows[:7]] == ["GPG1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert _by_code(matrix, "goal")[("GPG4", "AFR")] == (3, 2, _d(142_000))


def test_principal_only(example):
    matrix = _matrix(example, rows="goals", cols="regions", floor="2")
    assert _by_code(matrix, "goal") == {
        ("GPG1", "AFR"): (1, 1, _d(40_000)),
        ("GPG1", "global"): (1, 1, _d(100_000)),
        ("GPG4", "AFR"): (2, 2, _d(160_000)),
        ("GPG4", "EUR"): (1, 1, _d(40_000)),
        ("GPG4", "ASP"): (1, 1, _d(60_000)),
        ("GPG5", "MENA"): (1, 1, _d(90_000)),
    }
    assert (matrix.total.projects, _d(matrix.total.budget)) == (6, _d(490_000))


def test_countries_of_a_region(example):
    matrix = _matrix(example, rows="goals", cols="countries", region="AFR")
    assert [c.code for c in matrix.columns] == ["KE", "whole-region", "elsewhere"]
    assert _by_code(matrix, "goal") == {
        ("GPG1", "KE"): (2, 1, _d(40_000)),
        ("GPG1", "whole-region"): (1, 0, _d(20_000)),
        ("GPG1", "elsewhere"): (1, 0, _d(20_000)),
        ("GPG4", "KE"): (3, 2, _d(142_000)),
        ("GPG4", "elsewhere"): (1, 1, _d(28_000)),
        ("GPG5", "KE"): (1, 0, _d(18_000)),
        ("GPG5", "whole-region"): (1, 0, _d(20_000)),
        ("GPG5", "elsewhere"): (2, 0, _d(32_000)),
    }


def test_programmes_and_statuses(example):
    matrix = _matrix(example, rows="goals", cols="programmes")
    totals = {
        c.code: (matrix.column_total(c).projects, _d(matrix.column_total(c).budget))
        for c in matrix.columns
    }
    assert totals == {
        "CT": (0, _d(0)),
        "CYB": (6, _d(400_000)),
        "FCAC": (2, _d(170_000)),
        "OEC": (0, _d(0)),
    }
    everything = _matrix(
        example, rows="goals", cols="programmes", status=["active", "completed", "pipeline"]
    )
    assert everything.total.projects == 10  # P7 and P10 join
    assert _d(everything.total.budget) == _d(570_000 + 1_000_000 + 70_000)


def test_themes_as_rows(example):
    matrix = _matrix(example, rows="themes", cols="regions")
    assert _by_code(matrix, "theme") == {
        ("I", "AME"): (1, 1, _d(30_000)),
        ("III", "AFR"): (1, 0, _d(60_000)),
        ("III", "EUR"): (1, 0, _d(40_000)),
    }


def test_themes_as_columns(example):
    matrix = _matrix(example, rows="goals", cols="themes")
    cells = _by_code(matrix, "goal")
    assert cells[("GPG4", "III")] == (1, 1, _d(70_000))
    assert cells[("GPG5", "III")] == (1, 0, _d(30_000))
    assert cells[("GPG4", "none")] == (4, 2, _d(160_000))  # P1, P3, P5, P11 have no theme
    assert [c.code for c in matrix.columns][-1] == "none"


def test_years(framework):
    from datetime import date

    from tests import factories
    from tests.services.coverage.portfolio import _tag

    with session_scope(framework) as session:
        spanning = factories.project(
            session,
            code="Y1",
            budget_amount=Decimal(365_000),
            start_date=date(2025, 7, 1),
            end_date=date(2026, 6, 30),
        )
        _tag(session, spanning, "2.1", 2)
        undated = factories.project(
            session, code="Y2", budget_amount=Decimal(10_000), start_date=None, end_date=None
        )
        _tag(session, undated, "2.1", 1)
    matrix = _matrix(framework, rows="goals", cols="years")
    assert [c.code for c in matrix.columns] == ["2025", "2026", "undated"]
    assert _by_code(matrix, "goal") == {
        ("GPG2", "2025"): (1, 1, _d(184_000)),  # 184 of 365 days
        ("GPG2", "2026"): (1, 1, _d(181_000)),
        ("GPG2", "undated"): (1, 0, _d(10_000)),
    }


def test_date_window_and_region_filters(example):
    in_window = _matrix(
        example, rows="goals", cols="regions", **{"from": "2025-06-01", "to": "2025-12-31"}
    )
    # Only P1 has dates in the example besides the factory default (2025-01-01 to 2027-12-31).
    assert in_window.total.projects == 8
    after = _matrix(example, rows="goals", cols="regions", **{"from": "2027-01-01"})
    assert {r.code for r in after.rows if after.row_total(r).projects} == {"GPG1", "GPG4", "GPG5"}
    assert after.total.projects == 7  # P1 ended in 2026
    mena = _matrix(example, rows="goals", cols="regions", region="MENA")
    assert mena.total.projects == 1
    assert _d(mena.total.budget) == _d(90_000)
