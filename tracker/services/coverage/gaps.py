"""Gaps: objectives, regions and themes that too little work or money reaches.

Without targets, the rule is "no active project with significance 1 or more". Each gap comes
with the reason and the parameters of the projects list behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlmodel import Session

from tracker import formats
from tracker.config import get_settings
from tracker.fields import read_params
from tracker.models import Objective, ObjectiveTag, Project, ProjectStatus, Region, ThemeTag
from tracker.services.coverage import cache, sql
from tracker.services.coverage.filters import CoverageQuery, coverage_query
from tracker.services.coverage.matrix import Cell, Matrix, Row, _query_key, compute_matrix
from tracker.services.coverage.params import GAP_KINDS, CoverageParams, GapParams
from tracker.services.coverage.targets import TargetView, list_targets

AT_RISK_DAYS = 90


@dataclass(frozen=True)
class Gap:
    kind: str
    subject: str  # what is short: "4.4 Advocacy in cyber fora", "GPG7 in Europe"
    reason: str
    link: list[tuple[str, str]] = field(default_factory=list)  # projects list parameters

    @property
    def kind_label(self) -> str:
        return GAP_KINDS[self.kind]

    def public(self) -> dict:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "reason": self.reason,
            "projects": dict(self.link),
        }


@dataclass(frozen=True)
class GapQuery:
    kinds: tuple[str, ...]
    coverage: CoverageQuery


def gap_query(*, session: Session, params: GapParams) -> GapQuery:
    """Which gaps `params` asks for, with the programme and region codes it names checked
    against the database. Gaps are about active work, so status and dates are not among the
    parameters."""
    coverage = coverage_query(
        session=session,
        params=CoverageParams(
            programme=params.programme, region=params.region, floor=params.floor, status=["active"]
        ),
    )
    kinds = tuple(dict.fromkeys(str(k) for k in params.kind))
    return GapQuery(kinds or tuple(GAP_KINDS), coverage)


def parse_gap_query(
    *, session: Session, params: Mapping[str, Any] | Iterable[tuple[str, Any]]
) -> GapQuery:
    """`gap_query` for parameters held as a mapping or pairs of text (a digest's scope, a
    test), read through GapParams: kind (repeatable), programme, region, floor."""
    return gap_query(session=session, params=read_params(GapParams, params))


def _base_link(query: CoverageQuery) -> list[tuple[str, str]]:
    link = [("status", "active")]
    link += [("programme", c) for c in query.programme_codes]
    if query.region_code:
        link.append(("region", query.region_code))
    if query.floor != 1:
        link.append(("floor", str(query.floor)))
    return link


def _reporting_currency(currency: str | None) -> str:
    return currency or get_settings().reporting_currency


def _active_projects(n: int) -> str:
    return formats.ngettext("%(num)s active project", "%(num)s active projects", n)


def _attributed(amount, currency: str) -> str:
    return formats.gettext(
        "%(amount)s attributed", amount=formats.format_money_exact(amount, currency)
    )


def target_shortfall(target: TargetView, cell: Cell, *, currency: str) -> str | None:
    """Why a cell (or a row total) falls short of a target, or None; budgets are in the
    reporting currency, `currency`."""
    wanted, short = [], []
    if target.min_active_projects is not None:
        wanted.append(_active_projects(target.min_active_projects))
        if cell.projects < target.min_active_projects:
            short.append(_active_projects(cell.projects))
    if target.min_budget_eur is not None:
        wanted.append(_attributed(target.min_budget_eur, currency))
        if cell.budget < target.min_budget_eur:
            short.append(_attributed(cell.budget, currency))
    if not short:
        return None
    return formats.gettext(
        "Target: at least %(wanted)s; has %(short)s.",
        wanted=formats.gettext(" and at least ").join(wanted),
        short=formats.gettext(" and ").join(short),
    )


def find_gaps(
    *,
    session: Session,
    query: GapQuery,
    today: date | None = None,
    currency: str | None = None,
) -> list[Gap]:
    """Every gap of the query's kinds; served from the cache while nothing changed. Amounts in
    reasons are in `currency`, by default the reporting currency of the settings."""
    today = today or date.today()
    currency = _reporting_currency(currency)
    key = ("gaps", query.kinds, _query_key(query.coverage), today, currency)
    return list(
        cache.cached(session, key, lambda: tuple(_find_gaps(session, query, today, currency)))
    )


def _find_gaps(session: Session, query: GapQuery, today: date, currency: str) -> list[Gap]:
    coverage = query.coverage
    link = _base_link(coverage)
    gaps: list[Gap] = []
    by_objective = compute_matrix(
        session=session, query=coverage.with_view(rows="objectives", columns="regions")
    )
    rows = {r.key: r for r in by_objective.rows}

    if "uncovered_objective" in query.kinds:
        where = f" in {_region_name(session, coverage)}" if coverage.region_id else ""
        for row in by_objective.rows:
            if row.level == "objective" and by_objective.row_total(row).projects == 0:
                gaps.append(
                    Gap(
                        "uncovered_objective",
                        f"{row.code} {row.label}",
                        f"No active project{where} serves this objective"
                        + (" as principal." if coverage.floor == 2 else "."),
                        [*link, ("objective", row.code)],
                    )
                )

    if "below_target" in query.kinds:
        gaps += _below_target(session, by_objective, rows, link, coverage, currency)

    if "empty_goal_region" in query.kinds:
        for row in by_objective.rows:
            if row.level != "goal":
                continue
            for column in by_objective.columns:
                if column.key == sql.GLOBAL:
                    continue  # work without a place fills no region
                if coverage.region_id and column.key != coverage.region_id:
                    continue
                if by_objective.cell(row, column).projects == 0:
                    gaps.append(
                        Gap(
                            "empty_goal_region",
                            f"{row.code} {row.label} in {column.label}",
                            f"No active project in {column.label} serves this goal.",
                            [
                                *[p for p in link if p[0] != "region"],
                                ("goal", row.code),
                                ("region", column.code),
                            ],
                        )
                    )

    if "theme_without_project" in query.kinds:
        by_theme = compute_matrix(
            session=session, query=coverage.with_view(rows="themes", columns="regions")
        )
        for row in by_theme.rows:
            if by_theme.row_total(row).projects == 0:
                gaps.append(
                    Gap(
                        "theme_without_project",
                        f"{row.code} {row.label}",
                        "No active project is tagged with this cross-cutting theme.",
                        [*link, ("theme", row.code)],
                    )
                )

    if "coverage_at_risk" in query.kinds:
        gaps += _at_risk(session, coverage, link, today)

    if "unscreened" in query.kinds:
        gaps += _unscreened(session, coverage, link)
    return gaps


def _region_name(session: Session, query: CoverageQuery) -> str:
    return session.get(Region, query.region_id).name


def _below_target(
    session, matrix: Matrix, rows: dict[str, Row], link, coverage, currency: str
) -> list[Gap]:
    gaps = []
    columns = {c.key: c for c in matrix.columns}
    for target in list_targets(session=session):
        row = rows.get(target.row_key)
        if row is None:
            continue
        if target.region_id is None:
            cell = matrix.row_total(row)
        elif coverage.region_id and target.region_id != coverage.region_id:
            continue
        else:
            cell = matrix.cell(row, columns[target.region_id])
        reason = target_shortfall(target, cell, currency=currency)
        if reason:
            params = [*link, (row.level, row.code)]
            if target.region_code:
                params = [p for p in params if p[0] != "region"] + [("region", target.region_code)]
            gaps.append(Gap("below_target", target.scope, reason, params))
    return gaps


def _at_risk(session, coverage: CoverageQuery, link, today: date) -> list[Gap]:
    """Objective-by-region cells that one active project alone covers, ending within 90 days."""
    dialect = sql.Dialect(session.get_bind().dialect.name)
    fp = sql.filtered_projects(coverage)
    rp = sql.row_pairs(fp, coverage, rows="objectives")
    cp = sql.column_pairs(fp, coverage.with_view(columns="regions"), dialect)
    alone = (
        select(rp.c.row_id, cp.c.col_id, func.min(rp.c.project_id).label("project_id"))
        .join(cp, cp.c.project_id == rp.c.project_id)
        .where(cp.c.col_id > 0)
        .group_by(rp.c.row_id, cp.c.col_id)
        .having(func.count(distinct(rp.c.project_id)) == 1)
        .subquery()
    )
    stmt = (
        select(
            Objective.code,
            Objective.short_name,
            Region.code,
            Region.name,
            Project.code,
            Project.end_date,
        )
        .select_from(alone)
        .join(Objective, Objective.id == alone.c.row_id)
        .join(Region, Region.id == alone.c.col_id)
        .join(Project, Project.id == alone.c.project_id)
        .where(
            and_(
                Project.end_date.is_not(None),
                Project.end_date <= today + timedelta(days=AT_RISK_DAYS),
            )
        )
        .order_by(Project.end_date, Objective.code, Region.code)
    )
    gaps = []
    for objective, name, region_code, region_name, project, end in session.execute(stmt):
        gaps.append(
            Gap(
                "coverage_at_risk",
                f"{objective} {name} in {region_name}",
                formats.gettext(
                    "Only %(project)s covers it, and it ends on %(day)s.",
                    project=project,
                    day=formats.format_date(end),
                ),
                [
                    *[p for p in link if p[0] != "region"],
                    ("objective", objective),
                    ("region", region_code),
                ],
            )
        )
    return gaps


def _unscreened(session, coverage: CoverageQuery, link) -> list[Gap]:
    """Active and pipeline projects that nobody has reviewed against the framework."""
    query = coverage.with_view(statuses=(ProjectStatus.active.value, ProjectStatus.pipeline.value))
    fp = sql.filtered_projects(query)
    untagged = (
        select(Project.code, Project.status)
        .join(fp, fp.c.project_id == Project.id)
        .where(
            Project.screened_at.is_(None),
            ~select(ObjectiveTag.id).where(ObjectiveTag.project_id == Project.id).exists(),
            ~select(ThemeTag.id).where(ThemeTag.project_id == Project.id).exists(),
        )
        .order_by(Project.code)
    )
    rows = session.execute(untagged).all()
    if not rows:
        return []
    by_status: dict[str, list[str]] = {}
    for code, status in rows:
        by_status.setdefault(status, []).append(code)
    gaps = []
    for status, codes in sorted(by_status.items()):
        shown = ", ".join(codes[:8]) + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")
        params = [p for p in link if p[0] != "status"] + [("status", status), ("screened", "no")]
        gaps.append(
            Gap(
                "unscreened",
                formats.ngettext(
                    "%(num)s %(status)s project",
                    "%(num)s %(status)s projects",
                    len(codes),
                    status=status,
                ),
                f"Not yet reviewed against the framework: {shown}.",
                params,
            )
        )
    return gaps


def matrix_gap_reasons(
    *, session: Session, matrix: Matrix, currency: str | None = None
) -> dict[tuple[str, int | None], str]:
    """Why a cell or a row total of the matrix is a gap: empty, or short of a target.

    Keys are (row key, column key), with None as the column of a row total. Amounts are in
    `currency`, by default the reporting currency of the settings.
    """
    currency = _reporting_currency(currency)
    reasons: dict[tuple[str, int | None], str] = {}
    for row in matrix.rows:
        for column in matrix.columns:
            if matrix.cell(row, column).projects == 0:
                reasons[(row.key, column.key)] = (
                    f"Gap: no project in this view serves {row.code} in {column.label}."
                )
        if matrix.row_total(row).projects == 0:
            reasons[(row.key, None)] = f"Gap: no project in this view serves {row.code}."
    regions = {c.key for c in matrix.columns} if matrix.query.columns == "regions" else set()
    for target in list_targets(session=session):
        if target.row_key not in {r.key for r in matrix.rows}:
            continue
        row = next(r for r in matrix.rows if r.key == target.row_key)
        if target.region_id is None:
            reason = target_shortfall(target, matrix.row_total(row), currency=currency)
            key = (row.key, None)
        elif target.region_id in regions:
            column = next(c for c in matrix.columns if c.key == target.region_id)
            reason = target_shortfall(target, matrix.cell(row, column), currency=currency)
            key = (row.key, column.key)
        else:
            continue
        if reason:
            reasons[key] = "Below target. " + reason
    return reasons


__all__ = [
    "GAP_KINDS",
    "Gap",
    "GapQuery",
    "find_gaps",
    "gap_query",
    "matrix_gap_reasons",
    "parse_gap_query",
    "target_shortfall",
]
