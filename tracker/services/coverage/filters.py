"""What a coverage question asks: rows, columns, metric and filters, checked.

The parameters arrive as a CoverageParams, whose shape, choices and dates are checked already;
`coverage_query` checks the codes they name against the database and reports every unknown
one with its name and what is allowed, all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session, select

from tracker.fields import allowed_names, read_params
from tracker.models import Framework, Goal, Objective, Programme, Region, Theme
from tracker.services.coverage.params import CoverageParams, StatusFilter
from tracker.services.errors import InputError
from tracker.services.reference.lists import programme_names, region_names

DEFAULT_STATUSES = ("active",)


@dataclass(frozen=True)
class CoverageQuery:
    rows: str = "goals"
    columns: str = "regions"
    metric: str = "projects"
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    programme_ids: tuple[int, ...] = ()
    region_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    floor: int = 1
    framework_id: int | None = None
    # Codes as given, for links and the URL.
    programme_codes: tuple[str, ...] = ()
    region_code: str | None = None
    # Rows narrowed to one goal and its objectives (a drill-down); the figures are the same.
    goal_code: str | None = None
    # Coverage as it stood at the end of this day (UTC); None: now.
    as_of: date | None = None
    # The day a view is compared with (the heatmap shows each figure's change since then); it
    # does not change the figures, only what is shown beside them and the links.
    compare: date | None = None

    def with_view(self, **changes) -> CoverageQuery:
        return replace(self, **changes)

    def url_params(self, **overrides) -> list[tuple[str, str]]:
        """The query as URL parameters, so that any view can be bookmarked and shared."""
        values = {
            "rows": self.rows,
            "cols": self.columns,
            "metric": self.metric,
            "status": list(self.statuses) if self.statuses else ["any"],
            "programme": list(self.programme_codes),
            "region": self.region_code or "",
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "floor": str(self.floor),
            "goal": self.goal_code or "",
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "compare": self.compare.isoformat() if self.compare else "",
        }
        values.update(overrides)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.append((key, str(item)))
        return pairs


def active_framework_id(session: Session) -> int | None:
    return session.exec(select(Framework.id).where(Framework.active)).first()


def statuses_of(status: list[StatusFilter], default: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses a filter asks for: `default` when none is given, every one (an empty
    tuple) when any is."""
    if not status:
        return default
    if StatusFilter.any in status:
        return ()
    return tuple(dict.fromkeys(str(s) for s in status))


def coverage_query(
    *,
    session: Session,
    params: CoverageParams,
    default_statuses: tuple[str, ...] = DEFAULT_STATUSES,
) -> CoverageQuery:
    """The question `params` asks, with the programme and region codes it names checked
    against the database. Raises InputError naming every unknown one and what is allowed."""
    errors: dict[str, str] = {}
    programme_codes = list(dict.fromkeys(params.programme))
    programmes = dict(session.exec(select(Programme.code, Programme.id)).all())
    unknown = [c for c in programme_codes if c not in programmes]
    if unknown:
        errors["programme"] = (
            f'unknown programme "{unknown[0][:40]}"; allowed: {programme_names(session=session)}'
        )

    region_code = params.region
    regions = dict(session.exec(select(Region.code, Region.id)).all())
    if region_code and region_code not in regions:
        errors["region"] = (
            f'unknown region "{region_code[:40]}"; allowed: {region_names(session=session)}'
        )

    if params.cols == "countries" and not region_code:
        errors["region"] = "choose a region to show its countries: " + region_names(session=session)
    framework_id = active_framework_id(session)
    if params.goal:
        goals = session.exec(
            select(Goal.code, Goal.short_name)
            .where(Goal.framework_id == framework_id)
            .order_by(Goal.position)
        ).all()
        if params.goal not in {code for code, _ in goals}:
            errors["goal"] = f'unknown goal "{params.goal[:40]}"; allowed: {allowed_names(goals)}'
    if errors:
        raise InputError(errors)
    return CoverageQuery(
        rows=str(params.rows),
        columns=str(params.cols),
        metric=str(params.metric),
        statuses=statuses_of(params.status, default_statuses),
        programme_ids=tuple(programmes[c] for c in programme_codes),
        region_id=regions.get(region_code) if region_code else None,
        date_from=params.date_from,
        date_to=params.date_to,
        floor=int(params.floor),
        framework_id=framework_id,
        programme_codes=tuple(programme_codes),
        region_code=region_code,
        goal_code=params.goal,
        as_of=_past(getattr(params, "as_of", None)),
        compare=getattr(params, "compare", None),
    )


def _past(day: date | None) -> date | None:
    """A day before today (UTC), or None: coverage as of today is coverage now."""
    from tracker.models._base import utcnow

    return day if day is not None and day < utcnow().date() else None


def parse_coverage_query(
    *, session: Session, params: Mapping[str, Any] | Iterable[tuple[str, Any]]
) -> CoverageQuery:
    """`coverage_query` for parameters held as a mapping or pairs of text (a digest's scope,
    a view in a test), read through CoverageParams: rows, cols, metric, status, programme,
    region, from, to, floor."""
    return coverage_query(session=session, params=read_params(CoverageParams, params))


def framework_codes(session: Session, framework_id: int | None) -> dict[str, dict[str, int]]:
    """Codes of the active framework's goals, objectives and themes, to their ids."""
    if framework_id is None:
        return {"goal": {}, "objective": {}, "theme": {}}
    return {
        "goal": dict(
            session.exec(select(Goal.code, Goal.id).where(Goal.framework_id == framework_id)).all()
        ),
        "objective": dict(
            session.exec(
                select(Objective.code, Objective.id).where(Objective.framework_id == framework_id)
            ).all()
        ),
        "theme": dict(
            session.exec(
                select(Theme.code, Theme.id).where(Theme.framework_id == framework_id)
            ).all()
        ),
    }
