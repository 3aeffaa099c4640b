"""Two days side by side: every figure of a view with its change, the gaps that opened and
closed, and the projects that started, ended or were retagged in between."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import and_, func, select
from sqlmodel import Session

from tracker.models import AuditEvent, ProjectVersion
from tracker.models._base import utcnow
from tracker.services.coverage import cache
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.gaps import Gap, find_gaps, view_gap_query
from tracker.services.coverage.index import store
from tracker.services.coverage.index.columnar import STATUSES
from tracker.services.coverage.matrix import EMPTY, Cell, Matrix, _query_key, compute_matrix
from tracker.services.history.asof import end_of
from tracker.services.history.tables import valid_on

LISTED = 20
# Kinds whose opening or closing is news; unscreened projects are counted, not opened.
NEWS = ("uncovered_objective", "below_target", "empty_goal_region", "empty_objective_region")
NEWS += ("theme_without_project", "coverage_at_risk")


@dataclass(frozen=True)
class Change:
    projects: int
    principal: int
    budget: object

    @staticmethod
    def between(now: Cell, then: Cell) -> Change:
        return Change(
            now.projects - then.projects, now.principal - then.principal, now.budget - then.budget
        )

    def value(self, metric: str):
        return {"projects": self.projects, "principal": self.principal, "budget": self.budget}[
            metric
        ]


@dataclass(frozen=True)
class Projects:
    """Some projects (code, title), the first LISTED of `total`."""

    shown: list[tuple[str, str]]
    total: int


@dataclass
class Comparison:
    day: date  # the later day (today when the view is now)
    since: date
    matrix: Matrix
    earlier: Matrix
    gaps_opened: list[Gap] = field(default_factory=list)
    gaps_closed: list[Gap] = field(default_factory=list)
    started: Projects | None = None
    ended: Projects | None = None
    retagged: Projects | None = None

    def cell(self, row, column) -> Change:
        then = self.earlier.cells.get((row.key, column.key), EMPTY)
        return Change.between(self.matrix.cell(row, column), then)

    def row_total(self, row) -> Change:
        return Change.between(self.matrix.row_total(row), self.earlier.row_total(row))

    def column_total(self, column) -> Change:
        then = self.earlier.column_totals.get(column.key, EMPTY)
        return Change.between(self.matrix.column_total(column), then)

    @property
    def total(self) -> Change:
        return Change.between(self.matrix.total, self.earlier.total)


def compare(
    *, session: Session, query: CoverageQuery, since: date, matrix: Matrix | None = None
) -> Comparison:
    """The view of `query` (now, or as of its day) beside the same view at the end of
    `since`; kept in the coverage cache until coverage next changes."""
    today = utcnow().date()
    key = ("comparison", _query_key(query), query.goal_code, since, today)
    return cache.cached(session, key, lambda: _compare(session, query, since, matrix))


def _compare(session: Session, query: CoverageQuery, since: date, matrix: Matrix | None):
    day = query.as_of or utcnow().date()
    earlier_query = query.with_view(as_of=since if since < utcnow().date() else None)
    matrix = matrix or compute_matrix(session=session, query=query)
    earlier = compute_matrix(session=session, query=earlier_query)
    result = Comparison(day, since, matrix, earlier)
    now_gaps = {g.key: g for g in find_gaps(session=session, query=view_gap_query(query))}
    then_gaps = {g.key: g for g in find_gaps(session=session, query=view_gap_query(earlier_query))}
    result.gaps_opened = [g for k, g in now_gaps.items() if k not in then_gaps and g.kind in NEWS]
    result.gaps_closed = [g for k, g in then_gaps.items() if k not in now_gaps and g.kind in NEWS]
    if since < day:
        result.started, result.ended = _started_and_ended(session, query, since, day)
        result.retagged = _retagged(session, query, since, day)
    return result


def _active_on(day: date, query: CoverageQuery):
    v = ProjectVersion
    stmt = select(v.project_id).where(valid_on(day), v.status == "active")
    if query.programme_ids:
        stmt = stmt.where(v.programme_id.in_(query.programme_ids))
    return stmt


def _listed(session: Session, day: date, ids_stmt) -> Projects:
    v = ProjectVersion
    rows = session.execute(
        select(v.code, v.code)
        .where(valid_on(day), v.project_id.in_(ids_stmt))
        .order_by(v.code)
        .limit(LISTED)
    ).all()
    total = session.execute(select(func.count()).select_from(ids_stmt.subquery())).scalar()
    return Projects([(code, code) for code, _ in rows], int(total or 0))


def _started_and_ended(session, query, since: date, day: date) -> tuple[Projects, Projects]:
    if query.framework_id is not None and store.usable(session):
        columns = store.columns(session, query.framework_id, versions=True)
        before, after = _active(columns, since, query), _active(columns, day, query)
        started = after & ~before
        ended = before & ~after
        return _listed_from(columns, day, started), _listed_from(columns, since, ended)
    before, after = _active_on(since, query), _active_on(day, query)
    started = after.where(ProjectVersion.project_id.not_in(before))
    ended = before.where(ProjectVersion.project_id.not_in(after))
    return _listed(session, day, started), _listed(session, since, ended)


def _held(columns, day: date) -> np.ndarray:
    """Which versions held at the end of `day`."""
    ordinal = day.toordinal()
    return (
        columns.alive
        & (columns.meta["valid_from"] <= ordinal)
        & (columns.meta["valid_to"] > ordinal)
    )


def _of_projects(columns, chosen: np.ndarray) -> np.ndarray:
    """Which versions belong to the projects `chosen` marks (by project id)."""
    project = columns.meta["project"]
    inside = (project >= 0) & (project < len(chosen))
    out = np.zeros(columns.size, dtype=bool)
    out[inside] = chosen[project[inside]]
    return out


def _active(columns, day: date, query: CoverageQuery) -> np.ndarray:
    """The projects active at the end of `day` (of the query's programmes), marked by their ids,
    from the index of project versions."""
    mask = _held(columns, day) & (columns.status == STATUSES.index("active"))
    if query.programme_ids:
        mask &= np.isin(columns.programme, list(query.programme_ids))
    project = columns.meta["project"]
    out = np.zeros(int(project.max(initial=-1)) + 1, dtype=bool)
    out[project[mask]] = True
    return out


def _listed_from(columns, day: date, chosen: np.ndarray) -> Projects:
    """The projects `chosen` marks (by id), by their codes on `day`, from the index of project
    versions."""
    return _shown(columns, _held(columns, day) & _of_projects(columns, chosen), int(chosen.sum()))


def _shown(columns, versions: np.ndarray, total: int) -> Projects:
    codes = heapq.nsmallest(LISTED, columns.meta["code"][versions].tolist())
    return Projects([(code, code) for code in codes], total)


def _retagged(session, query, since: date, day: date) -> Projects:
    a = AuditEvent
    events = and_(
        a.entity_type.in_(("objective_tag", "theme_tag")),
        a.occurred_at >= end_of(since),
        a.occurred_at < end_of(day),
    )
    v = ProjectVersion
    if query.framework_id is not None and store.usable(session):
        found = session.execute(
            select(a.project_id).distinct().where(events, a.project_id.is_not(None))
        ).scalars()
        ids = np.fromiter(found, dtype=np.int64)
        columns = store.columns(session, query.framework_id, versions=True)
        chosen = np.zeros(
            int(max(ids.max(initial=-1), columns.meta["project"].max(initial=-1))) + 1, dtype=bool
        )
        chosen[ids] = True
        versions = _held(columns, day) & _of_projects(columns, chosen)
        if query.programme_ids:
            versions &= np.isin(columns.programme, list(query.programme_ids))
        return _shown(columns, versions, int(versions.sum()))
    ids = select(v.project_id).where(
        valid_on(day), v.project_id.in_(select(a.project_id).where(events))
    )
    if query.programme_ids:
        ids = ids.where(v.programme_id.in_(query.programme_ids))
    return _listed(session, day, ids)
