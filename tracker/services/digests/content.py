"""What a digest says: the figures, changes and gaps of a subscriber's scope over a period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlmodel import Session

from tracker.models import AuditEvent, CoverageSnapshot, ObjectiveTag, Project, ThemeTag
from tracker.services.audit_log import describe
from tracker.services.coverage import compute_matrix, parse_coverage_query, sql
from tracker.services.coverage.gaps import Gap, find_gaps, parse_gap_query
from tracker.services.coverage.matrix import Matrix

STRUCTURAL_GAPS = (
    "uncovered_objective",
    "below_target",
    "empty_goal_region",
    "theme_without_project",
)
MAX_LINES = 15


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
    def words(self) -> str:
        parts = []
        if self.programmes:
            parts.append("programmes " + ", ".join(self.programmes))
        if self.region:
            parts.append(f"region {self.region}")
        return " and ".join(parts) or "the whole portfolio"


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    change: str | None  # "+3 since 26 Oct", None without an earlier figure


@dataclass
class Digest:
    scope: Scope
    period_start: datetime
    period_end: datetime
    compared_with: date | None
    figures: list[Figure]
    new_projects: list[str] = field(default_factory=list)
    changed_projects: list[str] = field(default_factory=list)
    completed_projects: list[str] = field(default_factory=list)
    tagging: list[str] = field(default_factory=list)
    tagging_more: int = 0
    gaps_opened: list[str] = field(default_factory=list)
    gaps_closed: list[str] = field(default_factory=list)
    at_risk: list[Gap] = field(default_factory=list)
    unscreened: list[Gap] = field(default_factory=list)
    heatmap: Matrix | None = None

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


def headline(*, session: Session, scope: Scope) -> dict[str, Any]:
    """Active projects, their budget, how many are screened, how many gaps: in the scope."""
    query = parse_coverage_query(session=session, params={**scope.params, "status": "active"})
    fp = sql.filtered_projects(query)
    tagged = or_(
        exists(select(ObjectiveTag.id).where(ObjectiveTag.project_id == fp.c.project_id)),
        exists(select(ThemeTag.id).where(ThemeTag.project_id == fp.c.project_id)),
    )
    count, budget, screened = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(fp.c.budget), 0),
            func.count().filter(or_(Project.screened_at.is_not(None), tagged)),
        ).join(Project, Project.id == fp.c.project_id)
    ).one()
    gaps = find_gaps(session=session, query=parse_gap_query(session=session, params=scope.params))
    return {
        "active_projects": count,
        "budget_eur": str(Decimal(str(budget)).quantize(Decimal("1"))),
        "screened": screened,
        "gaps": len(gaps),
        "gap_list": sorted(f"{g.kind}|{g.subject}" for g in gaps if g.kind in STRUCTURAL_GAPS),
    }


def take_snapshot(*, session: Session, scope: Scope, week: date) -> bool:
    """Store the scope's figures and gaps for the week, once; True when stored now."""
    if session.execute(
        select(CoverageSnapshot.id).where(
            CoverageSnapshot.week == week, CoverageSnapshot.scope == scope.key
        )
    ).first():
        return False
    session.add(
        CoverageSnapshot(week=week, scope=scope.key, data=headline(session=session, scope=scope))
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


def _money(value: Decimal) -> str:
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if amount >= limit:
            return f"€{amount / limit:.1f}{suffix}".replace(f".0{suffix}", suffix)
    return f"€{amount:,.0f}"


def _change(
    now: float, then: float | None, *, since: str, money: bool = False, percent: bool = False
) -> str | None:
    if then is None:
        return None
    delta = now - then
    if abs(delta) < (0.5 if not percent else 0.005):
        return f"no change since {since}"
    sign = "+" if delta > 0 else "−"
    if money:
        text = _money(Decimal(abs(delta)))
    elif percent:
        text = f"{abs(delta) * 100:.0f} points"
    else:
        text = f"{abs(delta):,.0f}"
    return f"{sign}{text} since {since}"


def build_digest(
    *, session: Session, scope: Scope, period_start: datetime, period_end: datetime
) -> Digest:
    now = headline(session=session, scope=scope)
    snapshot = _snapshot_before(session, scope, period_start + timedelta(hours=12))
    then = snapshot.data if snapshot else {}
    since = snapshot.week.strftime("%-d %b") if snapshot else ""

    def screened_share(figures: dict) -> float | None:
        if not figures or not figures.get("active_projects"):
            return None
        return figures["screened"] / figures["active_projects"]

    share_now, share_then = screened_share(now), screened_share(then)
    figures = [
        Figure(
            "Active projects",
            f"{now['active_projects']:,}",
            _change(now["active_projects"], then.get("active_projects"), since=since),
        ),
        Figure(
            "Budget of active projects",
            _money(Decimal(now["budget_eur"])),
            _change(
                float(now["budget_eur"]),
                float(then["budget_eur"]) if then else None,
                since=since,
                money=True,
            ),
        ),
        Figure(
            "Screened",
            f"{share_now:.0%}" if share_now is not None else "–",
            _change(share_now or 0, share_then, since=since, percent=True)
            if share_now is not None
            else None,
        ),
        Figure("Gaps", f"{now['gaps']:,}", _change(now["gaps"], then.get("gaps"), since=since)),
    ]
    digest = Digest(scope, period_start, period_end, snapshot.week if snapshot else None, figures)

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
                digest.tagging.append(f"{describe(event)} ({code})")
            else:
                digest.tagging_more += 1
    new_codes = {label.split(" ", 1)[0] for label in digest.new_projects}
    digest.changed_projects = [
        p for p in digest.changed_projects if p.split(" ", 1)[0] not in new_codes
    ]

    if snapshot:
        before, after = set(then.get("gap_list", [])), set(now["gap_list"])
        digest.gaps_opened = [g.split("|", 1)[1] for g in sorted(after - before)]
        digest.gaps_closed = [g.split("|", 1)[1] for g in sorted(before - after)]
    gaps = find_gaps(
        session=session,
        query=parse_gap_query(
            session=session, params={**scope.params, "kind": ["coverage_at_risk", "unscreened"]}
        ),
    )
    digest.at_risk = [g for g in gaps if g.kind == "coverage_at_risk"]
    digest.unscreened = [g for g in gaps if g.kind == "unscreened"]
    digest.heatmap = compute_matrix(
        session=session,
        query=parse_coverage_query(session=session, params={**scope.params, "rows": "goals"}),
    )
    return digest
