"""What each project brings to coverage, read from the tables in four plain scans and split in
Python by the rules of `sql._split` (the SPEC's): its status, programme, dates and budget in the
reporting currency, its places with their shares, and per significance floor its objective tags
(with their goals) and theme tags with their shares of the budget.

The coverage cube's upkeep, its rebuild, its check and the attribution index all read projects
through here, so the same project gives the same floating-point shares wherever it is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.models import Country, Currency, Objective, Theme
from tracker.services.coverage import sql

FLOORS = (1, 2)
CHUNK = 500
OWN = {"coverage_cube": True}  # coverage's own reads, which its hooks let pass
HUNDRED = Decimal(100)


@dataclass
class Attribution:
    """One project as coverage counts it: its status, programme and budget, its regions
    (region, share), its places (country or 0, region, the place's own region or 0, share),
    its dates and, per floor, its objective tags (objective, goal, significance, share) and
    theme tags (theme, significance, share)."""

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
    places: list[tuple[int, int, int, float]] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None


def split(shares: list, principal: list[bool] | None = None) -> list[float]:
    """The split of 1 over a project's items (tags, with `principal`, or places), as
    `sql._split`: items with a share take it; the rest goes equally to the principal items
    without a share (tags) or else to all items without one; where every item has a share the
    shares are scaled to make 1, and where they are all 0 the split is equal (over the
    principal tags where there are any)."""
    n = len(shares)
    if not n:
        return []
    given = [s for s in shares if s is not None]
    if not given:  # the common case: no shares at all
        if principal is not None and any(principal):
            each = 1.0 / sum(principal)
            return [each if p else 0.0 for p in principal]
        return [1.0 / n] * n
    total = sum((Decimal(s) for s in given), Decimal(0))
    if len(given) < n:
        rest = (HUNDRED - total) / HUNDRED
        unshared = [i for i, s in enumerate(shares) if s is None]
        principal_unshared = (
            [i for i in unshared if principal[i]] if principal is not None else []
        )
        out = []
        for i, s in enumerate(shares):
            if s is not None:
                out.append(float(Decimal(s) / HUNDRED))
            elif principal_unshared:
                out.append(float(rest / len(principal_unshared)) if principal[i] else 0.0)
            else:
                out.append(float(rest / len(unshared)))
        return out
    if total > 0:
        return [float(Decimal(s) / total) for s in shares]
    if principal is not None and any(principal):
        each = 1.0 / sum(principal)
        return [each if p else 0.0 for p in principal]
    return [1.0 / n] * n


def attributions(
    session: Session, framework_id: int, ids=None, tables: sql.Tables = sql.LIVE
) -> dict[int, Attribution]:
    """Each project's Attribution, for the given project ids or for all projects (read from
    `tables`: by default the tables themselves, or projects' past versions by version id)."""
    out: dict[int, Attribution] = {}
    if ids is None:
        _load(session, framework_id, None, out, tables)
        return out
    ids = sorted(i for i in ids if i is not None)
    for start in range(0, len(ids), CHUNK):
        _load(session, framework_id, ids[start : start + CHUNK], out, tables)
    return out


def _load(session, framework_id: int, ids, out: dict[int, Attribution], tables) -> None:
    Project, Location = tables.project, tables.location
    ObjectiveTag, ThemeTag = tables.objective_tag, tables.theme_tag

    def run(statement, column):
        if ids is not None:
            statement = statement.where(column.in_(ids))
        return session.execute(statement, execution_options=OWN)

    budget = func.coalesce(Project.budget_amount * Currency.rate_to_reporting, 0)
    for pid, status, programme, start, end, amount in run(
        select(
            Project.id,
            Project.status,
            Project.programme_id,
            Project.start_date,
            Project.end_date,
            budget,
        ).outerjoin(Currency, Currency.code == Project.budget_currency),
        Project.id,
    ):
        out[pid] = Attribution(status, programme, float(amount or 0), start_date=start, end_date=end)

    places: dict[int, list] = {}
    for pid, country, region, own_region, pct in run(
        select(
            Location.project_id,
            Location.country_id,
            func.coalesce(Location.region_id, Country.region_id),
            Location.region_id,
            Location.percentage,
        )
        .outerjoin(Country, Country.id == Location.country_id)
        .order_by(Location.project_id, Location.id),
        Location.project_id,
    ):
        places.setdefault(pid, []).append((country or 0, region, own_region or 0, pct))
    for pid, found in places.items():
        member = out.get(pid)
        if member is None:
            continue
        weights = split([p[3] for p in found])
        member.places = [(c, r, o, w) for (c, r, o, _), w in zip(found, weights, strict=True)]
        regions: dict[int, float] = {}
        for _, region, _, weight in member.places:
            regions[region] = regions.get(region, 0.0) + weight
        member.regions = sorted(regions.items())

    objectives: dict[int, list] = {}
    for row in run(
        select(
            ObjectiveTag.project_id,
            ObjectiveTag.objective_id,
            Objective.goal_id,
            ObjectiveTag.significance,
            ObjectiveTag.budget_share,
        )
        .join(Objective, Objective.id == ObjectiveTag.objective_id)
        .where(Objective.framework_id == framework_id)
        .order_by(ObjectiveTag.project_id, ObjectiveTag.objective_id),
        ObjectiveTag.project_id,
    ):
        objectives.setdefault(row[0], []).append(row[1:])
    for pid, tags in objectives.items():
        member = out.get(pid)
        if member is None:
            continue
        for floor in FLOORS:
            kept = [t for t in tags if t[2] >= floor]
            weights = split([t[3] for t in kept], [t[2] == sql.PRINCIPAL for t in kept])
            member.objectives[floor] = [
                (o, g, s, w) for (o, g, s, _), w in zip(kept, weights, strict=True)
            ]

    themes: dict[int, list] = {}
    for row in run(
        select(ThemeTag.project_id, ThemeTag.theme_id, ThemeTag.significance, ThemeTag.budget_share)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(Theme.framework_id == framework_id)
        .order_by(ThemeTag.project_id, ThemeTag.theme_id),
        ThemeTag.project_id,
    ):
        themes.setdefault(row[0], []).append(row[1:])
    for pid, tags in themes.items():
        member = out.get(pid)
        if member is None:
            continue
        for floor in FLOORS:
            kept = [t for t in tags if t[1] >= floor]
            weights = split([t[2] for t in kept], [t[1] == sql.PRINCIPAL for t in kept])
            member.themes[floor] = [(t, s, w) for (t, s, _), w in zip(kept, weights, strict=True)]
