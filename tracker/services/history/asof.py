"""Coverage as of a day: the figures, the headline and the targets as they stood at its end.

Views of goals, objectives or themes by regions or programmes, counting active projects at any
significance without a region or date filter, are summed from the day's coverage changes; any
other view reads the project versions of the day with the same SQL as the present
(`tables.tables_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import AuditEvent, Goal, Objective, Region
from tracker.services.coverage.cube.contribute import UNIT
from tracker.services.coverage.cube.read import Figures
from tracker.services.coverage.filters import CoverageQuery, active_framework_id
from tracker.services.coverage.targets import TargetView, list_targets
from tracker.services.history import changes, follow

SINGULAR = {"goals": "goal", "objectives": "objective", "themes": "theme"}
ZERO = (0, 0, Decimal(0))


def end_of(day: date) -> datetime:
    """The first moment after `day` (UTC): what happened before it counts on that day."""
    return datetime.combine(day + timedelta(days=1), time(), UTC)


def serves(query: CoverageQuery) -> bool:
    """Whether the day's coverage changes hold this view."""
    return (
        query.as_of is not None
        and query.rows in SINGULAR
        and query.columns in ("regions", "programmes")
        and query.statuses == ("active",)
        and query.floor == 1
        and query.region_id is None
        and query.date_from is None
        and query.date_to is None
    )


def _plus(a: tuple, b: tuple) -> tuple:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def figures_at(session: Session, query: CoverageQuery) -> Figures | None:
    """The cells and totals of a view at the end of its `as_of` day, or None when the day's
    changes do not hold it (or are being built again)."""
    if not serves(query) or not follow.is_fresh(session):
        return None
    levels = ("objectives", "goals") if query.rows == "objectives" else (query.rows,)
    aligned = "themes" if query.rows == "themes" else "objectives"
    by_programme = query.columns == "programmes"
    sums = changes.sums_at(
        session,
        query.as_of,
        rows={*levels, aligned},
        programme_ids=query.programme_ids,
        by_programme=by_programme,
    )
    figures = Figures({}, {}, {}, ZERO)
    for key, (n, p, b, _) in sums.items():
        rows, row_id, col_id = key[:3]
        value = (n, p, Decimal(b) / UNIT)
        if row_id != changes.TOTAL and rows in levels:
            row = f"{SINGULAR[rows]}:{row_id}"
            if col_id != changes.TOTAL:
                if not by_programme:
                    figures.cells[(row, col_id)] = value
            elif by_programme:
                figures.cells[(row, key[3])] = value
                figures.row_totals[row] = _plus(figures.row_totals.get(row, ZERO), value)
            else:
                figures.row_totals[row] = value
        elif row_id == changes.TOTAL and rows == aligned:
            if col_id != changes.TOTAL:
                if not by_programme:
                    figures.column_totals[col_id] = value
            elif by_programme:
                figures.column_totals[key[3]] = value
                figures.total = _plus(figures.total, value)
            else:
                figures.total = value
    return figures


@dataclass(frozen=True)
class Headline:
    """Active projects, their whole budget, and how many are screened or tagged."""

    active_projects: int
    budget: Decimal
    screened: int


def headline_at(
    session: Session, day: date, *, programme_ids=(), region_id: int | None = None
) -> Headline:
    """The headline of active projects (of some programmes, working in a region) at the end of
    `day`."""
    sums = changes.sums_at(session, day, rows=[changes.PROJECTS], programme_ids=programme_ids)
    n, p, b, _ = sums.get((changes.PROJECTS, changes.TOTAL, region_id or changes.TOTAL), (0,) * 4)
    return Headline(n, Decimal(b) / UNIT, p)


def targets_at(session: Session, day: date) -> list[TargetView]:
    """The targets as they stood at the end of `day`: today's, with every later change undone
    from the audit trail."""
    targets = {_target_key(t): t for t in list_targets(session=session)}
    # Every target's events, few, by their own index; those of later days are undone. (A
    # condition or an order on the time would let the database walk the audit trail by time.)
    later = end_of(day)
    found = session.execute(select(AuditEvent).where(AuditEvent.entity_type == "target"))
    events = sorted(
        (e for e in found.scalars() if e.occurred_at >= later),
        key=lambda e: (e.occurred_at, e.id),
        reverse=True,
    )
    for event in events:
        key = event.entity_key
        if event.action == "create":
            targets.pop(key, None)
            continue
        before = event.before or {}
        minima = {
            "min_active_projects": before.get("min_active_projects"),
            "min_budget_eur": Decimal(str(before["min_budget_eur"]))
            if before.get("min_budget_eur") is not None
            else None,
        }
        known = targets.get(key) or _target_view(session, key)
        if known is not None:
            targets[key] = TargetView(**{**known.__dict__, **minima})
    return sorted(targets.values(), key=lambda v: (v.level != "goal", v.code, v.region_code or ""))


def _target_key(view: TargetView) -> str:
    return view.code + (f" in {view.region_name}" if view.region_name else "")


def _target_view(session: Session, key: str) -> TargetView | None:
    """A target that no longer exists, from its name in the audit trail ("4.2 in Africa")."""
    code, _, region_name = key.partition(" in ")
    fid = active_framework_id(session)
    region = (
        session.execute(select(Region).where(Region.name == region_name)).scalar()
        if region_name
        else None
    )
    goal = session.execute(select(Goal).where(Goal.framework_id == fid, Goal.code == code)).scalar()
    item = (
        goal
        or session.execute(
            select(Objective).where(Objective.framework_id == fid, Objective.code == code)
        ).scalar()
    )
    if item is None or (region_name and region is None):
        return None
    level = "goal" if goal else "objective"
    return TargetView(
        0,
        level,
        item.code,
        item.short_name or getattr(item, "statement", ""),
        f"{level}:{item.id}",
        region.id if region else None,
        region.code if region else None,
        region.name if region else None,
        None,
        None,
    )
