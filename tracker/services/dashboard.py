"""The figures leadership sees first."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from tracker.models import AuditEvent, Currency, ObjectiveTag, Project, ProjectStatus, ThemeTag
from tracker.models._base import utcnow
from tracker.services.audit.describe import describe
from tracker.services.coverage import cache, compute_matrix, parse_coverage_query
from tracker.services.coverage.gaps import Gap, find_gaps, parse_gap_query
from tracker.services.coverage.matrix import Cell, Row

GAP_PRIORITY = [
    "uncovered_objective",
    "empty_goal_region",
    "below_target",
    "coverage_at_risk",
    "theme_without_project",
    "unreached_sdg_target",
    "unscreened",
]


@dataclass(frozen=True)
class Headline:
    active_projects: int
    active_new_this_week: int
    active_budget: Decimal  # in the reporting currency
    screened_share: float | None  # of active projects, screened or tagged
    unscreened_active: int
    gaps: int


@dataclass
class Dashboard:
    framework_loaded: bool
    headline: Headline
    goals: list[tuple[Row, Cell]]
    # The SDGs the portfolio's budget reaches (and "No SDG link"), with the same rules.
    sdgs: list[tuple[Row, Cell]]
    top_gaps: list[Gap]
    recent: list[tuple[AuditEvent, str]]
    # The last twelve weeks: each goal's active projects at the end of each week, and the
    # gap count at the start of each week (its snapshot) and now.
    weeks: list = field(default_factory=list)
    sparklines: dict = field(default_factory=dict)
    gap_counts: list = field(default_factory=list)


def _headline(session: Session, gap_count: int) -> Headline:
    """Served from the coverage cache while no project, tag or rate has changed, and
    recounted every hour so that "new this week" moves on."""
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    week_ago = hour - timedelta(days=7)
    headline = cache.cached(
        session, ("headline", hour), lambda: _count_headline(session, week_ago=week_ago)
    )
    return replace(headline, gaps=gap_count)


def _count_headline(session: Session, *, week_ago) -> Headline:
    active = Project.status == ProjectStatus.active
    tagged = or_(
        exists(select(ObjectiveTag.id).where(ObjectiveTag.project_id == Project.id)),
        exists(select(ThemeTag.id).where(ThemeTag.project_id == Project.id)),
    )
    count, new, budget, screened = session.execute(
        select(
            func.count(),
            func.count(Project.id).filter(Project.created_at >= week_ago),
            func.coalesce(func.sum(Project.budget_amount * Currency.rate_to_reporting), 0),
            func.count(Project.id).filter(or_(Project.screened_at.is_not(None), tagged)),
        )
        .select_from(Project)
        .outerjoin(Currency, Currency.code == Project.budget_currency)
        .where(active)
    ).one()
    return Headline(
        active_projects=count,
        active_new_this_week=new,
        active_budget=Decimal(str(budget)),
        screened_share=(screened / count) if count else None,
        unscreened_active=count - screened,
        gaps=0,  # set by the caller: gaps are counted apart
    )


def build_dashboard(
    *, session: Session, today: date | None = None, currency: str | None = None
) -> Dashboard:
    """Headline figures, coverage by goal, the top gaps and recent changes. Budgets are in the
    reporting currency; `currency` names it in the gaps' reasons (by default the settings')."""
    gaps = find_gaps(
        session=session,
        query=parse_gap_query(session=session, params={}),
        today=today,
        currency=currency,
    )
    matrix = compute_matrix(
        session=session, query=parse_coverage_query(session=session, params={"rows": "goals"})
    )
    goals = [(row, matrix.row_total(row)) for row in matrix.rows]
    by_sdg = compute_matrix(
        session=session, query=parse_coverage_query(session=session, params={"rows": "sdgs"})
    )
    sdgs = [(row, by_sdg.row_total(row)) for row in by_sdg.rows]
    top = sorted(gaps, key=lambda g: GAP_PRIORITY.index(g.kind))[:6]
    events = session.execute(
        select(AuditEvent)
        .where(AuditEvent.entity_type != "sign_in")  # signing in changes nothing
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(8)
    ).scalars()
    dashboard = Dashboard(
        framework_loaded=matrix.query.framework_id is not None,
        headline=_headline(session, len(gaps)),
        goals=goals,
        sdgs=sdgs,
        top_gaps=top,
        recent=[(event, describe(event)) for event in events],
    )
    if dashboard.framework_loaded:
        _weeks(session, dashboard, len(gaps))
    return dashboard


def _weeks(session: Session, dashboard: Dashboard, gaps_now: int) -> None:
    """Twelve weeks of each goal (from coverage over time) and of the gap count (from the
    weekly snapshots, the fast path, where they are stored)."""
    from tracker.fields import read_params
    from tracker.models import CoverageSnapshot
    from tracker.services.history.snapshots import OVERVIEW_WEEKS
    from tracker.services.history.trends import TrendParams, build_trend

    today = utcnow().date()
    first = today - timedelta(weeks=OVERVIEW_WEEKS - 1, days=today.weekday() + 1)
    trend = build_trend(
        session=session,
        params=read_params(TrendParams, {"period": "week", "from": first.isoformat()}),
    )
    dashboard.weeks = trend.days
    dashboard.sparklines = {s.row.code: [p.projects for p in s.points] for s in trend.series}
    stored = session.execute(
        select(CoverageSnapshot.week, CoverageSnapshot.data)
        .where(CoverageSnapshot.scope == "all", CoverageSnapshot.week > first)
        .order_by(CoverageSnapshot.week)
    ).all()
    dashboard.gap_counts = [
        (week, data.get("gaps")) for week, data in stored if data.get("gaps") is not None
    ] + [(today, gaps_now)]


__all__ = ["Dashboard", "Headline", "build_dashboard"]
