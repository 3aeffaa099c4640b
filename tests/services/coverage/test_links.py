"""Every cell's link lists exactly the projects the cell counts."""

from __future__ import annotations

import pytest

from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.services.coverage import compute_matrix, parse_coverage_query
from tracker.services.coverage.links import cell_params
from tracker.services.projects.listing import list_projects, parse_project_list_query


def _params(pairs):
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


@pytest.mark.parametrize(
    "view",
    [
        {"rows": "goals", "cols": "regions"},
        {"rows": "objectives", "cols": "countries", "region": "AFR"},
        {"rows": "themes", "cols": "programmes"},
        {"rows": "goals", "cols": "themes", "floor": "2"},
        {"rows": "goals", "cols": "years", "status": ["active", "completed"]},
    ],
)
def test_cell_links_list_what_the_cells_count(framework, view):
    with session_scope(framework) as session:
        portfolio.build(session)
    with session_scope(framework) as session:
        matrix = compute_matrix(
            session=session, query=parse_coverage_query(session=session, params=view)
        )
        checked = 0
        for row in matrix.rows:
            for column in [*matrix.columns, None]:
                expected = (
                    matrix.cell(row, column).projects if column else matrix.row_total(row).projects
                )
                params = _params(cell_params(matrix.query, row, column))
                listed = list_projects(
                    session=session, query=parse_project_list_query(session=session, params=params)
                )
                assert listed.total == expected, (row.code, column and column.code, params)
                checked += expected > 0
        assert checked >= 3
