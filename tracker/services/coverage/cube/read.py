"""Reading the coverage cube: which views it serves, whether it is fresh, and a view's cells
and totals summed from its rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from tracker.models import CacheState, CoverageCell
from tracker.services.coverage.cube.contribute import (
    ANY_COLUMN,
    COLUMN_KINDS,
    FLOORS,
    OWN,
    ROW_KINDS,
    TOTAL,
    UNIT,
)
from tracker.services.coverage.filters import CoverageQuery

STATE_KEY = "coverage_cube"
STALE = "stale"


def fresh_state(framework_id: int) -> str:
    return f"fresh:{framework_id}"


def state(session: Session) -> str | None:
    return session.execute(
        select(CacheState.token).where(CacheState.key == STATE_KEY), execution_options=OWN
    ).scalar()


def serves(query: CoverageQuery) -> bool:
    """Whether the cube holds this view (any other view is computed from the tables)."""
    return (
        query.rows in ROW_KINDS
        and query.columns in COLUMN_KINDS
        and query.floor in FLOORS
        and query.region_id is None
        and query.date_from is None
        and query.date_to is None
        and query.as_of is None
    )


def is_fresh(session: Session, framework_id: int | None) -> bool:
    return framework_id is not None and state(session) == fresh_state(framework_id)


@dataclass
class Figures:
    cells: dict
    row_totals: dict
    column_totals: dict
    total: tuple[int, int, Decimal]


def read(session: Session, query: CoverageQuery) -> Figures | None:
    """The cells and totals of a view from the cube, or None when the cube cannot answer."""
    if not serves(query) or not is_fresh(session, query.framework_id):
        return None
    figures = Figures({}, {}, {}, (0, 0, Decimal(0)))
    singular = {"goals": "goal", "objectives": "objective", "themes": "theme"}
    for rows, cols, row_id, col_id, n, p, b in session.execute(
        read_statement(query), execution_options=OWN
    ):
        value = (int(n), int(p), Decimal(int(b)) / UNIT)
        if row_id != TOTAL:
            key = f"{singular[rows]}:{row_id}"
            if cols == ANY_COLUMN:
                figures.row_totals[key] = value
            else:
                figures.cells[(key, int(col_id))] = value
        elif cols == ANY_COLUMN:
            figures.total = value
        else:
            figures.column_totals[int(col_id)] = value
    return figures


def read_statement(query: CoverageQuery):
    """The cube rows of a view, summed over the statuses and programmes in the filter."""
    levels = ("objectives", "goals") if query.rows == "objectives" else (query.rows,)
    aligned = "themes" if query.rows == "themes" else "objectives"
    c = CoverageCell
    stmt = (
        select(
            c.rows,
            c.cols,
            c.row_id,
            c.col_id,
            func.sum(c.projects),
            func.sum(c.principal),
            func.sum(c.budget),
        )
        .where(
            c.floor == query.floor,
            c.cols.in_((query.columns, ANY_COLUMN)),
            or_(
                and_(c.rows.in_(levels), c.row_id != TOTAL),
                and_(c.rows == aligned, c.row_id == TOTAL),
            ),
        )
        .group_by(c.rows, c.cols, c.row_id, c.col_id)
        .having(func.sum(c.projects) > 0)
    )
    if query.statuses:
        stmt = stmt.where(c.status.in_(query.statuses))
    if query.programme_ids:
        stmt = stmt.where(c.programme_id.in_(query.programme_ids))
    return stmt
