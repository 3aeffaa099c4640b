"""What one project contributes to the coverage cube, and the contributions of many read at
once from the tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Float, func, select, type_coerce
from sqlmodel import Session

from tracker.models import Objective
from tracker.services.coverage import sql
from tracker.services.coverage.filters import CoverageQuery

UNIT = 10_000  # budgets in ten-thousandths of the reporting currency
TOTAL = 0  # the other side of a row total, a column total or the grand total
FLOORS = (1, 2)
ROW_KINDS = ("goals", "objectives", "themes")
COLUMN_KINDS = ("regions", "programmes", "themes")
ANY_COLUMN = "*"  # row totals and the grand total do not depend on the columns
CHUNK = 500
OWN = {"coverage_cube": True}  # the cube's own statements, which its hooks let pass


@dataclass
class Member:
    """What one project brings to coverage: its status, programme and budget, its places
    (region, share) and, per floor, its objective tags (objective, goal, significance, share)
    and theme tags (theme, significance, share)."""

    status: str
    programme_id: int
    budget: float
    regions: list[tuple[int, float]] = field(default_factory=list)
    objectives: dict[int, list[tuple[int, int, int, float]]] = field(
        default_factory=lambda: {f: [] for f in FLOORS}
    )
    themes: dict[int, list[tuple[int, int, float]]] = field(
        default_factory=lambda: {f: [] for f in FLOORS}
    )


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
    out: dict[int, Member] = {}
    if ids is None:
        _load(session, framework_id, None, out, tables)
        return out
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        _load(session, framework_id, ids[start : start + CHUNK], out, tables)
    return out


def _float(expression):
    """A share read back whole: typed as the budget share column, SQLite's answer would be
    rounded to two places on the way."""
    return type_coerce(expression, Float)


def _load(
    session: Session, framework_id: int, ids, out: dict[int, Member], tables: sql.Tables
) -> None:
    Project = tables.project
    extra = [Project.id.in_(ids)] if ids is not None else None

    def run(statement):
        return session.execute(statement, execution_options=OWN)

    base = CoverageQuery(statuses=(), framework_id=framework_id)
    fp = sql.filtered_projects(base, extra=extra, tables=tables)
    for pid, status, programme, budget in run(
        select(fp.c.project_id, Project.status, fp.c.programme_id, fp.c.budget).join(
            Project, Project.id == fp.c.project_id
        )
    ):
        out[pid] = Member(status, programme, float(budget or 0))
    locations = sql.location_weights(fp, tables)
    for pid, region_id, weight in run(
        select(locations.c.project_id, locations.c.region_id, _float(func.sum(locations.c.weight)))
        .group_by(locations.c.project_id, locations.c.region_id)
        .order_by(locations.c.project_id, locations.c.region_id)
    ):
        out[pid].regions.append((region_id, float(weight)))
    for floor in FLOORS:
        query = base.with_view(floor=floor)
        tags = sql.tag_weights(fp, query, themes=False, name="cube_objectives", tables=tables)
        for pid, objective_id, goal_id, significance, weight in run(
            select(
                tags.c.project_id,
                tags.c.item_id,
                Objective.goal_id,
                tags.c.significance,
                _float(tags.c.weight),
            )
            .join(Objective, Objective.id == tags.c.item_id)
            .order_by(tags.c.project_id, tags.c.item_id)
        ):
            out[pid].objectives[floor].append((objective_id, goal_id, significance, float(weight)))
        tags = sql.tag_weights(fp, query, themes=True, name="cube_themes", tables=tables)
        for pid, theme_id, significance, weight in run(
            select(
                tags.c.project_id, tags.c.item_id, tags.c.significance, _float(tags.c.weight)
            ).order_by(tags.c.project_id, tags.c.item_id)
        ):
            out[pid].themes[floor].append((theme_id, significance, float(weight)))
