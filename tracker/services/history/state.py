"""A project as coverage sees it: its own fields, its tags and its places. Two states that are
equal count alike, so a version changes only when one of these does.

Before the tracker knew a project (it was registered or imported later), it counts from its
start date, as it stood when it was registered: active until its end date and completed after,
or, registered suspended or cancelled, so from its start. A project registered in the pipeline,
or without a start date, counts from its registration only."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import (
    LocationVersion,
    ObjectiveTag,
    ObjectiveTagVersion,
    Project,
    ProjectLocation,
    ProjectVersion,
    ThemeTag,
    ThemeTagVersion,
)

Tag = tuple[int, Decimal | None]  # significance, budget share
Place = tuple[int | None, int | None, Decimal | None]  # country, region, percentage
CHUNK = 500
DAY = timedelta(days=1)


@dataclass(frozen=True)
class State:
    code: str
    status: str
    programme_id: int
    start_date: date | None
    end_date: date | None
    budget_amount: Decimal | None
    budget_currency: str | None
    screened: bool
    objectives: dict[int, Tag] = field(default_factory=dict)
    themes: dict[int, Tag] = field(default_factory=dict)
    places: tuple[Place, ...] = ()

    @property
    def tagged(self) -> bool:
        return bool(self.objectives or self.themes)

    def key(self) -> tuple:
        """What counts, for comparing two states."""
        return (
            self.code,
            self.status,
            self.programme_id,
            self.start_date,
            self.end_date,
            _number(self.budget_amount),
            self.budget_currency,
            self.screened,
            tuple(sorted((k, s, _number(b)) for k, (s, b) in self.objectives.items())),
            tuple(sorted((k, s, _number(b)) for k, (s, b) in self.themes.items())),
            tuple(sorted(((c or 0), (r or 0), _number(p)) for c, r, p in self.places)),
        )

    def with_status(self, status: str) -> State:
        return replace(self, status=status)


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(value).normalize()


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def current_states(session: Session, ids) -> dict[int, State]:
    """The projects' states as the tables hold them now (missing: deleted); every project's
    when `ids` is None."""
    out: dict[int, State] = {}
    for chunk in _chunks(ids) if ids is not None else [None]:

        def where(column, chunk=chunk):
            return column.in_(chunk) if chunk is not None else column.is_not(None)

        projects = session.execute(select(Project).where(where(Project.id))).scalars()
        for p in projects:
            out[p.id] = State(
                p.code,
                p.status,
                p.programme_id,
                p.start_date,
                p.end_date,
                p.budget_amount,
                p.budget_currency,
                p.screened_at is not None,
                {},
                {},
            )
        objectives: dict[int, dict] = {}
        for pid, item, sig, share in session.execute(
            select(
                ObjectiveTag.project_id,
                ObjectiveTag.objective_id,
                ObjectiveTag.significance,
                ObjectiveTag.budget_share,
            ).where(where(ObjectiveTag.project_id))
        ):
            objectives.setdefault(pid, {})[item] = (sig, share)
        themes: dict[int, dict] = {}
        for pid, item, sig, share in session.execute(
            select(
                ThemeTag.project_id, ThemeTag.theme_id, ThemeTag.significance, ThemeTag.budget_share
            ).where(where(ThemeTag.project_id))
        ):
            themes.setdefault(pid, {})[item] = (sig, share)
        places: dict[int, list] = {}
        for pid, country, region, pct in session.execute(
            select(
                ProjectLocation.project_id,
                ProjectLocation.country_id,
                ProjectLocation.region_id,
                ProjectLocation.percentage,
            )
            .where(where(ProjectLocation.project_id))
            .order_by(ProjectLocation.id)
        ):
            places.setdefault(pid, []).append((country, region, pct))
        for pid in list(out):
            if chunk is None or pid in chunk:
                out[pid] = replace(
                    out[pid],
                    objectives=objectives.get(pid, {}),
                    themes=themes.get(pid, {}),
                    places=tuple(places.get(pid, ())),
                )
    return out


def open_versions(session: Session, ids) -> dict[int, tuple[ProjectVersion, State]]:
    """Each project's open version (the one that holds now) and its state."""
    out: dict[int, tuple[ProjectVersion, State]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(ProjectVersion).where(
                ProjectVersion.project_id.in_(chunk), ProjectVersion.valid_to.is_(None)
            )
        ).scalars()
        found = {v.id: v for v in rows}
        if not found:
            continue
        states = version_states(session, found)
        for vid, version in found.items():
            out[version.project_id] = (version, states[vid])
    return out


def version_states(session: Session, versions: dict[int, ProjectVersion]) -> dict[int, State]:
    ids = list(versions)
    objectives: dict[int, dict] = {}
    themes: dict[int, dict] = {}
    places: dict[int, list] = {}
    t, h, loc = ObjectiveTagVersion, ThemeTagVersion, LocationVersion
    for vid, item, sig, share in session.execute(
        select(t.version_id, t.objective_id, t.significance, t.budget_share).where(
            t.version_id.in_(ids)
        )
    ):
        objectives.setdefault(vid, {})[item] = (sig, share)
    for vid, item, sig, share in session.execute(
        select(h.version_id, h.theme_id, h.significance, h.budget_share).where(
            h.version_id.in_(ids)
        )
    ):
        themes.setdefault(vid, {})[item] = (sig, share)
    for vid, country, region, pct in session.execute(
        select(loc.version_id, loc.country_id, loc.region_id, loc.percentage)
        .where(loc.version_id.in_(ids))
        .order_by(loc.id)
    ):
        places.setdefault(vid, []).append((country, region, pct))
    return {
        vid: State(
            v.code,
            v.status,
            v.programme_id,
            v.start_date,
            v.end_date,
            v.budget_amount,
            v.budget_currency,
            v.screened,
            objectives.get(vid, {}),
            themes.get(vid, {}),
            tuple(places.get(vid, ())),
        )
        for vid, v in versions.items()
    }


def earlier_spans(state: State, registered: date) -> list[tuple[date, date, str]]:
    """(from, to, status): the days before `registered` on which a project counts, as it stood
    when registered (see the module's docstring)."""
    start, end, status = state.start_date, state.end_date, state.status
    if start is None or start >= registered or status == "pipeline":
        return []
    if status not in ("active", "completed"):
        return [(start, registered, status)]
    if status == "active" or end is None:
        return [(start, registered, "active")]
    spans = [(start, min(end + DAY, registered), "active")]
    if end + DAY < registered:
        spans.append((end + DAY, registered, "completed"))
    return spans
