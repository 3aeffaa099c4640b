"""Trends: per goal (or the objectives of one goal), active projects, principal projects and
attributed budget at the end of each week, month or quarter over a range, for some programmes
and in a region; and the gaps (of the one definition) that opened and closed in each period.

Every point's figures are summed in one pass from the days' coverage changes; the gaps of each
point come from the same figures, handed to the one definition of a gap through the coverage
cache, so that a point of a trend and the heatmap as of its day agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.fields import Choice, DatedParams, Day, FrameworkCode
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import ProjectVersion
from tracker.models._base import utcnow
from tracker.services.coverage import cache
from tracker.services.coverage.cube.contribute import UNIT
from tracker.services.coverage.filters import CoverageQuery, coverage_query
from tracker.services.coverage.gaps import Gap, GapQuery, find_gaps, view_gap_query
from tracker.services.coverage.index import store
from tracker.services.coverage.matrix import Cell, Matrix, Row, _from_cube, _query_key
from tracker.services.coverage.params import CoverageParams, Programmes, RegionCode
from tracker.services.errors import InputError
from tracker.services.history import changes, follow
from tracker.services.history import running as daily_sums
from tracker.services.history.asof import figures_at

PERIODS = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter")}
# The same, as words in a sentence ("at the end of each month").
PERIOD_NOUNS = {"week": N_("week"), "month": N_("month"), "quarter": N_("quarter")}
STRUCTURAL = ("uncovered_objective", "below_target", "empty_goal_region", "theme_without_project")
MAX_POINTS = 160

Period = StrEnum("Period", {k: k for k in PERIODS})


class TrendParams(DatedParams):
    """Which trend: goals, or the objectives of one goal; by week, month or quarter; over a
    range (by default the last twelve months); for some programmes; in a region."""

    goal: FrameworkCode | None = Field(
        default=None, description="The objectives of this goal instead of the goals"
    )
    period: Choice(Period, what="period") = Period.month
    date_from: Day | None = Field(default=None, alias="from", description="First day")
    date_to: Day | None = Field(
        default=None, alias="to", description="Last day; a later day than today is read as today"
    )
    programme: Programmes = Field(default_factory=list, description="Programme codes; none: all")
    region: RegionCode | None = Field(
        default=None, description="Only what reaches this region (its cells of the heatmap)"
    )

    @field_validator("date_to")
    @classmethod
    def _to_not_future(cls, value):
        # "To the end of the year": what is known of it, up to today.
        today = utcnow().date()
        return today if value is not None and value > today else value


@dataclass(frozen=True)
class Point:
    day: date
    projects: int
    principal: int
    budget: Decimal


@dataclass
class Series:
    row: Row
    points: list[Point]


@dataclass
class PeriodGaps:
    day: date
    opened: list[Gap]
    closed: list[Gap]
    count: int


@dataclass
class Trend:
    query: CoverageQuery
    period: str
    days: list[date]
    series: list[Series]
    gaps: list[PeriodGaps] = field(default_factory=list)
    goal: Row | None = None


def period_ends(first: date, last: date, period: str) -> list[date]:
    """The last day of each period from the one holding `first` to the one holding `last`
    (the last point is `last` itself when its period has not ended)."""
    days: list[date] = []
    if period == "week":
        day = first + timedelta(days=6 - first.weekday())
        while day < last:
            days.append(day)
            day += timedelta(weeks=1)
    else:
        step = 1 if period == "month" else 3
        month = first.month if period == "month" else ((first.month - 1) // 3) * 3 + 1
        year = first.year
        while True:
            month += step
            if month > 12:
                month, year = month - 12, year + 1
            day = date(year, month, 1) - timedelta(days=1)
            if day >= last:
                break
            days.append(day)
    return [*days, last]


def trend_query(*, session: Session, params: TrendParams) -> tuple[CoverageQuery, list[date]]:
    today = utcnow().date()
    last = params.date_to or today
    first = params.date_from or (last - timedelta(days=365))
    if first > last:
        raise InputError({"from": Text(N_("must not be after to (%(day)s)"), day=last.isoformat())})
    if len(period_ends(first, last, str(params.period))) > MAX_POINTS:
        # Before the first day the history knows every figure is zero: a range too long for
        # its period starts there instead.
        known = session.execute(select(func.min(ProjectVersion.valid_from))).scalar()
        first = min(max(first, known or last), last)
    coverage = coverage_query(
        session=session,
        params=CoverageParams.model_validate(
            {
                "rows": "objectives" if params.goal else "goals",
                "programme": list(params.programme),
                "goal": params.goal,
            }
        ),
    )
    region_id = None
    if params.region:
        region = coverage_query(
            session=session, params=CoverageParams.model_validate({"region": params.region})
        )
        region_id = region.region_id
    days = period_ends(first, last, str(params.period))
    return coverage.with_view(region_id=region_id, region_code=params.region), days


def build_trend(*, session: Session, params: TrendParams) -> Trend:
    query, days = trend_query(session=session, params=params)
    if len(days) > MAX_POINTS:
        raise InputError(
            {
                "period": Text(
                    N_("gives %(num)s points; choose a longer period or a shorter range"),
                    num=len(days),
                )
            }
        )
    key = ("trend", _query_key(query), query.goal_code, str(params.period), tuple(days))
    return cache.cached(session, key, lambda: _build(session, query, days, str(params.period)))


def _build(session: Session, query: CoverageQuery, days: list[date], period: str) -> Trend:
    today = utcnow().date()
    whole = query.with_view(region_id=None, region_code=None)
    matrices = _matrices(session, whole, days, today)
    goal = None
    rows: list[Row] = []
    for day, matrix in zip(days, matrices, strict=True):
        view = matrix.of_goal(whole.with_view(as_of=day if day < today else None))
        rows = [r for r in view.rows if (r.level == "objective") == bool(query.goal_code)]
        goal = next((r for r in view.rows if r.code == query.goal_code), None)
    series = []
    for row in rows:
        points = []
        for day, matrix in zip(days, matrices, strict=True):
            cell = _cell(matrix, row, query.region_id)
            points.append(Point(day, cell.projects, cell.principal, cell.budget))
        series.append(Series(row, points))
    trend = Trend(query, period, days, series, goal=goal)
    trend.gaps = _gaps(session, whole, days, today)
    return trend


def _cell(matrix: Matrix, row: Row, region_id: int | None) -> Cell:
    if region_id is None:
        return matrix.row_total(row)
    return matrix.cells.get((row.key, region_id), Cell())


def _matrices(session: Session, whole: CoverageQuery, days: list[date], today: date):
    """The objectives-by-regions matrix at the end of each day: summed in one pass from the
    day's changes where they hold it, else one by one."""
    from tracker.services.coverage.matrix import compute_matrix

    views = [whole.with_view(rows="objectives", as_of=d if d < today else None) for d in days]
    if not follow.is_fresh(session) or whole.statuses != ("active",):
        return [compute_matrix(session=session, query=v) for v in views]
    running = _running(session, whole, days, ("objectives", "goals", "themes"))
    out = []
    for view, sums in zip(views, running, strict=True):
        if view.as_of is None:
            out.append(compute_matrix(session=session, query=view))
            continue
        out.append(_remember(session, view, sums, "objectives"))
        _remember(session, view.with_view(rows="themes"), sums, "themes")
    return out


def _running(session: Session, whole: CoverageQuery, days: list[date], rows) -> list[dict]:
    """Each day's figures, keyed like `changes.sums_at`, from one pass over the changes."""
    if store.usable(session):
        return daily_sums.running(session, days, rows=rows, programme_ids=whole.programme_ids)
    from sqlalchemy import func, select

    from tracker.models import CoverageChange as C

    stmt = (
        select(
            C.day,
            C.rows,
            C.row_id,
            C.col_id,
            func.sum(C.projects),
            func.sum(C.principal),
            func.sum(C.budget),
        )
        .where(C.rows.in_(rows), C.day <= days[-1])
        .group_by(C.day, C.rows, C.row_id, C.col_id)
        .order_by(C.day)
    )
    if whole.programme_ids:
        stmt = stmt.where(C.programme_id.in_(whole.programme_ids))
    running: dict = {}
    out: list[dict] = []
    index = 0
    for day, *key, n, p, b in session.execute(stmt):
        while index < len(days) and day > days[index]:
            out.append(dict(running))
            index += 1
        entry = running.get(tuple(key), (0, 0, 0))
        running[tuple(key)] = (entry[0] + n, entry[1] + p, entry[2] + b)
    while index < len(days):
        out.append(dict(running))
        index += 1
    return out


def _remember(session: Session, view: CoverageQuery, sums: dict, rows: str) -> Matrix:
    """The view's matrix from a day's figures, kept in the coverage cache under the view, where
    the gaps of that day read it."""
    from tracker.services.coverage.cube.read import Figures

    levels = ("objectives", "goals") if rows == "objectives" else ("themes",)
    singular = {"goals": "goal", "objectives": "objective", "themes": "theme"}
    figures = Figures({}, {}, {}, (0, 0, Decimal(0)))
    for (kind, row_id, col_id), (n, p, b) in sums.items():
        if n <= 0:
            continue
        value = (int(n), int(p), Decimal(int(b)) / UNIT)
        if row_id != changes.TOTAL and kind in levels:
            key = f"{singular[kind]}:{row_id}"
            if col_id == changes.TOTAL:
                figures.row_totals[key] = value
            else:
                figures.cells[(key, col_id)] = value
        elif row_id == changes.TOTAL and kind == levels[0]:
            if col_id == changes.TOTAL:
                figures.total = value
            else:
                figures.column_totals[col_id] = value
    matrix = _from_cube(session, view, figures)
    token = cache.current_token(session)
    if token is not None:
        cache.put((str(session.get_bind().url), token, "matrix", _query_key(view)), matrix)
    return matrix


def _gaps(
    session: Session, whole: CoverageQuery, days: list[date], today: date
) -> list[PeriodGaps]:
    out: list[PeriodGaps] = []
    before: dict[str, Gap] | None = None
    first = days[0] - timedelta(days=1)
    for day in [first, *days]:
        view = whole.with_view(as_of=day if day < today else None)
        gaps = find_gaps(session=session, query=GapQuery(STRUCTURAL, view_gap_query(view).coverage))
        now = {g.key: g for g in gaps}
        if before is not None:
            out.append(
                PeriodGaps(
                    day,
                    [g for k, g in now.items() if k not in before],
                    [g for k, g in before.items() if k not in now],
                    len(gaps),
                )
            )
        before = now
    return out


__all__ = [
    "PERIODS",
    "PERIOD_NOUNS",
    "Trend",
    "TrendParams",
    "build_trend",
    "figures_at",
    "period_ends",
]
