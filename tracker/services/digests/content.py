"""What a digest says: the figures, changes and gaps of a subscriber's scope over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from tracker.config import get_settings
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import AuditEvent, CoverageSnapshot, ObjectiveTag, Project, ThemeTag
from tracker.models._base import utcnow
from tracker.services.audit.describe import describe
from tracker.services.coverage import compute_matrix, parse_coverage_query, sql
from tracker.services.coverage.gaps import Gap, find_gaps, gaps_by_cell, parse_gap_query
from tracker.services.coverage.matrix import Matrix
from tracker.services.history.asof import headline_at

STRUCTURAL_GAPS = (
    "uncovered_objective",
    "below_target",
    "empty_goal_region",
    "theme_without_project",
    "unreached_sdg_target",
)
MAX_LINES = 15
TREND_WEEKS = 8


@dataclass(frozen=True)
class Scope:
    programmes: tuple[str, ...] = ()
    region: str | None = None

    @property
    def key(self) -> str:
        if not self.programmes and not self.region:
            return "all"
        return f"programmes={','.join(sorted(self.programmes))};region={self.region or ''}"

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.programmes:
            params["programme"] = list(self.programmes)
        if self.region:
            params["region"] = self.region
        return params

    @property
    def words(self) -> Text:
        """What the scope covers, as a digest names it ("programmes CYB, OEC and region AFR"),
        sayable in the reader's language."""
        programmes = ", ".join(self.programmes)
        if self.programmes and self.region:
            return Text(
                N_("programmes %(programmes)s and region %(region)s"),
                programmes=programmes,
                region=self.region,
            )
        if self.programmes:
            return Text(N_("programmes %(programmes)s"), programmes=programmes)
        if self.region:
            return Text(N_("region %(region)s"), region=self.region)
        return Text(N_("the whole portfolio"))


@dataclass(frozen=True)
class GapNews:
    """A structural gap opened or closed since the snapshot compared with: its kind (as
    `find_gaps` names it) and what is short, as the snapshot kept it (in English)."""

    kind: str
    subject: str

    def __str__(self) -> str:
        return self.subject


@dataclass(frozen=True)
class Figure:
    """A headline figure now and in the snapshot compared with; the email says how it reads."""

    label: str
    kind: str  # count, money (in the digest's currency) or share (of 1)
    value: int | Decimal | float | None
    previous: int | Decimal | float | None = None  # None without an earlier figure


@dataclass
class Digest:
    scope: Scope
    period_start: datetime
    period_end: datetime
    compared_with: date | None
    figures: list[Figure]
    currency: str  # the reporting currency of every amount
    new_projects: list[str] = field(default_factory=list)
    changed_projects: list[str] = field(default_factory=list)
    completed_projects: list[str] = field(default_factory=list)
    tagging: list[Text] = field(default_factory=list)  # who tagged what (project code)
    tagging_more: int = 0
    gaps_opened: list[GapNews] = field(default_factory=list)
    gaps_closed: list[GapNews] = field(default_factory=list)
    at_risk: list[Gap] = field(default_factory=list)
    unscreened: list[Gap] = field(default_factory=list)
    heatmap: Matrix | None = None
    heatmap_gaps: dict = field(default_factory=dict)  # (row key, column key): reasons
    # Active projects and attributed budget by SDG, counted as the heatmap's SDG view.
    sdgs: list = field(default_factory=list)
    # Active projects by goal at the end of each of the last weeks (coverage over time).
    trend_days: list[date] = field(default_factory=list)
    trend: list[tuple[Any, list[int]]] = field(default_factory=list)  # (goal row, counts by day)

    @property
    def quiet(self) -> bool:
        return not (
            self.new_projects
            or self.changed_projects
            or self.completed_projects
            or self.tagging
            or self.gaps_opened
            or self.gaps_closed
        )


def goal_trend(
    *, session: Session, scope: Scope, until: datetime, weeks: int = TREND_WEEKS
) -> tuple[list[date], list[tuple[Any, list[int]]]]:
    """Active projects by goal at the end of each of the last `weeks` weeks (ending on Sundays)
    before the moment `until` (a period's end), from coverage over time, in the scope."""
    from tracker.fields import read_params
    from tracker.services.history.trends import TrendParams, build_trend

    day = min((until - timedelta(microseconds=1)).date(), utcnow().date())
    last = day - timedelta(days=(day.weekday() + 1) % 7)  # the Sunday ending the last week
    first = last - timedelta(weeks=weeks - 1)
    trend = build_trend(
        session=session,
        params=read_params(
            TrendParams,
            {"period": "week", "from": first.isoformat(), "to": last.isoformat(), **scope.params},
        ),
    )
    return trend.days, [(s.row, [p.projects for p in s.points]) for s in trend.series]


def _currency(currency: str | None) -> str:
    return currency or get_settings().reporting_currency


def headline(
    *, session: Session, scope: Scope, currency: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """Active projects, their budget in the reporting currency, how many are screened, how many
    gaps: in the scope, now or at the end of the day `as_of`."""
    day = {"as_of": as_of.isoformat()} if as_of else {}
    query = parse_coverage_query(
        session=session, params={**scope.params, "status": "active", **day}
    )
    if query.as_of is not None:
        then = headline_at(
            session, query.as_of, programme_ids=query.programme_ids, region_id=query.region_id
        )
        count, budget, screened = then.active_projects, then.budget, then.screened
    else:
        count, budget, screened = _headline_now(session, query)
    currency = _currency(currency)
    gaps = find_gaps(
        session=session,
        query=parse_gap_query(session=session, params={**scope.params, **day}),
        currency=currency,
    )
    return {
        "active_projects": count,
        "budget": str(Decimal(str(budget)).quantize(Decimal("1"))),
        "currency": currency,
        "screened": screened,
        "gaps": len(gaps),
        "gap_list": sorted(f"{g.kind}|{g.subject}" for g in gaps if g.kind in STRUCTURAL_GAPS),
    }


def _headline_now(session: Session, query) -> tuple:
    fp = sql.filtered_projects(query)
    tagged = or_(
        exists(select(ObjectiveTag.id).where(ObjectiveTag.project_id == fp.c.project_id)),
        exists(select(ThemeTag.id).where(ThemeTag.project_id == fp.c.project_id)),
    )
    return session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(fp.c.budget), 0),
            func.count().filter(or_(Project.screened_at.is_not(None), tagged)),
        ).join(Project, Project.id == fp.c.project_id)
    ).one()


def take_snapshot(
    *, session: Session, scope: Scope, week: date, currency: str | None = None, exact: bool = False
) -> bool:
    """Store the scope's figures and gaps for the week, once; True when stored now. `exact`:
    as of the end of the day before the week, whenever this runs (else as they are now)."""
    if session.execute(
        select(CoverageSnapshot.id).where(
            CoverageSnapshot.week == week, CoverageSnapshot.scope == scope.key
        )
    ).first():
        return False
    session.add(
        CoverageSnapshot(
            week=week,
            scope=scope.key,
            data=headline(
                session=session,
                scope=scope,
                currency=currency,
                as_of=week - timedelta(days=1) if exact else None,
            ),
        )
    )
    session.flush()
    return True


def _snapshot_before(session: Session, scope: Scope, moment: datetime) -> CoverageSnapshot | None:
    return (
        session.execute(
            select(CoverageSnapshot)
            .where(CoverageSnapshot.scope == scope.key, CoverageSnapshot.taken_at <= moment)
            .order_by(CoverageSnapshot.taken_at.desc())
        )
        .scalars()
        .first()
    )


def _budget_then(figures: dict, currency: str) -> Decimal | None:
    """The budget of an earlier snapshot, when it was counted in the same currency (snapshots
    from before the currency was recorded were in euros)."""
    if "budget" in figures and figures.get("currency") == currency:
        return Decimal(figures["budget"])
    if "budget_eur" in figures and currency == "EUR":
        return Decimal(figures["budget_eur"])
    return None


def _screened_share(figures: dict) -> float | None:
    if not figures or not figures.get("active_projects"):
        return None
    return figures["screened"] / figures["active_projects"]


def build_digest(
    *,
    session: Session,
    scope: Scope,
    period_start: datetime,
    period_end: datetime,
    currency: str | None = None,
) -> Digest:
    """The digest of a scope for a period, with amounts in `currency` (by default the reporting
    currency of the settings)."""
    currency = _currency(currency)
    now = headline(session=session, scope=scope, currency=currency)
    snapshot = _snapshot_before(session, scope, period_start + timedelta(hours=12))
    then = snapshot.data if snapshot else {}
    figures = [
        Figure(N_("Active projects"), "count", now["active_projects"], then.get("active_projects")),
        Figure(
            N_("Budget of active projects"),
            "money",
            Decimal(now["budget"]),
            _budget_then(then, currency),
        ),
        Figure(N_("Screened"), "share", _screened_share(now), _screened_share(then)),
        Figure(N_("Gaps"), "count", now["gaps"], then.get("gaps")),
    ]
    digest = Digest(
        scope, period_start, period_end, snapshot.week if snapshot else None, figures, currency
    )

    in_scope = sql.filtered_projects(
        parse_coverage_query(session=session, params={**scope.params, "status": "any"})
    )
    events = session.execute(
        select(AuditEvent, Project.code, Project.title)
        .join(Project, Project.id == AuditEvent.project_id)
        .join(in_scope, in_scope.c.project_id == Project.id)
        .where(AuditEvent.occurred_at >= period_start, AuditEvent.occurred_at < period_end)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    seen_changed: set[str] = set()
    for event, code, title in events:
        label = f"{code} {title}"
        if event.entity_type == "project" and event.action == "create":
            digest.new_projects.append(label)
        elif event.entity_type == "project" and event.action == "update":
            if (event.after or {}).get("status") == "completed":
                digest.completed_projects.append(label)
            elif code not in seen_changed:
                digest.changed_projects.append(label)
            seen_changed.add(code)
        elif event.entity_type in ("objective_tag", "theme_tag"):
            if len(digest.tagging) < MAX_LINES:
                digest.tagging.append(
                    Text(N_("%(change)s (%(project)s)"), change=describe(event), project=code)
                )
            else:
                digest.tagging_more += 1
    new_codes = {label.split(" ", 1)[0] for label in digest.new_projects}
    digest.changed_projects = [
        p for p in digest.changed_projects if p.split(" ", 1)[0] not in new_codes
    ]

    if snapshot:
        before, after = set(then.get("gap_list", [])), set(now["gap_list"])
        digest.gaps_opened = [GapNews(*g.split("|", 1)) for g in sorted(after - before)]
        digest.gaps_closed = [GapNews(*g.split("|", 1)) for g in sorted(before - after)]
    gaps = find_gaps(
        session=session,
        query=parse_gap_query(session=session, params=scope.params),
        currency=currency,
    )
    digest.at_risk = [g for g in gaps if g.kind == "coverage_at_risk"]
    digest.unscreened = [g for g in gaps if g.kind == "unscreened"]
    by_sdg = compute_matrix(
        session=session,
        query=parse_coverage_query(session=session, params={**scope.params, "rows": "sdgs"}),
    )
    digest.sdgs = [(row, by_sdg.row_total(row)) for row in by_sdg.rows]
    digest.trend_days, digest.trend = goal_trend(session=session, scope=scope, until=period_end)
    digest.heatmap = compute_matrix(
        session=session,
        query=parse_coverage_query(session=session, params={**scope.params, "rows": "goals"}),
    )
    # The cells the heatmap would hatch: the same gaps, by the one definition.
    digest.heatmap_gaps = {
        key: [g.reason for g in cell] for key, cell in gaps_by_cell(digest.heatmap, gaps).items()
    }
    return digest
