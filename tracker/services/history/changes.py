"""How the figures of active projects move, day by day.

A version's figures are added on its first day and taken away on the day after its last; a
day's figures are the sum of every change up to it. The figures are those of the coverage cube
for active projects at any significance, by region and everywhere, per programme: each goal,
objective and theme (with principal projects and attributed budget), the aligned projects of
objectives and of themes (row 0), and every active project ("projects", row 0; principal there
counts the screened or tagged ones, and budget is the whole budget in each region it works in).
`id_sum` adds up project ids: a figure of one project names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, insert, select
from sqlmodel import Session

from tracker.models import CoverageChange
from tracker.services.coverage import sql
from tracker.services.coverage.cube.contribute import OWN, UNIT, Member
from tracker.services.coverage.index import store
from tracker.services.history import running

FLOOR = 1
TOTAL = 0
PROJECTS = "projects"
INSERT_ROWS = 1_000

Key = tuple[int, str, int, int]  # programme, rows, row id, column (region, GLOBAL, or 0)


def contribution(member: Member, project_id: int, screened: bool, out: dict, sign: int) -> None:
    """Add (sign 1) or take away (-1) what one active project brings, keyed like the table."""
    if member.status != "active":
        return
    programme = member.programme_id
    budget = member.budget * UNIT
    regions = member.regions or [(sql.GLOBAL, 1.0)]

    def add(rows, row_id, col_id, principal, amount):
        key = (programme, rows, row_id, col_id)
        entry = out.get(key)
        if entry is None:
            out[key] = entry = [0, 0, 0, 0]
        entry[0] += sign
        entry[1] += sign * principal
        entry[2] += sign * round(amount)
        entry[3] += sign * project_id

    objectives, themes = member.objectives[FLOOR], member.themes[FLOOR]
    goals: dict[int, tuple[int, float]] = {}
    for _, goal_id, significance, weight in objectives:
        seen = goals.get(goal_id)
        goals[goal_id] = (
            (max(seen[0], significance), seen[1] + weight) if seen else (significance, weight)
        )
    levels = (
        ("goals", [(g, s, w) for g, (s, w) in goals.items()]),
        ("objectives", [(o, s, w) for o, _, s, w in objectives]),
        ("themes", themes),
    )
    for rows, items in levels:
        for row_id, significance, row_weight in items:
            principal = 1 if significance == sql.PRINCIPAL else 0
            add(rows, row_id, TOTAL, principal, budget * row_weight)
            for region, weight in regions:
                add(rows, row_id, region, principal, budget * row_weight * weight)
        if rows != "goals" and items:
            principal = 1 if any(item[-2] == sql.PRINCIPAL for item in items) else 0
            add(rows, TOTAL, TOTAL, principal, budget)
            for region, weight in regions:
                add(rows, TOTAL, region, principal, budget * weight)
    reviewed = 1 if (screened or objectives or themes) else 0
    add(PROJECTS, TOTAL, TOTAL, reviewed, budget)
    for region in dict.fromkeys(r for r, _ in regions):
        add(PROJECTS, TOTAL, region, reviewed, budget)


def add_on(out: dict, day: date, amounts: dict) -> None:
    """Put `amounts` (keyed like `contribution`) on `day` in `out`."""
    for key, value in amounts.items():
        entry = out.setdefault((day, *key), [0, 0, 0, 0])
        for i in range(4):
            entry[i] += value[i]


def append(session: Session, by_day: dict) -> None:
    """Store changes keyed (day, programme, rows, row id, column)."""
    rows = [
        {
            "day": k[0],
            "programme_id": k[1],
            "rows": k[2],
            "row_id": k[3],
            "col_id": k[4],
            "projects": v[0],
            "principal": v[1],
            "budget": v[2],
            "id_sum": v[3],
        }
        for k, v in by_day.items()
        if any(v)
    ]
    for start in range(0, len(rows), INSERT_ROWS):
        session.execute(
            insert(CoverageChange.__table__),
            rows[start : start + INSERT_ROWS],
            execution_options=OWN,
        )


def sums_at(
    session: Session,
    day: date,
    *,
    rows: Iterable[str],
    programme_ids: Iterable[int] = (),
    by_programme: bool = False,
) -> dict[tuple, tuple[int, int, int, int]]:
    """Each figure at the end of `day`: (rows, row id, column[, programme]) to
    (projects, principal, budget in ten-thousandths, id sum), where there are projects.

    Summed from this process's copy of the changes (`running`), unless the session holds
    changes of its own not yet committed."""
    if store.usable(session):
        return running.sums_at(
            session, day, rows=rows, programme_ids=programme_ids, by_programme=by_programme
        )
    c = CoverageChange
    keys = [c.rows, c.row_id, c.col_id] + ([c.programme_id] if by_programme else [])
    stmt = (
        select(
            *keys,
            func.sum(c.projects),
            func.sum(c.principal),
            func.sum(c.budget),
            func.sum(c.id_sum),
        )
        .where(c.rows.in_(list(rows)), c.day <= day)
        .group_by(*keys)
        .having(func.sum(c.projects) > 0)
    )
    programme_ids = list(programme_ids)
    if programme_ids:
        stmt = stmt.where(c.programme_id.in_(programme_ids))
    width = len(keys)
    return {
        tuple(row[:width]): tuple(int(v) for v in row[width:])
        for row in session.execute(stmt, execution_options=OWN)
    }


def daily(
    session: Session,
    *,
    rows: Iterable[str],
    row_ids: Iterable[int] | None = None,
    col_id: int = TOTAL,
    programme_ids: Iterable[int] = (),
    until: date,
) -> list[tuple]:
    """(day, rows, row id, projects, principal, budget) changes up to `until`, in one column,
    by day: what series along any axis are summed from."""
    c = CoverageChange
    stmt = (
        select(
            c.day,
            c.rows,
            c.row_id,
            func.sum(c.projects),
            func.sum(c.principal),
            func.sum(c.budget),
        )
        .where(c.rows.in_(list(rows)), c.col_id == col_id, c.day <= until)
        .group_by(c.day, c.rows, c.row_id)
        .order_by(c.day)
    )
    if row_ids is not None:
        stmt = stmt.where(c.row_id.in_(list(row_ids)))
    programme_ids = list(programme_ids)
    if programme_ids:
        stmt = stmt.where(c.programme_id.in_(programme_ids))
    return list(session.execute(stmt, execution_options=OWN))
