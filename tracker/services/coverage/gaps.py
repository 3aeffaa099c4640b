"""Gaps: the one definition of what too little work or money reaches, used by the heatmap,
the Overview, the gaps page, the digest and GET /api/v1/gaps, so that one view gives one count.

A view is the heatmap's: its rows, its places (regions, or the countries of one region) and
its filters (statuses, default active; programmes; region; dates; significance). Its gaps:
- uncovered_objective: an objective that no project in the view serves;
- theme_without_project: a cross-cutting theme that no project in the view serves;
- unreached_sdg_target: an SDG target (or a whole SDG) the framework links to that no project
  in the view reaches;
- empty_goal_region: a goal with no project in a region (in a view of countries: a country
  where the view's projects work);
- empty_objective_region: in a view of objectives, an objective that the view's projects serve
  elsewhere, but not in a region where its goal has work;
- below_target: a goal or objective, everywhere or in a region, short of its target;
- coverage_at_risk: an objective in a region that one project alone covers, ending within 90
  days;
- unscreened: projects nobody has reviewed against the framework.
Only places make place gaps: Global (work without a place), Whole region, Elsewhere, and
columns of programmes, themes and years are never gaps unless a target says so.

Each gap names the cells of the heatmap where it shows (`row`, `column`), and the parameters of
its page (`about`), which says what can be done about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlmodel import Session

from tracker import formats
from tracker import places as places_
from tracker.config import get_settings
from tracker.fields import read_params
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import (
    Country,
    Framework,
    Goal,
    Objective,
    ObjectiveTag,
    ObjectiveTagVersion,
    Project,
    ProjectStatus,
    ProjectVersion,
    Region,
    ThemeTag,
    ThemeTagVersion,
)
from tracker.said import Day, Money
from tracker.services.coverage import cache, sdgs, sql
from tracker.services.coverage.filters import CoverageQuery, coverage_query
from tracker.services.coverage.index import sdg_rows as index_sdg_rows
from tracker.services.coverage.index import store
from tracker.services.coverage.index import views as index_views
from tracker.services.coverage.matrix import (
    Cell,
    Column,
    Matrix,
    Row,
    _indexed,
    _query_key,
    compute_matrix,
)
from tracker.services.coverage.params import GAP_KINDS, GapAboutParams, GapParams
from tracker.services.coverage.targets import TargetView, list_targets

AT_RISK_DAYS = 90
# Columns that are places. The rest (Global, Whole region, Elsewhere, programmes, themes, years)
# are never gaps unless a target says so.
PLACE_COLUMNS = ("regions", "countries")


@dataclass(frozen=True)
class Gap:
    kind: str
    # Both are Texts where they are sentences: English as str (the API), said in a page's language.
    subject: str  # what is short: "4.4 Advocacy in cyber fora", "GPG7 in Europe"
    reason: str
    link: list[tuple[str, str]] = field(default_factory=list)  # projects list parameters
    # Where the gap shows in the view's matrix: a row key ("objective:17") and a place column
    # key, or None for the row's total. Unscreened projects show in no cell.
    row: str | None = None
    column: int | None = None
    # The gap's own page (/gaps/about): the view, the kind and what it is about.
    about: list[tuple[str, str]] = field(default_factory=list)
    # An objective's goal, as a row key: a goal that nothing serves shows its objectives' gaps.
    parent: str | None = None
    # The goal, objective or theme the subject names, as (level, code, English name): a page
    # names it in its own language (tracker.web.templating's gap_subject).
    name: tuple[str, str, str] | None = None

    @property
    def kind_label(self) -> Text:
        return Text(GAP_KINDS[self.kind])

    @property
    def key(self) -> str:
        """Names the gap among the view's gaps: kind, row and column."""
        return f"{self.kind}|{self.row or ''}|{'' if self.column is None else self.column}|" + (
            self.subject if self.kind in ("unscreened", "below_target") else ""
        )

    def public(self) -> dict:
        return {
            "kind": self.kind,
            "subject": str(self.subject),
            "reason": str(self.reason),
            "projects": dict(self.link),
        }


@dataclass(frozen=True)
class GapQuery:
    kinds: tuple[str, ...]
    coverage: CoverageQuery


def gap_query(*, session: Session, params: GapParams) -> GapQuery:
    """Which gaps `params` asks for, of which view, with the codes it names checked against
    the database."""
    coverage = coverage_query(session=session, params=params.coverage())
    kinds = tuple(dict.fromkeys(str(k) for k in params.kind))
    return GapQuery(kinds or tuple(GAP_KINDS), coverage)


def view_gap_query(query: CoverageQuery) -> GapQuery:
    """Every gap of a heatmap view: its filters and rows; its places are its columns when they
    are countries, and regions otherwise."""
    places = "countries" if query.columns == "countries" else "regions"
    return GapQuery(tuple(GAP_KINDS), query.with_view(columns=places, metric="projects"))


def parse_gap_query(
    *, session: Session, params: Mapping[str, Any] | Iterable[tuple[str, Any]]
) -> GapQuery:
    """`gap_query` for parameters held as a mapping or pairs of text (a digest's scope, a
    test), read through GapParams."""
    return gap_query(session=session, params=read_params(GapParams, params))


def view_params(query: CoverageQuery) -> list[tuple[str, str]]:
    """The view's parameters as the gaps page reads them (GapParams)."""
    pairs = [(k, v) for k, v in query.url_params() if k not in ("cols", "metric", "compare")]
    if query.columns == "countries":
        pairs.append(("cols", "countries"))
    return pairs


def _base_link(query: CoverageQuery) -> list[tuple[str, str]]:
    link = [("status", s) for s in query.statuses] or [("status", "any")]
    link += [("programme", c) for c in query.programme_codes]
    if query.region_code:
        link.append(("region", query.region_code))
    if query.date_from:
        link.append(("from", query.date_from.isoformat()))
    if query.date_to:
        link.append(("to", query.date_to.isoformat()))
    if query.floor != 1:
        link.append(("floor", str(query.floor)))
    return link


# A project's status as a word of a sentence ("no active project", "no pipeline project").
STATUS_WORDS = {
    "pipeline": N_("pipeline"),
    "active": N_("active"),
    "completed": N_("completed"),
    "suspended": N_("suspended"),
    "cancelled": N_("cancelled"),
}


def status_word(status: str) -> Text | str:
    return Text(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def _either(words: list) -> Text | str:
    """ "active or pipeline", one language's way."""
    said = words[0]
    for word in words[1:]:
        said = Text(N_("%(some)s or %(other)s"), some=said, other=word)
    return said


def _which_projects(query: CoverageQuery) -> Text:
    """The projects a view counts, in words: "active project", "pipeline or active project"."""
    if not query.statuses:
        return Text(N_("project"))
    return Text(
        N_("%(statuses)s project"), statuses=_either([status_word(s) for s in query.statuses])
    )


def _reporting_currency(currency: str | None) -> str:
    return currency or get_settings().reporting_currency


def _active_projects(n: int) -> Text:
    return Text.counted("%(num)s active project", "%(num)s active projects", n)


def _attributed(amount, currency: str) -> Text:
    return Text(N_("%(amount)s attributed"), amount=Money(amount, currency))


def _both(parts: list, message: str):
    return parts[0] if len(parts) == 1 else Text(message, first=parts[0], second=parts[1])


def target_shortfall(target: TargetView, cell: Cell, *, currency: str) -> Text | None:
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
    return Text(
        N_("Target: at least %(wanted)s; has %(short)s."),
        wanted=_both(wanted, N_("%(first)s and at least %(second)s")),
        short=_both(short, N_("%(first)s and %(second)s")),
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
    today = query.coverage.as_of or today or date.today()
    currency = _reporting_currency(currency)
    key = ("gaps", query.kinds, _query_key(query.coverage), today, currency)
    return list(
        cache.cached(session, key, lambda: tuple(_find_gaps(session, query, today, currency)))
    )


def _places(matrix: Matrix) -> list[Column]:
    """The matrix's columns that are places: regions, or countries of the region."""
    return [c for c in matrix.columns if c.key > 0]


def _find_gaps(session: Session, query: GapQuery, today: date, currency: str) -> list[Gap]:
    coverage = query.coverage
    places = coverage.columns if coverage.columns in PLACE_COLUMNS else "regions"
    view = coverage.with_view(columns=places)
    link = _base_link(view)
    about = view_params(view)
    who = _which_projects(view)
    where = _region_place(session, view) if view.region_id else None
    principal = view.floor == 2
    gaps: list[Gap] = []
    by_objective = compute_matrix(session=session, query=view.with_view(rows="objectives"))
    rows = {r.key: r for r in by_objective.rows}

    goal_keys = {r.code: r.key for r in by_objective.rows if r.level == "goal"}

    def gap(kind, subject, reason, params, row=None, column=None, name=None, **named) -> Gap:
        named_pairs = [(k, v) for k, v in named.items() if v]
        parent = rows[row].goal_code if row in rows else None
        if name is None and row in rows and rows[row].level in ("goal", "objective"):
            name = (rows[row].level, rows[row].code, rows[row].label)
        return Gap(
            kind,
            subject,
            reason,
            params,
            row,
            column,
            [("kind", kind), *about, *named_pairs],
            goal_keys.get(parent) if parent else None,
            name,
        )

    place_columns = [
        c
        for c in _places(by_objective)
        if not (places == "regions" and view.region_id and c.key != view.region_id)
    ]
    unserved = {
        row.key
        for row in by_objective.rows
        if row.level == "objective" and by_objective.row_total(row).projects == 0
    }
    if "uncovered_objective" in query.kinds:
        for row in by_objective.rows:
            if row.key in unserved:
                gaps.append(
                    gap(
                        "uncovered_objective",
                        f"{row.code} {row.label}",
                        _in_words(
                            who,
                            where,
                            principal,
                            N_("No %(projects)s serves this objective."),
                            N_("No %(projects)s serves this objective as principal."),
                            N_("No %(projects)s in %(place)s serves this objective."),
                            N_("No %(projects)s in %(place)s serves this objective as principal."),
                        ),
                        [*link, ("objective", row.code)],
                        row=row.key,
                        objective=row.code,
                    )
                )

    if "below_target" in query.kinds:
        gaps += _below_target(session, by_objective, rows, link, view, currency, gap)

    empty_goal_places: set[tuple[str, int]] = set()
    for row in by_objective.rows:
        if row.level != "goal":
            continue
        for column in place_columns:
            if by_objective.cell(row, column).projects == 0:
                empty_goal_places.add((row.code, column.key))
                if "empty_goal_region" not in query.kinds:
                    continue
                place = _column_place(places, column)
                gaps.append(
                    gap(
                        "empty_goal_region",
                        Text(
                            N_("%(subject)s in %(place)s"),
                            subject=f"{row.code} {row.label}",
                            place=place,
                        ),
                        Text(
                            N_("No %(projects)s in %(place)s serves this goal."),
                            projects=who,
                            place=place,
                        ),
                        [
                            *[p for p in link if p[0] != "region"],
                            ("goal", row.code),
                            *_place_link(view, column),
                        ],
                        row=row.key,
                        column=column.key,
                        goal=row.code,
                        place=column.code,
                    )
                )

    if "empty_objective_region" in query.kinds and view.rows == "objectives":
        for row in by_objective.rows:
            if row.level != "objective" or row.key in unserved:
                continue
            for column in place_columns:
                if (row.goal_code, column.key) in empty_goal_places:
                    continue
                if by_objective.cell(row, column).projects == 0:
                    place = _column_place(places, column)
                    gaps.append(
                        gap(
                            "empty_objective_region",
                            Text(
                                N_("%(subject)s in %(place)s"),
                                subject=f"{row.code} {row.label}",
                                place=place,
                            ),
                            Text(
                                N_(
                                    "Projects serve this objective elsewhere and serve %(goal)s "
                                    "in %(place)s, but no %(projects)s in %(place)s serves this "
                                    "objective."
                                ),
                                goal=row.goal_code,
                                place=place,
                                projects=who,
                            ),
                            [
                                *[p for p in link if p[0] != "region"],
                                ("objective", row.code),
                                *_place_link(view, column),
                            ],
                            row=row.key,
                            column=column.key,
                            objective=row.code,
                            place=column.code,
                        )
                    )

    if "theme_without_project" in query.kinds:
        by_theme = compute_matrix(session=session, query=view.with_view(rows="themes"))
        for row in by_theme.rows:
            if by_theme.row_total(row).projects == 0:
                gaps.append(
                    gap(
                        "theme_without_project",
                        f"{row.code} {row.label}",
                        _in_words(
                            who,
                            where,
                            False,
                            N_("No %(projects)s is tagged with this cross-cutting theme."),
                            None,
                            N_(
                                "No %(projects)s in %(place)s is tagged with this cross-cutting "
                                "theme."
                            ),
                            None,
                        ),
                        [*link, ("theme", row.code)],
                        row=row.key,
                        name=("theme", row.code, row.label),
                        theme=row.code,
                    )
                )

    if "unreached_sdg_target" in query.kinds:
        gaps += _unreached_sdg_targets(session, view, link, who, where, gap)

    if "coverage_at_risk" in query.kinds and places == "regions":
        gaps += _at_risk(session, view, link, today, gap)

    if "unscreened" in query.kinds:
        gaps += _unscreened(session, view, link, gap)
    return gaps


def _in_words(who, where, principal: bool, plain, as_principal, there, there_as_principal):
    """One of a reason's four sentences: in the view's region or not, as principal or not."""
    if where is not None:
        message = there_as_principal if principal and there_as_principal else there
        return Text(message, projects=who, place=where)
    return Text(as_principal if principal and as_principal else plain, projects=who)


def _column_place(places: str, column: Column) -> places_.Place:
    return places_.Place(
        "country" if places == "countries" else "region", column.code, str(column.label)
    )


def _unreached_sdg_targets(session, view: CoverageQuery, link, who, where, gap):
    """SDG targets (or whole SDGs) the framework links to that no project of the view reaches."""
    query = view.with_view(rows="sdg_targets")
    if _indexed(session, query):
        # Which targets the view's projects reach is all a gap needs: not the figures.
        columns = store.columns(session, query.framework_id, versions=query.as_of is not None)
        mask = index_views.in_filter(columns, query)
        reached = {f"sdg_target:{t}" for t in index_sdg_rows.reached(session, columns, query, mask)}
        rows = [Row(*row) for row in sdgs.rows(session, query, present=reached)]
    else:
        by_target = compute_matrix(session=session, query=query)
        rows = by_target.rows
        reached = {r.key for r in rows if by_target.row_total(r).projects}
    _, linked = sdgs.linked(session, view.framework_id)
    gaps = []
    for row in rows:
        target = row.key.split(":", 1)[1]
        if row.level != "sdg_target" or target not in linked:
            continue
        if row.key not in reached:
            named = (
                Text(N_("SDG %(number)s as a whole"), number=target)
                if "." not in target
                else f"{row.code} {row.label}"
            )
            gaps.append(
                gap(
                    "unreached_sdg_target",
                    named,
                    _in_words(
                        who,
                        where,
                        view.floor == 2,
                        N_(
                            "The framework links to this SDG target, but no %(projects)s "
                            "reaches it."
                        ),
                        N_(
                            "The framework links to this SDG target, but no %(projects)s reaches "
                            "it through a principal tag."
                        ),
                        N_(
                            "The framework links to this SDG target, but no %(projects)s in "
                            "%(place)s reaches it."
                        ),
                        N_(
                            "The framework links to this SDG target, but no %(projects)s in "
                            "%(place)s reaches it through a principal tag."
                        ),
                    ),
                    [*link, ("sdg_target", target)],
                    row=row.key,
                    sdg_target=target,
                )
            )
    return gaps


def _place_link(view: CoverageQuery, column: Column) -> list[tuple[str, str]]:
    if view.columns == "countries":
        return [("region", view.region_code or ""), ("located", column.code)]
    return [("region", column.code)]


def _region_place(session: Session, query: CoverageQuery) -> places_.Place:
    region = session.get(Region, query.region_id)
    return places_.region(region.code, region.name)


def _below_target(
    session, matrix: Matrix, rows: dict[str, Row], link, coverage, currency: str, gap
) -> list[Gap]:
    gaps = []
    columns = {c.key: c for c in matrix.columns}
    by_region = coverage.columns == "regions"
    for target in _targets(session, coverage):
        row = rows.get(target.row_key)
        if row is None:
            continue
        if target.region_id is None:
            cell, column = matrix.row_total(row), None
        elif coverage.region_id and target.region_id != coverage.region_id:
            continue
        elif by_region:
            column = target.region_id
            cell = matrix.cell(row, columns[target.region_id])
        else:
            # A view of countries counts the region's work apart: the whole region's figure
            # is the row's total.
            cell, column = matrix.row_total(row), None
        reason = target_shortfall(target, cell, currency=currency)
        if reason:
            params = [*link, (row.level, row.code)]
            if target.region_code:
                params = [p for p in params if p[0] != "region"] + [("region", target.region_code)]
            gaps.append(
                gap(
                    "below_target",
                    target.scope,
                    reason,
                    params,
                    row=row.key,
                    column=column,
                    **{row.level: row.code, "place": target.region_code},
                )
            )
    return gaps


def _targets(session: Session, coverage: CoverageQuery) -> list[TargetView]:
    """The targets of the view's day: today's, or as they stood on its `as_of` day."""
    if coverage.as_of is None:
        return list_targets(session=session)
    from tracker.services.history.asof import targets_at

    return targets_at(session, coverage.as_of)


def _at_risk(session, coverage: CoverageQuery, link, today: date, gap) -> list[Gap]:
    """Objective-by-region cells that one active project alone covers, ending within 90 days."""
    if coverage.framework_id is not None and store.usable(session):
        found = _at_risk_from_index(session, coverage, today)
    else:
        found = session.execute(_at_risk_statement(session, coverage, today)).all()
    gaps = []
    for oid, objective, name, rid, region_code, region_name, project, end in found:
        gaps.append(
            gap(
                "coverage_at_risk",
                Text(
                    N_("%(subject)s in %(place)s"),
                    subject=f"{objective} {name}",
                    place=places_.region(region_code, region_name),
                ),
                Text(
                    N_("Only %(project)s covers it, and it ends on %(day)s."),
                    project=project,
                    day=Day(end),
                ),
                [
                    *[p for p in link if p[0] != "region"],
                    ("objective", objective),
                    ("region", region_code),
                ],
                row=f"objective:{oid}",
                column=rid,
                objective=objective,
                place=region_code,
            )
        )
    return gaps


def _at_risk_statement(session, coverage: CoverageQuery, today: date):
    """The cells one project alone covers, ending within 90 days, joined from the tables."""
    dialect = sql.Dialect(session.get_bind().dialect.name)
    Project = sql.tables_for(coverage).project
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
    return (
        select(
            Objective.id,
            Objective.code,
            Objective.short_name,
            Region.id,
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


def _at_risk_from_index(session, coverage: CoverageQuery, today: date) -> list[tuple]:
    """The same cells from the attribution index (of the projects, or of their versions as of
    the view's day), then the few names read by id."""
    columns = store.columns(session, coverage.framework_id, versions=coverage.as_of is not None)
    last = (today + timedelta(days=AT_RISK_DAYS)).toordinal()
    cells = [c for c in index_views.alone(columns, coverage) if 0 <= c[3] <= last]
    if not cells:
        return []
    Project = sql.tables_for(coverage).project
    objectives = {
        i: (code, name)
        for i, code, name in session.execute(
            select(Objective.id, Objective.code, Objective.short_name).where(
                Objective.id.in_({c[0] for c in cells})
            )
        )
    }
    regions = {
        i: (code, name)
        for i, code, name in session.execute(select(Region.id, Region.code, Region.name))
    }
    wanted = Project.id.in_({c[2] for c in cells})
    codes = dict(session.execute(select(Project.id, Project.code).where(wanted)).all())
    found = [
        (oid, *objectives[oid], rid, *regions[rid], codes[pid], date.fromordinal(end))
        for oid, rid, pid, end in cells
        if oid in objectives and rid in regions and pid in codes
    ]
    return sorted(found, key=lambda r: (r[7], r[1], r[4]))


def _unscreened_projects(status: str, n: int) -> Text:
    """ "3 active projects": a whole phrase for each status, as adjectives agree with nouns."""
    if status == "active":
        return Text.counted("%(num)s active project", "%(num)s active projects", n)
    if status == "pipeline":
        return Text.counted("%(num)s pipeline project", "%(num)s pipeline projects", n)
    return Text.counted(
        "%(num)s %(status)s project", "%(num)s %(status)s projects", n, status=status_word(status)
    )


def _unscreened(session, coverage: CoverageQuery, link, gap) -> list[Gap]:
    """Active and pipeline projects that nobody has reviewed against the framework."""
    query = coverage.with_view(statuses=(ProjectStatus.active.value, ProjectStatus.pipeline.value))
    rows = _unscreened_from_index(session, query)
    if rows is None:
        tables = sql.tables_for(query)
        Project, ObjectiveTag, ThemeTag = tables.project, tables.objective_tag, tables.theme_tag
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
        shown = ", ".join(codes[:8])
        if len(codes) > 8:
            shown = Text(N_("%(codes)s and %(num)s more"), codes=shown, num=len(codes) - 8)
        params = [p for p in link if p[0] != "status"] + [("status", status), ("screened", "no")]
        gaps.append(
            gap(
                "unscreened",
                _unscreened_projects(status, len(codes)),
                Text(N_("Not yet reviewed against the framework: %(codes)s."), codes=shown),
                params,
                unscreened=status,
            )
        )
    return gaps


UNSCREENED_CANDIDATES = 2_000


def _unscreened_from_index(session, query: CoverageQuery) -> list[tuple[str, str]] | None:
    """(code, status) of the view's projects, or versions as of its day, that are neither
    screened nor tagged, by code: the few without a tag of the framework found in the
    attribution index, then checked in the tables (screening, tags of any framework). None
    when the index cannot answer, or finds too many to check by id."""
    if query.framework_id is None or not store.usable(session):
        return None
    versions = query.as_of is not None
    columns = store.columns(session, query.framework_id, versions=versions)
    untagged = index_views.in_filter(columns, query)
    for name in ("obj1", "theme1"):
        untagged[columns.entries[name]["pos"]] = False
    found = columns.pid[untagged]
    if len(found) > UNSCREENED_CANDIDATES:
        return None
    if not len(found):
        return []
    ids = found.tolist()
    if versions:
        V, T, H = ProjectVersion, ObjectiveTagVersion, ThemeTagVersion
        statement = select(V.code, V.status).where(
            V.id.in_(ids),
            V.screened.is_(False),
            ~select(T.id).where(T.version_id == V.id).exists(),
            ~select(H.id).where(H.version_id == V.id).exists(),
        )
        return session.execute(statement.order_by(V.code)).all()
    statement = select(Project.code, Project.status).where(
        Project.id.in_(ids),
        Project.screened_at.is_(None),
        ~select(ObjectiveTag.id).where(ObjectiveTag.project_id == Project.id).exists(),
        ~select(ThemeTag.id).where(ThemeTag.project_id == Project.id).exists(),
    )
    return session.execute(statement.order_by(Project.code)).all()


@dataclass(frozen=True)
class Lead:
    """Projects that bear on a gap: a heading, why they are worth a look, the first few, how
    many there are, and the projects-list parameters of them all."""

    title: Text
    why: Text
    projects: list
    total: int
    link: list[tuple[str, str]]


def find_gap(*, session: Session, query: GapQuery, params: GapAboutParams) -> Gap | None:
    """The gap of the view (`query`, from `params`) that `params` names, or None when it is no
    longer a gap."""
    wanted = sorted(params.model_dump(by_alias=True, exclude_none=True).items())
    for gap in find_gaps(session=session, query=query):
        if (
            sorted(
                read_params(GapAboutParams, gap.about)
                .model_dump(by_alias=True, exclude_none=True)
                .items()
            )
            == wanted
        ):
            return gap
    return None


def gap_leads(*, session: Session, gap: Gap, query: GapQuery, params: GapAboutParams) -> list[Lead]:
    """What can be done about a gap, as lists of projects that are not empty: those that serve
    its subject in other statuses, those of the view that could take it on, and those that
    serve it elsewhere. Nothing here is a dead end: a list that would be empty is left out."""
    from tracker.services.projects.listing import list_projects, parse_project_list_query

    view = query.coverage
    statuses = list(view.statuses)
    others = [s.value for s in ProjectStatus if s.value not in statuses and s.value != "cancelled"]
    filters = [("programme", c) for c in view.programme_codes]
    if view.floor != 1:
        filters.append(("floor", str(view.floor)))
    in_view = [("status", s) for s in statuses] or [("status", "any")]
    region = view.region_code
    if params.cols == "countries" and params.place:
        place = [("region", region or ""), ("located", params.place)]
    elif params.place:
        place = [("region", params.place)]
    else:
        place = [("region", region)] if region else []
    subject = [
        (k, v)
        for k, v in (
            ("objective", params.objective),
            ("theme", params.theme),
            ("sdg_target", params.sdg_target),
        )
        if v
    ]
    goal = params.goal or _goal_of(session, params.objective)
    where = gap_place(session=session, params=params) if params.place else None
    candidates: list[tuple[str, str, list[tuple[str, str]]]] = []
    if gap.kind in ("below_target", "coverage_at_risk"):
        behind = subject or ([("goal", goal)] if goal else [])
        candidates.append(
            (
                Text(N_("The projects behind it")),
                Text(N_("What counts towards this figure now.")),
                [*in_view, *filters, *behind, *place],
            )
        )
    if gap.kind == "unscreened":
        candidates.append(
            (
                Text(N_("The projects to screen")),
                Text(N_("Tag each one, or mark it screened.")),
                list(gap.link),
            )
        )
    if subject or (goal and gap.kind == "empty_goal_region"):
        serves = subject or [("goal", goal)]
        if others:
            candidates.append(
                (
                    Text(N_("Projects that serve it in %(place)s in other statuses"), place=where)
                    if where
                    else Text(N_("Projects that serve it in other statuses")),
                    Text(
                        N_(
                            "In the pipeline, completed or suspended: work to start, extend or "
                            "resume."
                        )
                    ),
                    [*[("status", s) for s in others], *filters, *serves, *place],
                )
            )
        if params.place:
            candidates.append(
                (
                    Text(N_("Projects that serve it elsewhere")),
                    Text(N_("They could extend their work to %(place)s."), place=where),
                    [
                        *in_view,
                        *filters,
                        *serves,
                        *([("region", region)] if region and params.cols == "countries" else []),
                    ],
                )
            )
    if goal and gap.kind in (
        "uncovered_objective",
        "empty_goal_region",
        "empty_objective_region",
        "coverage_at_risk",
    ):
        if gap.kind == "empty_goal_region":
            candidates.append(
                (
                    Text(N_("Projects working in %(place)s"), place=where)
                    if where
                    else Text(N_("Projects working there")),
                    Text(N_("They serve other goals there and could take %(goal)s on."), goal=goal),
                    [*in_view, *filters, *place],
                )
            )
        else:
            candidates.append(
                (
                    Text(N_("Projects serving %(goal)s in %(place)s"), goal=goal, place=where)
                    if where
                    else Text(N_("Projects serving %(goal)s"), goal=goal),
                    Text(N_("Work on the same goal that could take this objective on.")),
                    [*in_view, *filters, ("goal", goal), *place],
                )
            )
    if gap.kind == "theme_without_project":
        candidates.append(
            (
                Text(N_("Projects in this view")),
                Text(N_("Any of them could take this theme into its work: tag the ones that do.")),
                [*in_view, *filters, *place],
            )
        )
    leads = []
    for title, why, link in candidates:
        page = list_projects(
            session=session, query=parse_project_list_query(session=session, params=link)
        )
        if page.total:
            leads.append(Lead(title, why, page.rows[:8], page.total, link))
    return leads


def gap_place(*, session: Session, params: GapAboutParams) -> places_.Place:
    """The place a gap's page names: a country of the view's region, or a region, by its code."""
    if params.cols == "countries":
        country = session.execute(
            select(Country.code, Country.name).where(Country.code == params.place)
        ).first()
        return places_.country(params.place, country[1] if country else params.place)
    region = session.execute(
        select(Region.code, Region.name).where(Region.code == params.place)
    ).first()
    return places_.region(params.place, region[1] if region else params.place)


def _goal_of(session: Session, objective: str | None) -> str | None:
    if not objective:
        return None
    return session.execute(
        select(Goal.code)
        .join(Objective, Objective.goal_id == Goal.id)
        .join(Framework, Framework.id == Objective.framework_id)
        .where(Objective.code == objective, Framework.active)
    ).scalar_one_or_none()


def subject_in(gap: Gap, locale: str, name_of) -> str:
    """What a gap is about in a language: the goal's, objective's or theme's name as
    `name_of(level, code, english)` gives it (the framework's translation), with its place said
    in the language ("GPG1 Lutte contre le terrorisme – Afrique")."""
    if locale == formats.DEFAULT_LOCALE or gap.name is None:
        return formats.said(gap.subject, locale=locale)
    level, code, english = gap.name
    named = f"{code} {name_of(level, code, english)}"
    subject = gap.subject
    if isinstance(subject, Text) and "subject" in subject.values:
        return Text(subject.message, **{**subject.values, "subject": named}).in_locale(locale)
    return named


def gaps_by_cell(matrix: Matrix, gaps: Iterable[Gap]) -> dict[tuple[str, int | None], list[Gap]]:
    """The gaps each cell of a heatmap view shows, by (row key, column key), None as the column
    of a row's total. A gap of a place shows in its goal's or objective's cell for that place,
    and, for a goal, in the cells of its objectives there; an objective or theme that nothing
    serves shows in its total and its places. Columns that are not places show none."""
    rows = {r.key: r for r in matrix.rows}
    by_goal: dict[str, list[str]] = {}
    goal_keys = {r.code: r.key for r in matrix.rows if r.level == "goal"}
    for r in matrix.rows:
        if r.level == "objective" and r.goal_code:
            by_goal.setdefault(goal_keys.get(r.goal_code, ""), []).append(r.key)
    places = {c.key for c in _places(matrix)} if matrix.query.columns in PLACE_COLUMNS else set()
    marks: dict[tuple[str, int | None], list[Gap]] = {}

    def mark(row: str, column: int | None, gap: Gap) -> None:
        if row in rows and (column is None or column in places):
            marks.setdefault((row, column), []).append(gap)

    for gap in gaps:
        if gap.row is None:
            continue
        if gap.kind in ("uncovered_objective", "theme_without_project", "unreached_sdg_target"):
            mark(gap.row, None, gap)
            for column in places:
                mark(gap.row, column, gap)
            if gap.parent in rows and matrix.row_total(rows[gap.parent]).projects == 0:
                mark(gap.parent, None, gap)
        elif gap.kind == "empty_goal_region":
            mark(gap.row, gap.column, gap)
            for objective in by_goal.get(gap.row, []):
                mark(objective, gap.column, gap)
        elif gap.kind == "below_target" and gap.column is not None:
            if matrix.query.columns == "regions":
                mark(gap.row, gap.column, gap)
        else:
            mark(gap.row, gap.column, gap)
    return marks


def empty_cell_note(matrix: Matrix, row: Row, column: Column | None, cell: Cell) -> Text | None:
    """Why an empty figure in a heatmap view is not a gap, or why a cell with projects shows
    no money; None when the figure needs no word."""
    metric = matrix.query.metric
    if cell.projects == 0:
        if column is not None and column.key > 0 and row.level == "theme":
            return Text(
                N_(
                    "Not a gap: a theme is a gap where nothing serves it at all, not region by "
                    "region."
                )
            )
        if column is None or column.key > 0:
            return None  # a place or a total: a gap when the definition says so
        return Text(
            {
                sql.GLOBAL: N_("Not a gap: Global counts work without a place."),
                sql.WHOLE_REGION: N_("Not a gap: no project here works across the whole region."),
                sql.ELSEWHERE: N_("Not a gap: no project here works outside the region."),
            }.get(column.key, N_("Not a gap: this column is not a place."))
        )
    if metric == "budget" and cell.budget == 0:
        return Text(
            N_(
                "No money reaches this cell: its projects have no budget recorded, or their "
                "budget goes to their principal tags (significant tags take no budget when a "
                "project has principal tags without a share)."
            )
        )
    return None


NOT_A_PLACE_NOTES = {
    "programmes": N_(
        "An empty cell here is not a gap: a programme need not serve every goal. The gaps of "
        "this view are its objectives and themes that nothing serves, goals with no project in "
        "a region, and targets not met."
    ),
    "themes": N_(
        "An empty cell here is not a gap: a theme need not serve every goal. The gaps of this "
        "view are its objectives and themes that nothing serves, goals with no project in a "
        "region, and targets not met."
    ),
    "years": N_(
        "An empty cell here is not a gap: a year need not serve every goal. The gaps of this "
        "view are its objectives and themes that nothing serves, goals with no project in a "
        "region, and targets not met."
    ),
}


def not_a_place_note(matrix: Matrix) -> Text | None:
    """Why a view's empty cells are not gaps when its columns are not places."""
    kind = matrix.query.columns
    if kind in PLACE_COLUMNS:
        return None
    return Text(NOT_A_PLACE_NOTES[kind])


__all__ = [
    "GAP_KINDS",
    "Gap",
    "GapQuery",
    "Lead",
    "empty_cell_note",
    "find_gap",
    "find_gaps",
    "gap_leads",
    "gap_place",
    "gap_query",
    "gaps_by_cell",
    "not_a_place_note",
    "parse_gap_query",
    "subject_in",
    "target_shortfall",
    "view_gap_query",
    "view_params",
]
