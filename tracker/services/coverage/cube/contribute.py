"""What one project contributes to the coverage cube, and the contributions of many read at
once from the tables."""

from __future__ import annotations

from sqlmodel import Session

from tracker.services.coverage import sql
from tracker.services.coverage.index.attribution import FLOORS, OWN, Attribution, attributions

UNIT = 10_000  # budgets in ten-thousandths of the reporting currency
TOTAL = 0  # the other side of a row total, a column total or the grand total
ROW_KINDS = ("goals", "objectives", "themes")
COLUMN_KINDS = ("regions", "programmes", "themes")
ANY_COLUMN = "*"  # row totals and the grand total do not depend on the columns

__all__ = [
    "ANY_COLUMN",
    "COLUMN_KINDS",
    "FLOORS",
    "OWN",
    "ROW_KINDS",
    "TOTAL",
    "UNIT",
    "Member",
    "contribute",
    "members",
]


# What one project brings to coverage (tracker.services.coverage.index.attribution).
Member = Attribution


def contribute(member: Member, out: dict, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) one project's amounts to `out`, keyed like the cube."""
    status, programme = member.status, member.programme_id
    budget = member.budget * UNIT
    regions = member.regions or [(sql.GLOBAL, 1.0)]
    programmes = [(programme, 1.0)]

    def add(floor, rows, cols, row_id, col_id, principal, amount):
        key = (floor, status, programme, rows, cols, row_id, col_id)
        entry = out.get(key)
        if entry is None:
            out[key] = entry = [0, 0, 0]
        entry[0] += sign
        entry[1] += sign * principal
        entry[2] += sign * round(amount)

    for floor in FLOORS:
        objectives = member.objectives[floor]
        themes = member.themes[floor]
        goals: dict[int, tuple[int, float]] = {}
        for _, goal_id, significance, weight in objectives:
            seen = goals.get(goal_id)
            goals[goal_id] = (
                (max(seen[0], significance), seen[1] + weight) if seen else (significance, weight)
            )
        theme_columns = [(t, w) for t, _, w in themes] or [(sql.NO_THEME, 1.0)]
        columns = (
            ("regions", regions),
            ("programmes", programmes),
            ("themes", theme_columns),
        )
        levels = (
            ("goals", [(g, s, w) for g, (s, w) in goals.items()]),
            ("objectives", [(o, s, w) for o, _, s, w in objectives]),
            ("themes", themes),
        )
        for rows, items in levels:
            for row_id, significance, row_weight in items:
                principal = 1 if significance == sql.PRINCIPAL else 0
                row_budget = budget * row_weight
                add(floor, rows, ANY_COLUMN, row_id, TOTAL, principal, row_budget)
                for cols, pairs in columns:
                    for col_id, col_weight in pairs:
                        add(floor, rows, cols, row_id, col_id, principal, row_budget * col_weight)
        for rows, items in (("objectives", objectives), ("themes", themes)):
            if not items:
                continue
            principal = 1 if any(item[-2] == sql.PRINCIPAL for item in items) else 0
            add(floor, rows, ANY_COLUMN, TOTAL, TOTAL, principal, budget)
            for cols, pairs in columns:
                for col_id, col_weight in pairs:
                    add(floor, rows, cols, TOTAL, col_id, principal, budget * col_weight)


def members(
    session: Session, framework_id: int, ids=None, tables: sql.Tables = sql.LIVE
) -> dict[int, Member]:
    """Each project's Member, for the given project ids or for all projects (read from
    `tables`: by default the tables themselves, or projects' past versions by version id)."""
    return attributions(session, framework_id, ids, tables)
