"""The coverage matrix: rows x columns with projects, principal projects and budget."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import Numeric, case, distinct, func, select, type_coerce
from sqlmodel import Session

from tracker import formats, places
from tracker.formats import Text
from tracker.locales import DEFAULT, N_
from tracker.models import Country, Goal, Objective, Programme, Project, Region, Theme
from tracker.services.coverage import cache, cube, sdgs, sql
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.index import store
from tracker.services.coverage.index import views as index

ZERO = Decimal(0)


def _amount(expression):
    """A sum of money, read back with enough places: the column types alone would round each
    cell to the cent on SQLite, and a euro split in three would grow or shrink."""
    return type_coerce(func.sum(expression), Numeric(38, 12))


def _decimal(value) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


@dataclass(frozen=True)
class Cell:
    projects: int = 0
    principal: int = 0
    budget: Decimal = ZERO

    def value(self, metric: str):
        return {"projects": self.projects, "principal": self.principal, "budget": self.budget}[
            metric
        ]


EMPTY = Cell()


@dataclass(frozen=True)
class Row:
    key: str  # "goal:3", "objective:17" or "theme:2"
    code: str
    label: str
    statement: str
    level: str  # goal, objective or theme
    goal_code: str | None = None


@dataclass(frozen=True)
class Column:
    key: int
    code: str
    label: str


@dataclass
class Matrix:
    query: CoverageQuery
    rows: list[Row]
    columns: list[Column]
    cells: dict[tuple[str, int], Cell] = field(default_factory=dict)
    row_totals: dict[str, Cell] = field(default_factory=dict)
    column_totals: dict[int, Cell] = field(default_factory=dict)
    total: Cell = EMPTY

    def cell(self, row: Row, column: Column) -> Cell:
        return self.cells.get((row.key, column.key), EMPTY)

    def row_total(self, row: Row) -> Cell:
        return self.row_totals.get(row.key, EMPTY)

    def column_total(self, column: Column) -> Cell:
        return self.column_totals.get(column.key, EMPTY)

    def of_goal(self, query: CoverageQuery) -> Matrix:
        """The matrix for `query`, which may narrow it to one goal and its objectives (whose
        totals are then the goal's)."""
        code = query.goal_code
        if code is None:
            return self
        goal = next((r for r in self.rows if r.level == "goal" and r.code == code), None)
        if goal is None:
            return self
        rows = [r for r in self.rows if r is goal or r.goal_code == code]
        keys = {r.key for r in rows}
        return Matrix(
            query=query,
            rows=rows,
            columns=self.columns,
            cells={k: v for k, v in self.cells.items() if k[0] in keys},
            row_totals={k: v for k, v in self.row_totals.items() if k in keys},
            column_totals={c.key: self.cell(goal, c) for c in self.columns},
            total=self.row_total(goal),
        )

    def in_order_of(self, locale: str) -> Matrix:
        """The matrix with its countries in the order the locale sorts their names ("Uganda"
        last in English, "Ouganda" among the O's in French); the columns that are no country
        (Whole region, Elsewhere, Global) stay last."""
        countries = [c for c in self.columns if getattr(c.label, "kind", None) == "country"]
        if not countries or locale == DEFAULT:
            return self
        rest = [c for c in self.columns if c not in countries]
        countries = formats.sort_names(
            countries, locale=locale, key=lambda column: column.label.in_locale(locale)
        )
        return replace(self, columns=countries + rest)

    @property
    def leaf_level(self) -> str:
        return {
            "goals": "goal",
            "objectives": "objective",
            "themes": "theme",
            "sdgs": "sdg",
            "sdg_targets": "sdg_target",
        }[self.query.rows]

    @property
    def leaf_values(self) -> list:
        """The chosen metric of every non-total cell of the finest rows."""
        return [
            c.value(self.query.metric)
            for (key, _), c in self.cells.items()
            if key.startswith(self.leaf_level)
        ]


def _cells(session, rp, cp, fp, level: str) -> dict[tuple[str, int], Cell]:
    stmt = (
        select(
            rp.c.row_id,
            cp.c.col_id,
            func.count(distinct(rp.c.project_id)),
            func.count(distinct(case((rp.c.significance == sql.PRINCIPAL, rp.c.project_id)))),
            _amount(fp.c.budget * rp.c.weight * cp.c.weight),
        )
        .select_from(rp)
        .join(cp, cp.c.project_id == rp.c.project_id)
        .join(fp, fp.c.project_id == rp.c.project_id)
        .group_by(rp.c.row_id, cp.c.col_id)
    )
    return {
        (f"{level}:{row}", int(col)): Cell(n, p, _decimal(b))
        for row, col, n, p, b in session.execute(stmt)
    }


def _row_totals(session, rp, fp, level: str) -> dict[str, Cell]:
    stmt = (
        select(
            rp.c.row_id,
            func.count(distinct(rp.c.project_id)),
            func.count(distinct(case((rp.c.significance == sql.PRINCIPAL, rp.c.project_id)))),
            _amount(fp.c.budget * rp.c.weight),
        )
        .join(fp, fp.c.project_id == rp.c.project_id)
        .group_by(rp.c.row_id)
    )
    return {f"{level}:{row}": Cell(n, p, _decimal(b)) for row, n, p, b in session.execute(stmt)}


def _aligned(rp):
    return (
        select(rp.c.project_id, func.max(rp.c.significance).label("significance"))
        .group_by(rp.c.project_id)
        .cte("aligned")
    )


def _column_totals(session, aligned, cp, fp) -> dict[int, Cell]:
    stmt = (
        select(
            cp.c.col_id,
            func.count(distinct(cp.c.project_id)),
            func.count(distinct(case((aligned.c.significance == sql.PRINCIPAL, cp.c.project_id)))),
            _amount(fp.c.budget * cp.c.weight),
        )
        .join(aligned, aligned.c.project_id == cp.c.project_id)
        .join(fp, fp.c.project_id == cp.c.project_id)
        .group_by(cp.c.col_id)
    )
    return {int(col): Cell(n, p, _decimal(b)) for col, n, p, b in session.execute(stmt)}


def _grand_total(session, aligned, fp) -> Cell:
    stmt = select(
        func.count(),
        func.count(case((aligned.c.significance == sql.PRINCIPAL, 1))),
        _amount(fp.c.budget),
    ).join(fp, fp.c.project_id == aligned.c.project_id)
    n, p, b = session.execute(stmt).one()
    return Cell(n, p, _decimal(b))


def compute_matrix(*, session: Session, query: CoverageQuery, extra: list | None = None) -> Matrix:
    """The matrix for a query; `extra` narrows the projects further (such as to one).

    Served from the cache while nothing that coverage depends on has changed."""
    whole = query.with_view(goal_code=None)
    if extra is not None:
        return _compute(session, whole, extra).of_goal(query)
    return cache.cached(
        session, ("matrix", _query_key(whole)), lambda: _compute(session, whole, None)
    ).of_goal(query)


def compute_for_project(*, session: Session, query: CoverageQuery, project_id: int) -> Matrix:
    """What one project adds to a view (the same rules, the same figures as the view's own):
    from the attribution index where it answers, else from the tables."""
    whole = query.with_view(goal_code=None)
    if whole.as_of is None and _indexed(session, whole):
        columns = store.columns(session, whole.framework_id)
        figures = index.figures(columns, whole, session, project_id=project_id)
        return _from_cube(session, whole, figures).of_goal(query)
    return _compute(session, whole, [Project.id == project_id]).of_goal(query)


def _query_key(query: CoverageQuery) -> tuple:
    return (
        query.rows,
        query.columns,
        query.metric,
        query.statuses,
        query.programme_ids,
        query.region_id,
        query.date_from,
        query.date_to,
        query.floor,
        query.framework_id,
        query.as_of,
    )


def _compute(session: Session, query: CoverageQuery, extra: list | None) -> Matrix:
    if extra is None and query.as_of is not None:
        from tracker.services.history.asof import figures_at

        if (figures := figures_at(session, query)) is not None:
            return _from_cube(session, query, figures)
    if extra is None and (figures := cube.read(session, query)) is not None:
        return _from_cube(session, query, figures)
    if extra is None and _indexed(session, query):
        columns = store.columns(session, query.framework_id, versions=query.as_of is not None)
        return _from_cube(session, query, index.figures(columns, query, session))
    return compute_from_tables(session, query, extra)


def _indexed(session: Session, query: CoverageQuery) -> bool:
    """Whether the attribution index answers this view (any view of goals, objectives or
    themes now, in a session without changes of its own waiting)."""
    return query.framework_id is not None and index.serves(query) and store.usable(session)


def _from_cube(session: Session, query: CoverageQuery, figures) -> Matrix:
    """The matrix from summed figures: the cube's, a day's, or the attribution index's."""
    matrix = Matrix(query=query, rows=[], columns=[])
    matrix.cells = {key: Cell(*value) for key, value in figures.cells.items()}
    matrix.row_totals = {key: Cell(*value) for key, value in figures.row_totals.items()}
    if query.rows in sdgs.SDG_ROWS:
        present = set(matrix.row_totals)
        matrix.rows = [Row(*row) for row in sdgs.rows(session, query, present=present)]
    else:
        matrix.rows = _rows(session, query)
    matrix.column_totals = {key: Cell(*value) for key, value in figures.column_totals.items()}
    matrix.total = Cell(*figures.total)
    years = getattr(figures, "years", None)
    matrix.columns = _columns(session, query, matrix.column_totals, years)
    return matrix


def compute_from_tables(
    session: Session, query: CoverageQuery, extra: list | None = None
) -> Matrix:
    """The matrix joined and summed from the projects, tags and places themselves."""
    dialect = sql.Dialect(session.get_bind().dialect.name)
    fp = sql.filtered_projects(query, extra=extra)
    years = _years(session, fp, dialect) if query.columns == "years" else None
    cp = sql.column_pairs(fp, query, dialect, years=years)
    leaf = "theme" if query.rows == "themes" else query.rows.rstrip("s")
    if query.rows in sdgs.SDG_ROWS:
        rp = sdgs.row_pairs(fp, query, dialect, level=leaf)
        parent = sdgs.row_pairs(fp, query, dialect, level="sdg")
    else:
        rp = sql.row_pairs(fp, query, rows=query.rows)
        parent = sql.row_pairs(fp, query, rows="goals")
    matrix = Matrix(query=query, rows=[], columns=[])
    matrix.cells = _cells(session, rp, cp, fp, leaf)
    matrix.row_totals = _row_totals(session, rp, fp, leaf)
    if query.rows in ("objectives", "sdg_targets"):
        level = "goal" if query.rows == "objectives" else "sdg"
        matrix.cells |= _cells(session, parent, cp, fp, level)
        matrix.row_totals |= _row_totals(session, parent, fp, level)
    if query.rows in sdgs.SDG_ROWS:
        matrix.rows = [
            Row(*row) for row in sdgs.rows(session, query, present=set(matrix.row_totals))
        ]
    else:
        matrix.rows = _rows(session, query)
    aligned = _aligned(rp)
    matrix.column_totals = _column_totals(session, aligned, cp, fp)
    matrix.total = _grand_total(session, aligned, fp)
    matrix.columns = _columns(session, query, matrix.column_totals, years)
    return matrix


def _years(session, fp, dialect) -> list[int]:
    low, high = session.execute(sql.year_range(fp, dialect)).one()
    return list(range(int(low), int(high) + 1)) if low is not None else []


def _rows(session: Session, query: CoverageQuery) -> list[Row]:
    fid = query.framework_id
    if query.rows == "themes":
        themes = session.execute(
            select(Theme.id, Theme.code, Theme.name)
            .where(Theme.framework_id == fid)
            .order_by(Theme.position)
        )
        return [Row(f"theme:{i}", code, name, name, "theme") for i, code, name in themes]
    goals = session.execute(
        select(Goal.id, Goal.code, Goal.short_name, Goal.statement)
        .where(Goal.framework_id == fid)
        .order_by(Goal.position)
    ).all()
    if query.rows == "goals":
        return [
            Row(f"goal:{i}", code, name, statement, "goal") for i, code, name, statement in goals
        ]
    objectives: dict[int, list[Row]] = {}
    for i, goal_id, code, name, statement in session.execute(
        select(
            Objective.id,
            Objective.goal_id,
            Objective.code,
            Objective.short_name,
            Objective.statement,
        )
        .where(Objective.framework_id == fid)
        .order_by(Objective.position)
    ):
        objectives.setdefault(goal_id, []).append(
            Row(f"objective:{i}", code, name or statement, statement, "objective")
        )
    rows: list[Row] = []
    for i, code, name, statement in goals:
        rows.append(Row(f"goal:{i}", code, name, statement, "goal"))
        rows += [
            Row(r.key, r.code, r.label, r.statement, r.level, goal_code=code)
            for r in objectives.get(i, [])
        ]
    return rows


def _columns(session, query: CoverageQuery, totals: dict[int, Cell], years) -> list[Column]:
    kind = query.columns
    if kind == "regions":
        regions = session.execute(
            select(Region.id, Region.code, Region.name).order_by(Region.position)
        )
        return [Column(i, code, places.region(code, name)) for i, code, name in regions] + [
            Column(sql.GLOBAL, "global", Text(N_("Global")))
        ]
    if kind == "programmes":
        chosen = select(Programme.id, Programme.code, Programme.name).order_by(Programme.name)
        if query.programme_ids:
            chosen = chosen.where(Programme.id.in_(query.programme_ids))
        return [Column(i, code, name) for i, code, name in session.execute(chosen)]
    if kind == "themes":
        themes = session.execute(
            select(Theme.id, Theme.code, Theme.name)
            .where(Theme.framework_id == query.framework_id)
            .order_by(Theme.position)
        )
        columns = [Column(i, code, f"{code} {name}") for i, code, name in themes]
        if sql.NO_THEME in totals:
            columns.append(Column(sql.NO_THEME, "none", Text(N_("No theme"))))
        return columns
    if kind == "years":
        columns = [Column(y, str(y), str(y)) for y in years or []]
        if sql.UNDATED in totals:
            columns.append(Column(sql.UNDATED, "undated", Text(N_("Undated"))))
        return columns
    # Countries of one region: those where the filtered projects work, then the rest.
    present = [key for key in totals if key > 0]
    countries = session.execute(
        select(Country.id, Country.code, Country.name)
        .where(Country.id.in_(present))
        .order_by(Country.name)
    )
    columns = [Column(i, code, places.country(code, name)) for i, code, name in countries]
    columns.append(Column(sql.WHOLE_REGION, "whole-region", Text(N_("Whole region"))))
    for key, code, label in (
        (sql.ELSEWHERE, "elsewhere", Text(N_("Elsewhere"))),
        (sql.GLOBAL, "global", Text(N_("Global"))),
    ):
        if key in totals:
            columns.append(Column(key, code, label))
    return columns
