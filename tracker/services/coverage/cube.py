"""Coverage kept pre-aggregated as projects change.

The cube holds, for each significance floor, status and programme, every cell, row total,
column total and grand total of the views that most people open: goals, objectives or themes
against regions, programmes or themes. A heatmap of those views sums a few hundred cube rows
instead of joining every tag with every place.

Each project contributes a fixed set of amounts to the cube (its `Member`). When a transaction
changes projects, their places or their tags, the contributions they made before the change are
computed first (once the transaction holds the coverage token's lock, so nobody else's change
can slip in between), the new ones at commit, and the difference is added in the same
transaction. Changes the cube cannot follow one project at a time (currency rates, the
framework, regions and countries, bulk inserts) mark it stale: small portfolios are rebuilt at
once, large ones by `tracker coverage rebuild` or the scheduler, and until then every view is
computed from the tables directly. The cube is only ever a faster way to the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Float, and_, delete, event, func, or_, select, type_coerce
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from tracker.models import CacheState, CoverageCell, Objective, Project
from tracker.services.coverage import cache, sql
from tracker.services.coverage.filters import CoverageQuery, active_framework_id

STATE_KEY = "coverage_cube"
STALE = "stale"
UNIT = 10_000  # budgets in ten-thousandths of the reporting currency
TOTAL = 0  # the other side of a row total, a column total or the grand total
FLOORS = (1, 2)
ROW_KINDS = ("goals", "objectives", "themes")
COLUMN_KINDS = ("regions", "programmes", "themes")
ANY_COLUMN = "*"  # row totals and the grand total do not depend on the columns
INLINE_REBUILD_MAX = 5_000  # projects; above this a stale cube waits for a rebuild job
CHUNK = 500

# Tables whose rows belong to one project: a change to them is followed project by project.
PROJECT_TABLES = {"project": "id", "project_location": "project_id"}
PROJECT_TABLES |= {"objective_tag": "project_id", "theme_tag": "project_id"}
# Tables whose change can move every project's figures: the cube is rebuilt.
GLOBAL_TABLES = frozenset({"currency", "framework", "goal", "objective", "theme"})
GLOBAL_TABLES |= {"region", "country"}

OLD = "coverage_cube_old"  # project id -> Member before this transaction's change
NEW_PROJECTS = "coverage_cube_new"  # Project objects registered, not yet flushed
CREATED = "coverage_cube_created"  # ids of projects registered in this transaction
MARKED_STALE = "coverage_cube_stale"
OWN = {"coverage_cube": True}  # our own statements, which the hooks let pass


@dataclass
class Member:
    """What one project brings to coverage: its status, programme and budget, its places
    (region, share) and, per floor, its objective tags (objective, goal, significance, share)
    and theme tags (theme, significance, share)."""

    status: str
    programme_id: int
    budget: float
    regions: list[tuple[int, float]] = field(default_factory=list)
    objectives: dict[int, list[tuple[int, int, int, float]]] = field(
        default_factory=lambda: {f: [] for f in FLOORS}
    )
    themes: dict[int, list[tuple[int, int, float]]] = field(
        default_factory=lambda: {f: [] for f in FLOORS}
    )


# Reading ---------------------------------------------------------------------------------


def serves(query: CoverageQuery) -> bool:
    """Whether the cube holds this view (any other view is computed from the tables)."""
    return (
        query.rows in ROW_KINDS
        and query.columns in COLUMN_KINDS
        and query.floor in FLOORS
        and query.region_id is None
        and query.date_from is None
        and query.date_to is None
    )


def is_fresh(session: Session, framework_id: int | None) -> bool:
    return framework_id is not None and _state(session) == _fresh(framework_id)


@dataclass
class Figures:
    cells: dict
    row_totals: dict
    column_totals: dict
    total: tuple[int, int, Decimal]


def read(session: Session, query: CoverageQuery) -> Figures | None:
    """The cells and totals of a view from the cube, or None when the cube cannot answer."""
    if not serves(query) or not is_fresh(session, query.framework_id):
        return None
    figures = Figures({}, {}, {}, (0, 0, Decimal(0)))
    singular = {"goals": "goal", "objectives": "objective", "themes": "theme"}
    for rows, cols, row_id, col_id, n, p, b in session.execute(
        read_statement(query), execution_options=OWN
    ):
        value = (int(n), int(p), Decimal(int(b)) / UNIT)
        if row_id != TOTAL:
            key = f"{singular[rows]}:{row_id}"
            if cols == ANY_COLUMN:
                figures.row_totals[key] = value
            else:
                figures.cells[(key, int(col_id))] = value
        elif cols == ANY_COLUMN:
            figures.total = value
        else:
            figures.column_totals[int(col_id)] = value
    return figures


def read_statement(query: CoverageQuery):
    """The cube rows of a view, summed over the statuses and programmes in the filter."""
    levels = ("objectives", "goals") if query.rows == "objectives" else (query.rows,)
    aligned = "themes" if query.rows == "themes" else "objectives"
    c = CoverageCell
    stmt = (
        select(
            c.rows,
            c.cols,
            c.row_id,
            c.col_id,
            func.sum(c.projects),
            func.sum(c.principal),
            func.sum(c.budget),
        )
        .where(
            c.floor == query.floor,
            c.cols.in_((query.columns, ANY_COLUMN)),
            or_(
                and_(c.rows.in_(levels), c.row_id != TOTAL),
                and_(c.rows == aligned, c.row_id == TOTAL),
            ),
        )
        .group_by(c.rows, c.cols, c.row_id, c.col_id)
        .having(func.sum(c.projects) > 0)
    )
    if query.statuses:
        stmt = stmt.where(c.status.in_(query.statuses))
    if query.programme_ids:
        stmt = stmt.where(c.programme_id.in_(query.programme_ids))
    return stmt


# Contributions ---------------------------------------------------------------------------


def contribute(member: Member, out: dict, sign: int) -> None:
    """Add (sign 1) or take away (sign -1) one project's amounts to `out`, keyed like the cube."""
    status, programme = member.status, member.programme_id
    budget = member.budget * UNIT
    regions = member.regions or [(sql.GLOBAL, 1.0)]
    programmes = [(programme, 1.0)]

    def add(floor, rows, cols, row_id, col_id, principal, amount):
        key = (floor, status, programme, rows, cols, row_id, col_id)
        entry = out.get(key)
        if entry is None:
            out[key] = entry = [0, 0, 0]
        entry[0] += sign
        entry[1] += sign * principal
        entry[2] += sign * round(amount)

    for floor in FLOORS:
        objectives = member.objectives[floor]
        themes = member.themes[floor]
        goals: dict[int, tuple[int, float]] = {}
        for _, goal_id, significance, weight in objectives:
            seen = goals.get(goal_id)
            goals[goal_id] = (
                (max(seen[0], significance), seen[1] + weight) if seen else (significance, weight)
            )
        theme_columns = [(t, w) for t, _, w in themes] or [(sql.NO_THEME, 1.0)]
        columns = (
            ("regions", regions),
            ("programmes", programmes),
            ("themes", theme_columns),
        )
        levels = (
            ("goals", [(g, s, w) for g, (s, w) in goals.items()]),
            ("objectives", [(o, s, w) for o, _, s, w in objectives]),
            ("themes", themes),
        )
        for rows, items in levels:
            for row_id, significance, row_weight in items:
                principal = 1 if significance == sql.PRINCIPAL else 0
                row_budget = budget * row_weight
                add(floor, rows, ANY_COLUMN, row_id, TOTAL, principal, row_budget)
                for cols, pairs in columns:
                    for col_id, col_weight in pairs:
                        add(floor, rows, cols, row_id, col_id, principal, row_budget * col_weight)
        for rows, items in (("objectives", objectives), ("themes", themes)):
            if not items:
                continue
            principal = 1 if any(item[-2] == sql.PRINCIPAL for item in items) else 0
            add(floor, rows, ANY_COLUMN, TOTAL, TOTAL, principal, budget)
            for cols, pairs in columns:
                for col_id, col_weight in pairs:
                    add(floor, rows, cols, TOTAL, col_id, principal, budget * col_weight)


def members(session: Session, framework_id: int, ids=None) -> dict[int, Member]:
    """Each project's Member, for the given project ids or for all projects."""
    out: dict[int, Member] = {}
    if ids is None:
        _load(session, framework_id, None, out)
        return out
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        _load(session, framework_id, ids[start : start + CHUNK], out)
    return out


def _float(expression):
    """A share read back whole: typed as the budget share column, SQLite's answer would be
    rounded to two places on the way."""
    return type_coerce(expression, Float)


def _load(session: Session, framework_id: int, ids, out: dict[int, Member]) -> None:
    extra = [Project.id.in_(ids)] if ids is not None else None

    def run(statement):
        return session.execute(statement, execution_options=OWN)

    base = CoverageQuery(statuses=(), framework_id=framework_id)
    fp = sql.filtered_projects(base, extra=extra)
    for pid, status, programme, budget in run(
        select(fp.c.project_id, Project.status, fp.c.programme_id, fp.c.budget).join(
            Project, Project.id == fp.c.project_id
        )
    ):
        out[pid] = Member(status, programme, float(budget or 0))
    locations = sql.location_weights(fp)
    for pid, region_id, weight in run(
        select(locations.c.project_id, locations.c.region_id, _float(func.sum(locations.c.weight)))
        .group_by(locations.c.project_id, locations.c.region_id)
        .order_by(locations.c.project_id, locations.c.region_id)
    ):
        out[pid].regions.append((region_id, float(weight)))
    for floor in FLOORS:
        query = base.with_view(floor=floor)
        tags = sql.tag_weights(fp, query, themes=False, name="cube_objectives")
        for pid, objective_id, goal_id, significance, weight in run(
            select(
                tags.c.project_id,
                tags.c.item_id,
                Objective.goal_id,
                tags.c.significance,
                _float(tags.c.weight),
            )
            .join(Objective, Objective.id == tags.c.item_id)
            .order_by(tags.c.project_id, tags.c.item_id)
        ):
            out[pid].objectives[floor].append((objective_id, goal_id, significance, float(weight)))
        tags = sql.tag_weights(fp, query, themes=True, name="cube_themes")
        for pid, theme_id, significance, weight in run(
            select(
                tags.c.project_id, tags.c.item_id, tags.c.significance, _float(tags.c.weight)
            ).order_by(tags.c.project_id, tags.c.item_id)
        ):
            out[pid].themes[floor].append((theme_id, significance, float(weight)))


# Writing ---------------------------------------------------------------------------------


def _fresh(framework_id: int) -> str:
    return f"fresh:{framework_id}"


def _state(session: Session) -> str | None:
    return session.execute(
        select(CacheState.token).where(CacheState.key == STATE_KEY), execution_options=OWN
    ).scalar()


def _set_state(session: Session, value: str) -> None:
    statement = cache.insert_for(session)(CacheState).values(key=STATE_KEY, token=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"token": value}),
        execution_options=OWN,
    )


def _upsert(session: Session, amounts: dict, *, add: bool) -> None:
    rows = [
        {
            "floor": k[0],
            "status": k[1],
            "programme_id": k[2],
            "rows": k[3],
            "cols": k[4],
            "row_id": k[5],
            "col_id": k[6],
            "projects": v[0],
            "principal": v[1],
            "budget": v[2],
        }
        for k, v in sorted(amounts.items())
        if v != [0, 0, 0]
    ]
    if not rows:
        return
    table = CoverageCell.__table__
    statement = cache.insert_for(session)(table)
    if add:
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={
                "projects": table.c.projects + excluded.projects,
                "principal": table.c.principal + excluded.principal,
                "budget": table.c.budget + excluded.budget,
            },
        )
    for start in range(0, len(rows), 5_000):
        session.execute(statement, rows[start : start + 5_000], execution_options=OWN)


def rebuild(session: Session) -> int:
    """Compute the whole cube again from the tables, in the caller's transaction; returns the
    number of projects it holds. Writers wait on the coverage token meanwhile."""
    cache.renew_token(session)
    framework_id = active_framework_id(session)
    session.execute(delete(CoverageCell), execution_options=OWN)
    if framework_id is None:
        _set_state(session, STALE)
        return 0
    anyone = session.execute(select(Project.id).limit(1), execution_options=OWN).first()
    everyone = members(session, framework_id) if anyone else {}
    amounts: dict = {}
    for member in everyone.values():
        contribute(member, amounts, 1)
    _upsert(session, amounts, add=False)
    _set_state(session, _fresh(framework_id))
    for key in (OLD, NEW_PROJECTS, CREATED, MARKED_STALE):
        session.info.pop(key, None)
    return len(everyone)


def refresh(session: Session) -> int | None:
    """Rebuild the cube if it is stale; returns the projects rebuilt, or None if it was fresh."""
    if is_fresh(session, active_framework_id(session)):
        return None
    return rebuild(session)


def mark_stale(session: Session) -> None:
    session.info[MARKED_STALE] = True


def _created(session: Session) -> set[int]:
    """Ids of the projects registered in this transaction, as flushes give them ids."""
    created = session.info.setdefault(CREATED, set())
    pending = session.info.get(NEW_PROJECTS)
    if pending:
        created.update(obj.id for obj in pending if obj.id is not None)
        session.info[NEW_PROJECTS] = [obj for obj in pending if obj.id is None]
    return created


def _remember(session: Session, project_ids) -> None:
    """Compute the contributions of projects about to change, before they change."""
    old = session.info.setdefault(OLD, {})
    created = _created(session)
    fresh_ids = {pid for pid in project_ids if pid not in old and pid not in created} - {None}
    if not fresh_ids or session.info.get(MARKED_STALE):
        return
    cache.renew_token(session)  # the lock first: nobody else's change lands in between
    framework_id = active_framework_id(session)
    if framework_id is None:
        return
    with session.no_autoflush:
        found = members(session, framework_id, fresh_ids)
    for pid in fresh_ids:
        old[pid] = found.get(pid)


def _settle(session: Session) -> None:
    """At commit: add each changed project's difference to the cube, or rebuild it."""
    info = session.info
    session.flush()  # commit flushes after this event; what it would write must be seen now
    if not (info.get(OLD) or info.get(NEW_PROJECTS) or info.get(CREATED)) and not info.get(
        MARKED_STALE
    ):
        return
    cache.renew_token(session)
    framework_id = active_framework_id(session)
    if info.get(MARKED_STALE) or not is_fresh(session, framework_id):
        count = session.execute(select(func.count(Project.id)), execution_options=OWN).scalar()
        if framework_id is not None and count <= INLINE_REBUILD_MAX:
            rebuild(session)
        else:
            _set_state(session, STALE)
        return
    # A project registered in this transaction brought nothing before, unless SQLite gave it
    # the id of one deleted earlier in it: then that one's contributions go.
    old = info.get(OLD, {})
    ids = set(old) | _created(session)
    if not ids:
        return
    new = members(session, framework_id, ids)
    delta: dict = {}
    for pid in ids:
        if old.get(pid) is not None:
            contribute(old[pid], delta, -1)
        if pid in new:
            contribute(new[pid], delta, 1)
    _upsert(session, delta, add=True)
    for key in (OLD, NEW_PROJECTS, CREATED):
        info.pop(key, None)


def _clear(session: Session) -> None:
    for key in (OLD, NEW_PROJECTS, CREATED, MARKED_STALE):
        session.info.pop(key, None)


def before_flush(session: Session) -> None:
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in PROJECT_TABLES:
            pid = getattr(obj, PROJECT_TABLES[table], None)
            if pid is None and table == "project":
                session.info.setdefault(NEW_PROJECTS, []).append(obj)
            else:
                touched.add(pid)
        elif table in GLOBAL_TABLES and (
            obj in session.new or obj in session.deleted or session.is_modified(obj)
        ):
            mark_stale(session)
    if touched:
        _remember(session, touched)


def on_execute(state: ORMExecuteState) -> None:
    if state.execution_options.get("coverage_cube") or not (
        state.is_update or state.is_delete or state.is_insert
    ):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in GLOBAL_TABLES:
        mark_stale(state.session)
    elif name in PROJECT_TABLES:
        if state.is_insert:
            mark_stale(state.session)  # bulk inserts: follow them by a rebuild
            return
        column = table.c[PROJECT_TABLES[name]]
        found = select(column).distinct()
        if state.statement.whereclause is not None:
            found = found.where(state.statement.whereclause)
        with state.session.no_autoflush:
            ids = state.session.execute(found, execution_options=OWN).scalars().all()
        _remember(state.session, ids)


def differences(session: Session) -> list[str]:
    """Cells where the stored cube differs from one computed now: empty when it is right."""
    framework_id = active_framework_id(session)
    if not is_fresh(session, framework_id):
        return ["the cube is stale: nothing to compare"]
    expected: dict = {}
    for member in members(session, framework_id).values():
        contribute(member, expected, 1)
    expected = {k: tuple(v) for k, v in expected.items() if v != [0, 0, 0]}
    c = CoverageCell
    stored = {
        (f, s, p, r, co, ri, ci): (n, pr, b)
        for f, s, p, r, co, ri, ci, n, pr, b in session.execute(
            select(
                c.floor,
                c.status,
                c.programme_id,
                c.rows,
                c.cols,
                c.row_id,
                c.col_id,
                c.projects,
                c.principal,
                c.budget,
            ).where(or_(c.projects != 0, c.principal != 0, c.budget != 0)),
            execution_options=OWN,
        )
    }
    return [
        f"{key}: stored {stored.get(key)}, computed {expected.get(key)}"
        for key in sorted(set(stored) | set(expected), key=str)
        if stored.get(key) != expected.get(key)
    ]


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    before_flush(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    on_execute(state)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _settle(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    _clear(session)


__all__ = [
    "Member",
    "contribute",
    "differences",
    "is_fresh",
    "mark_stale",
    "members",
    "read",
    "rebuild",
    "refresh",
    "serves",
]
