"""What each project brings to coverage, one object per project: its status, programme, dates
and budget in the reporting currency, its places and regions with their shares, and per
significance floor its objective tags, their goals and its theme tags with their shares of the
budget. Read as columns (`columnar.read_columns`), so that one project counts the same in the
cube's upkeep, its rebuild, its check and every view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from tracker.services.coverage import sql
from tracker.services.coverage.index.columnar import (
    FLOORS,
    NO_DAY,
    OWN,
    STATUSES,
    Columns,
    read_columns,
)

__all__ = ["FLOORS", "OWN", "Attribution", "attributions", "from_columns"]


@dataclass
class Attribution:
    """One project as coverage counts it: its status, programme and budget, its regions
    (region, share), per floor its objective tags (objective, goal, significance, share), their
    goals (goal, highest significance, share) and theme tags (theme, significance, share), its
    places (country or 0, region, the place's own region or 0, share) and its dates."""

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
    goals: dict[int, list[tuple[int, int, float]]] = field(
        default_factory=lambda: {f: [] for f in FLOORS}
    )
    places: list[tuple[int, int, int, float]] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None


def _day(ordinal: int) -> date | None:
    return None if ordinal == NO_DAY else date.fromordinal(int(ordinal))


def from_columns(columns: Columns) -> dict[int, Attribution]:
    """Each live project of `columns` as an Attribution, by project id."""
    out: dict[int, Attribution] = {}
    by_pos: dict[int, Attribution] = {}
    for pos in range(columns.size):
        if not columns.alive[pos]:
            continue
        member = Attribution(
            STATUSES[int(columns.status[pos])],
            int(columns.programme[pos]),
            float(columns.budget[pos]),
            start_date=_day(columns.start[pos]),
            end_date=_day(columns.end[pos]),
        )
        out[int(columns.pid[pos])] = by_pos[pos] = member

    def rows(name, *keys):
        table = columns.live(name)
        lists = [table["pos"].tolist()] + [table[k].tolist() for k in keys]
        return zip(*lists, strict=True)

    for pos, region, w in rows("region", "item", "w"):
        by_pos[pos].regions.append((region, w))
    for pos, country, region, own, w in rows("place", "country", "region", "own", "w"):
        by_pos[pos].places.append((country, region, own, w))
    for floor in FLOORS:
        for pos, item, goal, sig, w in rows(f"obj{floor}", "item", "goal", "sig", "w"):
            by_pos[pos].objectives[floor].append((item, goal, sig, w))
        for pos, item, sig, w in rows(f"goal{floor}", "item", "sig", "w"):
            by_pos[pos].goals[floor].append((item, sig, w))
        for pos, item, sig, w in rows(f"theme{floor}", "item", "sig", "w"):
            by_pos[pos].themes[floor].append((item, sig, w))
    return out


def attributions(
    session: Session, framework_id: int, ids=None, tables: sql.Tables = sql.LIVE
) -> dict[int, Attribution]:
    """Each project's Attribution, for the given project ids or for all projects (read from
    `tables`: by default the tables themselves, or projects' past versions by version id)."""
    return from_columns(read_columns(session, framework_id, ids, tables))
