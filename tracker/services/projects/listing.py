"""The projects list: search, filters that mirror the coverage matrix, sorting, pages.

A heatmap cell links here with its row and column as filters, and the list then holds exactly
the projects the cell counts, because both are built from the same SQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, literal_column, or_, select, table, text, union
from sqlmodel import Session

from tracker.fields import allowed_names, read_params
from tracker.formats import Text
from tracker.locales import N_, Nn_
from tracker.models import (
    Country,
    Currency,
    Goal,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectLocation,
    Region,
    Significance,
    Theme,
    ThemeTag,
)
from tracker.services.coverage import sdgs, sql
from tracker.services.coverage.filters import (
    CoverageQuery,
    active_framework_id,
    coverage_query,
    framework_codes,
)
from tracker.services.coverage.params import STATUSES, CoverageParams
from tracker.services.errors import InputError
from tracker.services.projects.params import SCREENED, ProjectListParams

PAGE_SIZE = 25
SORTS = {
    "code": Project.code,
    "title": Project.title,
    "status": Project.status,
    "start": Project.start_date,
    "end": Project.end_date,
    "budget": "budget",
    "updated": Project.updated_at,
}
PLACES = ("global", "whole-region", "elsewhere")
WALK_CODES_FROM = 1_000  # projects found, from which a page in code order walks the codes


@dataclass(frozen=True)
class ProjectListQuery:
    coverage: CoverageQuery
    text: str = ""
    goal: str | None = None
    objective: str | None = None
    theme: str | None = None
    sdg: str | None = None
    sdg_target: str | None = None
    located: str | None = None
    year: str | None = None
    screened: str | None = None
    sort: str = "code"
    descending: bool = False
    page: int = 1
    params: list[tuple[str, str]] = field(default_factory=list)

    def url_params(self, **overrides) -> list[tuple[str, str]]:
        drop = set(overrides)
        pairs = [(k, v) for k, v in self.params if k not in drop]
        for key, value in overrides.items():
            if value not in (None, ""):
                pairs.append((key, str(value)))
        return pairs


@dataclass(frozen=True)
class TagLabel:
    """An objective or theme a project is tagged with, as a person reads it."""

    code: str
    name: str
    kind: str  # objective or theme
    principal: bool


@dataclass(frozen=True)
class ProjectRow:
    code: str
    title: str
    programme: str
    status: str
    start_date: date | None
    end_date: date | None
    budget_eur: Decimal | None
    screened: bool
    # Objectives, then themes, in the framework's order: the principal ones, then the rest.
    tags: list[TagLabel] = field(default_factory=list)

    @property
    def principal_tags(self) -> list[TagLabel]:
        return [t for t in self.tags if t.principal]

    @property
    def significant_tags(self) -> list[TagLabel]:
        return [t for t in self.tags if not t.principal]

    @property
    def principal(self) -> list[str]:
        """The codes of its principal objectives."""
        return [t.code for t in self.tags if t.principal and t.kind == "objective"]

    @property
    def significant(self) -> list[str]:
        """The codes of its significant objectives."""
        return [t.code for t in self.tags if not t.principal and t.kind == "objective"]


@dataclass(frozen=True)
class ProjectPage:
    rows: list[ProjectRow]
    total: int
    page: int
    pages: int


def project_list_query(*, session: Session, params: ProjectListParams) -> ProjectListQuery:
    """The list `params` asks for, with the codes it names (programmes, region, goal,
    objective, theme, place) checked against the database. Raises InputError naming every
    unknown one and what is allowed. Without a status, the list holds every project."""
    errors: dict[str, str] = {}
    try:
        coverage = coverage_query(
            session=session,
            params=CoverageParams.model_validate(
                {
                    "status": params.status,
                    "programme": params.programme,
                    "region": params.region,
                    "from": params.date_from,
                    "to": params.date_to,
                    "floor": params.floor,
                }
            ),
            default_statuses=(),
        )
    except InputError as exc:
        errors.update(exc.errors)
        coverage = None

    framework_id = coverage.framework_id if coverage else active_framework_id(session)
    codes = framework_codes(session, framework_id)
    for name in ("goal", "objective", "theme"):
        value = getattr(params, name)
        if value and value not in codes[name] and not (name == "theme" and value == "none"):
            errors[name] = _unknown_in_framework(session, framework_id, name, value)

    located = params.located
    if located and located not in PLACES:
        known = set(session.execute(select(Region.code)).scalars()) | set(
            session.execute(select(Country.code)).scalars()
        )
        if located not in known:
            errors["located"] = _unknown_place(session, located)
    if errors:
        raise InputError(errors)

    sort = str(params.sort)
    return ProjectListQuery(
        coverage=coverage,
        text=params.q or "",
        goal=params.goal,
        objective=params.objective,
        theme=params.theme,
        sdg=params.sdg,
        sdg_target=params.sdg_target,
        located=located,
        year=params.year,
        screened=str(params.screened) if params.screened else None,
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
        page=params.page,
        params=params.url_params(),
    )


def _unknown_in_framework(session: Session, framework_id: int | None, kind: str, value: str):
    """A goal, objective or theme the framework does not have, refused with what it has: every
    goal and theme by name, and a few of its many objectives."""
    if kind == "goal":
        statement = select(Goal.code, Goal.short_name).order_by(Goal.position)
    elif kind == "objective":
        statement = (
            select(Objective.code, func.coalesce(Objective.short_name, Objective.statement))
            .join(Goal, Goal.id == Objective.goal_id)
            .order_by(Goal.position, Objective.position, Objective.id)
        )
    else:
        statement = select(Theme.code, Theme.name).order_by(Theme.position)
    model = {"goal": Goal, "objective": Objective, "theme": Theme}[kind]
    named = session.execute(statement.where(model.framework_id == framework_id)).all()
    refused = f'unknown {kind} "{value[:40]}"'
    if not named:
        return f"{refused}; no framework is loaded"
    if kind == "objective":
        return (
            f"{refused}; allowed: one of the framework's {len(named)} objectives, such as "
            + allowed_names(named[:3])
        )
    if kind == "theme":
        return f"{refused}; allowed: {allowed_names([*named, ('none', 'No theme')])}"
    return f"{refused}; allowed: {allowed_names(named)}"


def _reaches_sdg(session: Session, query: ProjectListQuery):
    """Projects whose budget reaches the SDG or target asked for, as the SDG views count."""
    coverage = query.coverage
    pairs = sdgs.sdg_pairs(
        sql.filtered_projects(coverage, name="fp_sdg"),
        coverage,
        sql.Dialect(session.get_bind().dialect.name),
    )
    reached = select(pairs.c.project_id)
    if query.sdg:
        number = sdgs.NO_SDG if query.sdg == "none" else int(query.sdg)
        reached = reached.where(pairs.c.sdg_number == number)
    if query.sdg_target:
        reached = reached.where(pairs.c.target == query.sdg_target)
    return Project.id.in_(reached)


def _unknown_place(session: Session, place: str) -> str:
    """A place that is neither a region nor a country, refused with what a place may be."""
    regions = session.execute(select(Region.code, Region.name).order_by(Region.position)).all()
    country = session.execute(select(Country.code, Country.name).order_by(Country.name)).first()
    example = f", such as {allowed_names([country])}" if country else ""
    return (
        f'unknown place "{place[:40]}"; allowed: a region, {allowed_names(regions)}; '
        f"a country, by its two-letter code{example}; "
        "or global (no place), whole-region or elsewhere (both with a region)"
    )


def parse_project_list_query(
    *, session: Session, params: Mapping[str, Any] | Iterable[tuple[str, Any]]
) -> ProjectListQuery:
    """`project_list_query` for parameters held as a mapping or pairs of text (an export's
    query string, a heatmap cell's link, a test), read through ProjectListParams."""
    return project_list_query(session=session, params=read_params(ProjectListParams, params))


def _conditions(session: Session, query: ProjectListQuery, *, by_code: bool = False) -> list:
    coverage = query.coverage
    floor = coverage.floor
    conditions = []
    if query.text:
        conditions.append(_text_search(session, query.text, by_code=by_code))
    if query.objective:
        conditions.append(
            exists(
                select(ObjectiveTag.id)
                .join(Objective, Objective.id == ObjectiveTag.objective_id)
                .where(
                    ObjectiveTag.project_id == Project.id,
                    ObjectiveTag.significance >= floor,
                    Objective.code == query.objective,
                    Objective.framework_id == coverage.framework_id,
                )
            )
        )
    if query.goal:
        conditions.append(
            exists(
                select(ObjectiveTag.id)
                .join(Objective, Objective.id == ObjectiveTag.objective_id)
                .join(Goal, Goal.id == Objective.goal_id)
                .where(
                    ObjectiveTag.project_id == Project.id,
                    ObjectiveTag.significance >= floor,
                    Goal.code == query.goal,
                    Goal.framework_id == coverage.framework_id,
                )
            )
        )
    if query.theme:
        tagged = (
            select(ThemeTag.id)
            .join(Theme, Theme.id == ThemeTag.theme_id)
            .where(
                ThemeTag.project_id == Project.id,
                ThemeTag.significance >= floor,
                Theme.framework_id == coverage.framework_id,
            )
        )
        if query.theme == "none":
            conditions.append(~exists(tagged))
        else:
            conditions.append(exists(tagged.where(Theme.code == query.theme)))
    if query.sdg or query.sdg_target:
        conditions.append(_reaches_sdg(session, query))
    if query.located:
        conditions.append(_located(session, query.located, coverage.region_id))
    if query.year == "undated":
        conditions.append(or_(Project.start_date.is_(None), Project.end_date.is_(None)))
    elif query.year:
        year = int(query.year)
        conditions.append(
            and_(Project.start_date <= date(year, 12, 31), Project.end_date >= date(year, 1, 1))
        )
    if query.screened:
        untagged = and_(
            ~exists(select(ObjectiveTag.id).where(ObjectiveTag.project_id == Project.id)),
            ~exists(select(ThemeTag.id).where(ThemeTag.project_id == Project.id)),
        )
        conditions.append(
            {
                "yes": Project.screened_at.is_not(None),
                "no": and_(Project.screened_at.is_(None), untagged),
                "not_aligned": and_(Project.screened_at.is_not(None), untagged),
            }[query.screened]
        )
    return conditions


# A word as both databases split text: letters and digits, between anything else.
_WORD = re.compile(r"[^\W_]+")


def search_words(typed: str) -> list[str]:
    """The words of what a person typed, lower case, without accents, at most ten."""
    folded = unicodedata.normalize("NFKD", typed.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _WORD.findall(folded)[:10]


def _text_search(session: Session, typed: str, *, by_code: bool = False):
    """Projects whose title, summary or donor has, for every word typed, a word that starts
    with it (ignoring case and accents: "keny" finds Kenya, "cote" Côte d'Ivoire, "market"
    markets), or whose code holds the text as typed ("2026-00", "P1"). PostgreSQL answers from
    the project's words (a generated tsvector column, migration a6af6e3dc84c) with their GIN
    index, and a trigram index on the code; SQLite from two FTS5 tables, the code's
    by trigrams from three letters on (shorter text is compared with each code).

    `by_code`, on SQLite, for a page of many projects in code order: the projects are walked
    in code order and each looked for among those found (`id + 0` keeps SQLite from starting
    from the found ones, which it would all fetch and sort for one page: 26 ms instead of
    186 ms for a third of 100,000 projects)."""
    words = search_words(typed)
    # % and _ are what the person typed, not wildcards (backslash is PostgreSQL's default
    # escape for LIKE; SQLite is told).
    escaped = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    in_code = Project.code.ilike(f"%{escaped}%", escape="\\")
    if session.get_bind().dialect.name == "postgresql":
        if not words:
            return in_code
        query = " & ".join(f"{word}:*" for word in words)
        return or_(
            text(
                "project.search_words @@ to_tsquery('tracker_words'::regconfig, :words)"
            ).bindparams(words=query),
            in_code,
        )
    project_id = Project.id + 0 if by_code else Project.id
    found = _sqlite_found(typed, words)
    if found is not None:
        return project_id.in_(found)
    if words:
        return or_(project_id.in_(_words_found(words)), in_code)
    return in_code


def _words_found(words: list[str]):
    return _fts5_rowids("project_search_words", " ".join(f'"{w}"*' for w in words))


def _sqlite_found(typed: str, words: list[str]):
    """SQLite: the ids of the projects found, from the FTS5 tables alone, when the text is long
    enough for the codes' trigrams (else None: short text is compared with each code)."""
    if len(typed) < 3:
        return None
    in_code = _fts5_rowids("project_search", '"' + typed.replace('"', '""') + '"')
    return union(_words_found(words), in_code) if words else in_code


def _count_found(session: Session, query: ProjectListQuery) -> int | None:
    """SQLite, a search and no other filter: the projects found counted in the FTS5 tables,
    without reading each one's row (a word in a third of 100,000 projects: the rows are most
    of the table). None when another filter applies."""
    coverage = query.coverage
    if session.get_bind().dialect.name != "sqlite" or not query.text:
        return None
    others = (query.goal, query.objective, query.theme, query.sdg, query.sdg_target)
    others += (query.located, query.year, query.screened, coverage.statuses)
    others += (coverage.programme_ids, coverage.date_from, coverage.date_to, coverage.as_of)
    if any(others) or coverage.region_id is not None:
        return None
    found = _sqlite_found(query.text, search_words(query.text))
    if found is None:
        return None
    return session.execute(select(func.count()).select_from(found.subquery())).scalar_one()


def _fts5_rowids(name: str, match: str):
    return (
        select(literal_column("rowid"))
        .select_from(table(name))
        .where(text(f"{name} MATCH :{name}").bindparams(**{name: match}))
    )


def _located(session: Session, place: str, region_id: int | None):
    located = select(ProjectLocation.id).where(ProjectLocation.project_id == Project.id)
    if place == "global":
        return ~exists(located)
    if place == "whole-region":
        return exists(located.where(ProjectLocation.region_id == region_id))
    # The region a location is in: its own for a region-level one, else its country's.
    where = func.coalesce(ProjectLocation.region_id, Country.region_id)
    placed = located.outerjoin(Country, Country.id == ProjectLocation.country_id)
    if place == "elsewhere":
        return exists(placed.where(where != region_id))
    region = session.execute(select(Region.id).where(Region.code == place)).scalar()
    if region is not None:
        return exists(placed.where(where == region))
    country = session.execute(select(Country.id).where(Country.code == place)).scalar()
    return exists(located.where(ProjectLocation.country_id == country))


def _prefer_indexes(session: Session, query: ProjectListQuery) -> None:
    """A search on PostgreSQL: price random reads as on an SSD for the rest of the transaction.
    With the default price (4 sequential reads) the planner reads every row and tests its
    words when a common word matches a third of the projects, ten times slower than taking
    the matching rows from the word index."""
    if query.text and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL random_page_cost = 1.1"))


def list_projects(*, session: Session, query: ProjectListQuery) -> ProjectPage:
    _prefer_indexes(session, query)
    fp = sql.filtered_projects(query.coverage, extra=_conditions(session, query))
    total = _count_found(session, query)
    if total is None:
        total = session.execute(select(func.count()).select_from(fp)).scalar_one()
    if query.text and query.sort == "code" and total > WALK_CODES_FROM:
        fp = sql.filtered_projects(query.coverage, extra=_conditions(session, query, by_code=True))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    budget_eur = Project.budget_amount * Currency.rate_to_reporting  # None without a budget
    sort = budget_eur if SORTS[query.sort] == "budget" else SORTS[query.sort]
    # Missing values (no budget, no dates) go last either way, on both databases.
    order = [(sort.desc() if query.descending else sort.asc()).nulls_last(), Project.code.asc()]
    rows = session.execute(
        select(
            Project.id,
            Project.code,
            Project.title,
            Programme.name,
            Project.status,
            Project.start_date,
            Project.end_date,
            budget_eur,
            Project.screened_at,
        )
        .join(fp, fp.c.project_id == Project.id)
        .join(Programme, Programme.id == Project.programme_id)
        .outerjoin(Currency, Currency.code == Project.budget_currency)
        .order_by(*order)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    tags = _tag_labels(session, [r[0] for r in rows])
    return ProjectPage(
        [
            ProjectRow(
                code,
                title,
                programme,
                status,
                start,
                end,
                Decimal(str(budget)) if budget is not None else None,
                screened is not None,
                tags.get(pid, []),
            )
            for pid, code, title, programme, status, start, end, budget, screened in rows
        ],
        total,
        page,
        pages,
    )


def _tag_labels(session: Session, project_ids: list[int]) -> dict[int, list[TagLabel]]:
    """Each project's objectives and themes with their names, principal ones first, each kind
    in the framework's order: two queries for a page."""
    if not project_ids:
        return {}
    found: dict[int, list[tuple[bool, int, int, TagLabel]]] = {}
    objectives = (
        select(
            ObjectiveTag.project_id,
            ObjectiveTag.significance,
            Objective.code,
            func.coalesce(Objective.short_name, Objective.statement),
        )
        .join(Objective, Objective.id == ObjectiveTag.objective_id)
        .join(Goal, Goal.id == Objective.goal_id)
        .where(ObjectiveTag.project_id.in_(project_ids))
        .order_by(Goal.position, Objective.position, Objective.id)
    )
    themes = (
        select(ThemeTag.project_id, ThemeTag.significance, Theme.code, Theme.name)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(ThemeTag.project_id.in_(project_ids))
        .order_by(Theme.position, Theme.id)
    )
    for kind, statement in ((0, objectives), (1, themes)):
        for position, (project_id, significance, code, name) in enumerate(
            session.execute(statement)
        ):
            principal = significance == Significance.principal
            label = TagLabel(code, name, "theme" if kind else "objective", principal)
            found.setdefault(project_id, []).append((not principal, kind, position, label))
    return {pid: [t[-1] for t in sorted(items)] for pid, items in found.items()}


def describe_filters(*, session: Session, query: ProjectListQuery) -> list[Text | str]:
    """The active filters in words, for the heading of a list, each said in the page's
    language."""
    words: list[Text | str] = []
    names = {
        "goal": dict(session.execute(select(Goal.code, Goal.short_name)).all()),
        "objective": dict(session.execute(select(Objective.code, Objective.short_name)).all()),
        "theme": dict(session.execute(select(Theme.code, Theme.name)).all()),
    }
    kinds = {
        "goal": N_("goal %(name)s"),
        "objective": N_("objective %(name)s"),
        "theme": N_("theme %(name)s"),
    }
    for kind in ("goal", "objective", "theme"):
        code = getattr(query, kind)
        if code == "none":
            words.append(Text(N_("no theme")))
        elif code:
            words.append(Text(kinds[kind], name=f"{code} {names[kind].get(code) or ''}".strip()))
    coverage = query.coverage
    places = dict(session.execute(select(Region.code, Region.name)).all())
    if query.located:
        label = {
            "global": Text(N_("no particular place (global)")),
            "whole-region": Text(N_("the whole region")),
            "elsewhere": Text(N_("places outside the region")),
        }.get(query.located)
        if label is None:
            label = (
                places.get(query.located)
                or session.execute(
                    select(Country.name).where(Country.code == query.located)
                ).scalar()
            )
        words.append(Text(N_("in %(place)s"), place=label))
    if coverage.region_code:
        words.append(Text(N_("working in %(region)s"), region=places[coverage.region_code]))
    if coverage.programme_codes:
        programmes = dict(
            session.execute(
                select(Programme.code, Programme.name).where(
                    Programme.code.in_(coverage.programme_codes)
                )
            ).all()
        )
        listed = ", ".join(programmes.get(c, c) for c in coverage.programme_codes)
        words.append(
            Text.counted(
                *Nn_("programme %(names)s", "programmes %(names)s"),
                len(coverage.programme_codes),
                names=listed,
            )
        )
    if coverage.statuses:
        words.append(Text(N_("status %(statuses)s"), statuses=", ".join(coverage.statuses)))
    if coverage.floor == 2:
        words.append(Text(N_("principal only")))
    if coverage.date_from and coverage.date_to:
        words.append(
            Text(
                N_("running from %(start)s until %(end)s"),
                start=f"{coverage.date_from:%-d %b %Y}",
                end=f"{coverage.date_to:%-d %b %Y}",
            )
        )
    elif coverage.date_from:
        words.append(Text(N_("running from %(start)s"), start=f"{coverage.date_from:%-d %b %Y}"))
    elif coverage.date_to:
        words.append(Text(N_("running until %(end)s"), end=f"{coverage.date_to:%-d %b %Y}"))
    if query.year:
        if query.year == "undated":
            words.append(Text(N_("undated")))
        else:
            words.append(Text(N_("running in %(year)s"), year=str(query.year)))
    if query.screened:
        words.append(Text(SCREENED_WORDS[query.screened]))
    if query.text:
        words.append(Text(N_('matching "%(words)s"'), words=query.text))
    return words


SCREENED_WORDS = {
    "yes": N_("screened"),
    "no": N_("not yet screened"),
    "not_aligned": N_("screened, not aligned"),
}


__all__ = [
    "SCREENED",
    "SORTS",
    "STATUSES",
    "ProjectListQuery",
    "list_projects",
    "parse_project_list_query",
    "project_list_query",
]


def list_project_codes(*, session: Session, query: ProjectListQuery) -> list[str]:
    """The codes of every project the list's filters select, for exports."""
    _prefer_indexes(session, query)
    fp = sql.filtered_projects(query.coverage, extra=_conditions(session, query))
    return list(
        session.execute(
            select(Project.code).join(fp, fp.c.project_id == Project.id).order_by(Project.code)
        ).scalars()
    )
