"""The SQL behind coverage: which projects are in, and how each one's budget is split.

Every project in the filter is paired with the rows it serves (its tags) and with the columns
it falls in (its places, programme, themes or years), each pair carrying the share of the
project's budget that goes there. The shares of one project sum to 1 on each side, so a cell's
budget, budget x row share x column share, never counts a euro twice.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.selectable import CTE

from tracker.models import (
    Country,
    Currency,
    Objective,
    Theme,
)
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.tables import LIVE, Tables

# Column keys that are not a region, country, programme, theme or year.
GLOBAL = -1  # a project with no location
WHOLE_REGION = -2  # a region-level location, in a view of that region's countries
ELSEWHERE = -3  # a location outside the region, in a view of its countries
UNDATED = -4  # a project without start or end date, in a view of years
NO_THEME = -5  # a project with no theme tag, in a view of themes

ONE = literal_column("1.0")  # numeric on PostgreSQL, real on SQLite: never integer division
HUNDRED = literal_column("100.0")
PRINCIPAL = 2


def tables_for(query: CoverageQuery) -> Tables:
    """The tables a query reads: as they are, or as they stood on its `as_of` day."""
    if query.as_of is None:
        return LIVE
    from tracker.services.history.tables import tables_at

    return tables_at(query.as_of)


class Dialect:
    """The few SQL functions that SQLite and PostgreSQL spell differently."""

    def __init__(self, name: str):
        self.sqlite = name == "sqlite"

    def least(self, a, b):
        return func.min(a, b) if self.sqlite else func.least(a, b)

    def greatest(self, a, b):
        return func.max(a, b) if self.sqlite else func.greatest(a, b)

    def day_number(self, value) -> ColumnElement:
        if self.sqlite:
            return cast(func.julianday(value), Integer)
        return value - literal(date(2000, 1, 1))

    def year(self, value) -> ColumnElement:
        if self.sqlite:
            return cast(func.strftime("%Y", value), Integer)
        return cast(func.extract("year", value), Integer)


def filtered_projects(
    query: CoverageQuery,
    *,
    extra: list | None = None,
    tables: Tables | None = None,
    name: str = "fp",
) -> CTE:
    """Projects in the filter with their budget in the reporting currency (a CTE `name`)."""
    tables = tables or tables_for(query)
    Project, ProjectLocation = tables.project, tables.location
    budget = func.coalesce(Project.budget_amount * Currency.rate_to_reporting, 0)
    stmt = (
        select(
            Project.id.label("project_id"),
            Project.programme_id.label("programme_id"),
            Project.start_date.label("start_date"),
            Project.end_date.label("end_date"),
            budget.label("budget"),
        )
        .select_from(Project)
        .outerjoin(Currency, Currency.code == Project.budget_currency)
    )
    if query.statuses:
        stmt = stmt.where(Project.status.in_(query.statuses))
    if query.programme_ids:
        stmt = stmt.where(Project.programme_id.in_(query.programme_ids))
    if query.date_from:
        stmt = stmt.where(Project.end_date >= query.date_from)
    if query.date_to:
        stmt = stmt.where(Project.start_date <= query.date_to)
    if query.region_id is not None:
        stmt = stmt.where(
            exists(
                select(ProjectLocation.id)
                .outerjoin(Country, Country.id == ProjectLocation.country_id)
                .where(
                    ProjectLocation.project_id == Project.id,
                    or_(
                        ProjectLocation.region_id == query.region_id,
                        Country.region_id == query.region_id,
                    ),
                )
            )
        )
    for condition in extra or []:
        stmt = stmt.where(condition)
    return stmt.cte(name)


def _split(base, share_column: str, *, principal_aware: bool) -> ColumnElement:
    """The SPEC's split of 1 over a project's items (tags or locations).

    Items with a share take it; the rest is split equally over principal items without a
    share (tags only) or else over all items without one; where every item has a share, the
    shares are scaled to make 1, and where they are all 0 the split is equal (over principal
    tags where there are any).
    """
    share, total = base.c[share_column], func.coalesce(base.c.sum_given, 0)
    rest = (HUNDRED - total) / HUNDRED
    if principal_aware:
        unshared_rest = case(
            (
                base.c.n_principal_unshared > 0,
                case(
                    (base.c.significance == PRINCIPAL, rest / base.c.n_principal_unshared),
                    else_=0,
                ),
            ),
            else_=rest / (base.c.n_items - base.c.n_given),
        )
        all_zero = case(
            (
                base.c.n_principal > 0,
                case((base.c.significance == PRINCIPAL, ONE / base.c.n_principal), else_=0),
            ),
            else_=ONE / base.c.n_items,
        )
    else:
        unshared_rest = rest / (base.c.n_items - base.c.n_given)
        all_zero = ONE / base.c.n_items
    return case(
        (
            base.c.n_given < base.c.n_items,
            case((share.is_not(None), share * ONE / HUNDRED), else_=unshared_rest),
        ),
        (base.c.sum_given > 0, share * ONE / base.c.sum_given),
        else_=all_zero,
    )


def tag_weights(
    fp: CTE, query: CoverageQuery, *, themes: bool, name: str, tables: Tables | None = None
) -> CTE:
    """(project_id, item_id, significance, weight) for objective or theme tags at or above the
    significance floor, on the active framework."""
    tables = tables or tables_for(query)
    tag = tables.theme_tag if themes else tables.objective_tag
    item = Theme if themes else Objective
    item_id = tag.theme_id if themes else tag.objective_id
    window = {"partition_by": tag.project_id}
    base = (
        select(
            tag.project_id.label("project_id"),
            item_id.label("item_id"),
            tag.significance.label("significance"),
            tag.budget_share.label("budget_share"),
            func.sum(tag.budget_share).over(**window).label("sum_given"),
            func.count(tag.budget_share).over(**window).label("n_given"),
            func.count().over(**window).label("n_items"),
            func.sum(case((tag.significance == PRINCIPAL, 1), else_=0))
            .over(**window)
            .label("n_principal"),
            func.sum(
                case(
                    (and_(tag.significance == PRINCIPAL, tag.budget_share.is_(None)), 1),
                    else_=0,
                )
            )
            .over(**window)
            .label("n_principal_unshared"),
        )
        .join(fp, fp.c.project_id == tag.project_id)
        .join(item, item.id == item_id)
        .where(tag.significance >= query.floor, item.framework_id == query.framework_id)
        .subquery(f"{name}_base")
    )
    return select(
        base.c.project_id,
        base.c.item_id,
        base.c.significance,
        _split(base, "budget_share", principal_aware=True).label("weight"),
    ).cte(name)


def location_weights(fp: CTE, tables: Tables = LIVE) -> CTE:
    """(project_id, country_id, region_id, location_region_id, weight) per location."""
    ProjectLocation = tables.location
    window = {"partition_by": ProjectLocation.project_id}
    base = (
        select(
            ProjectLocation.project_id.label("project_id"),
            ProjectLocation.country_id.label("country_id"),
            func.coalesce(ProjectLocation.region_id, Country.region_id).label("region_id"),
            ProjectLocation.region_id.label("location_region_id"),
            ProjectLocation.percentage.label("percentage"),
            func.sum(ProjectLocation.percentage).over(**window).label("sum_given"),
            func.count(ProjectLocation.percentage).over(**window).label("n_given"),
            func.count().over(**window).label("n_items"),
        )
        .join(fp, fp.c.project_id == ProjectLocation.project_id)
        .outerjoin(Country, Country.id == ProjectLocation.country_id)
        .subquery("loc_base")
    )
    return select(
        base.c.project_id,
        base.c.country_id,
        base.c.region_id,
        base.c.location_region_id,
        _split(base, "percentage", principal_aware=False).label("weight"),
    ).cte("locations")


def row_pairs(fp: CTE, query: CoverageQuery, *, rows: str, tables: Tables | None = None) -> CTE:
    """(project_id, row_id, significance, weight): the rows each project serves."""
    if rows == "themes":
        weights = tag_weights(fp, query, themes=True, name=f"rw_{rows}", tables=tables)
        return select(
            weights.c.project_id,
            weights.c.item_id.label("row_id"),
            weights.c.significance,
            weights.c.weight,
        ).cte(f"rows_{rows}")
    weights = tag_weights(fp, query, themes=False, name=f"rw_{rows}", tables=tables)
    if rows == "objectives":
        return select(
            weights.c.project_id,
            weights.c.item_id.label("row_id"),
            weights.c.significance,
            weights.c.weight,
        ).cte(f"rows_{rows}")
    return (
        select(
            weights.c.project_id,
            Objective.goal_id.label("row_id"),
            func.max(weights.c.significance).label("significance"),
            func.sum(weights.c.weight).label("weight"),
        )
        .join(Objective, Objective.id == weights.c.item_id)
        .group_by(weights.c.project_id, Objective.goal_id)
        .cte(f"rows_{rows}")
    )


def _without(fp: CTE, table_project_id, key: int) -> Select:
    """Projects of fp that have no row in a table: they go to a catch-all column."""
    return select(fp.c.project_id, literal(key).label("col_id"), ONE.label("weight")).where(
        ~exists(select(literal(1)).where(table_project_id == fp.c.project_id))
    )


def column_pairs(
    fp: CTE,
    query: CoverageQuery,
    dialect: Dialect,
    *,
    years: list[int] | None = None,
    tables: Tables | None = None,
) -> CTE:
    """(project_id, col_id, weight): the columns each project falls in; weights sum to 1."""
    tables = tables or tables_for(query)
    kind = query.columns
    if kind == "programmes":
        return select(fp.c.project_id, fp.c.programme_id.label("col_id"), ONE.label("weight")).cte(
            "cols"
        )
    if kind == "themes":
        weights = tag_weights(fp, query, themes=True, name="cw_themes", tables=tables)
        located = select(weights.c.project_id, weights.c.item_id.label("col_id"), weights.c.weight)
        return union_all(located, _without(fp, weights.c.project_id, NO_THEME)).cte("cols")
    if kind == "years":
        return _year_pairs(fp, dialect, years or [])
    locations = location_weights(fp, tables)
    if kind == "regions":
        col = locations.c.region_id
    else:  # countries of the chosen region
        col = case(
            (
                and_(
                    locations.c.country_id.is_not(None),
                    locations.c.region_id == query.region_id,
                ),
                locations.c.country_id,
            ),
            (locations.c.location_region_id == query.region_id, WHOLE_REGION),
            else_=ELSEWHERE,
        )
    located = select(
        locations.c.project_id, col.label("col_id"), func.sum(locations.c.weight).label("weight")
    ).group_by(locations.c.project_id, col)
    return union_all(located, _without(fp, locations.c.project_id, GLOBAL)).cte("cols")


def _year_pairs(fp: CTE, dialect: Dialect, years: list[int]) -> CTE:
    """Each dated project's share of days in each year it runs; undated ones apart."""
    start, end = dialect.day_number(fp.c.start_date), dialect.day_number(fp.c.end_date)
    dated = and_(fp.c.start_date.is_not(None), fp.c.end_date.is_not(None))
    parts = []
    for year in years:
        first = dialect.day_number(literal(date(year, 1, 1)))
        last = dialect.day_number(literal(date(year, 12, 31)))
        overlap = dialect.least(end, last) - dialect.greatest(start, first) + 1
        parts.append(
            select(
                fp.c.project_id,
                literal(year).label("col_id"),
                (overlap * ONE / (end - start + 1)).label("weight"),
            ).where(dated, fp.c.start_date <= date(year, 12, 31), fp.c.end_date >= date(year, 1, 1))
        )
    undated = select(fp.c.project_id, literal(UNDATED).label("col_id"), ONE.label("weight")).where(
        ~dated
    )
    return union_all(*parts, undated).cte("cols")


def year_range(fp: CTE, dialect: Dialect) -> Select:
    return select(
        func.min(dialect.year(fp.c.start_date)), func.max(dialect.year(fp.c.end_date))
    ).where(fp.c.start_date.is_not(None), fp.c.end_date.is_not(None))


__all__ = [
    "ELSEWHERE",
    "GLOBAL",
    "LIVE",
    "NO_THEME",
    "UNDATED",
    "WHOLE_REGION",
    "Dialect",
    "Tables",
    "column_pairs",
    "filtered_projects",
    "row_pairs",
    "tables_for",
    "year_range",
]
