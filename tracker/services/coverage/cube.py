"""Coverage kept pre-aggregated as projects change.

The cube holds, for each significance floor, status and programme, every cell, row total,
column total and grand total of the views that most people open: goals, objectives or themes
against regions, programmes or themes. A heatmap of those views sums a few hundred cube rows
instead of joining every tag with every place.

Each project contributes a fixed set of amounts to the cube (its `Member`). When a transaction
changes projects, their places or their tags, it first locks those projects (so nobody else's
change to them can slip in between) and computes what they contributed before; at commit it
computes what they contribute now and appends the difference as new rows, in the same
transaction. A cell is the sum of its rows, so writers never update a row another writer could
hold, and writers to different projects never wait for each other; `compact` folds the rows
back to one per cell every minute. Changes the cube cannot follow one project at a time
(currency rates, the framework, regions and countries, bulk inserts) mark it stale: small
portfolios are rebuilt right after the commit, large ones by `tracker coverage rebuild` or the
scheduler, and until then every view is computed from the tables directly. The cube is only
ever a faster way to the same figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import (
    Float,
    and_,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from tracker.models import CacheState, CoverageCell, Objective, Project
from tracker.services.coverage import cache, sql
from tracker.services.coverage.filters import CoverageQuery, active_framework_id

log = logging.getLogger(__name__)

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
FRAMEWORK = "coverage_cube_framework"  # the framework the old contributions were read with
REBUILD = "coverage_cube_rebuild"  # rebuild after this commit
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


def _rows(amounts: dict) -> list[dict]:
    return [
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
        if list(v) != [0, 0, 0]
    ]


def _append(session: Session, amounts: dict) -> None:
    """Add amounts to the cube as new rows: readers sum the rows of a cell, so a writer never
    updates a row that another writer could be holding."""
    rows = _rows(amounts)
    for start in range(0, len(rows), 5_000):
        session.execute(
            insert(CoverageCell.__table__), rows[start : start + 5_000], execution_options=OWN
        )


def _lock_projects(session: Session, project_ids) -> None:
    """Make this transaction the only one changing these projects until it commits, so that
    what they contributed before is read after anyone else's change to them has landed.

    PostgreSQL locks the project rows themselves (writers to other projects pass freely);
    SQLite lets one writer in at a time, which the coverage version's row gives at once."""
    if cache.is_postgresql(session):
        session.execute(
            select(Project.id)
            .where(Project.id.in_(sorted(project_ids)))
            .order_by(Project.id)
            .with_for_update(key_share=True),
            execution_options=OWN,
        )
    else:
        cache.note_change(session)


def rebuild(engine: Engine) -> int:
    """Compute the whole cube again from the tables, in a transaction of its own; returns the
    number of projects it holds.

    Writers carry on meanwhile: on PostgreSQL the rebuild reads one snapshot, replaces the rows
    that snapshot holds, and keeps the rows that writers append after it, which are exactly the
    changes the snapshot did not see. Should another maintenance run remove rows first, the
    rebuild starts again."""
    for attempt in range(5):
        try:
            with Session(engine, expire_on_commit=False) as session:
                if engine.dialect.name == "postgresql":
                    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                    # A rebuild of a large portfolio reads every tag: longer than a request may.
                    session.execute(text("SET LOCAL statement_timeout = 0"), execution_options=OWN)
                count = _rebuild(session)
                session.commit()
                return count
        except OperationalError as exc:
            if not _is_serialization_failure(exc) or attempt == 4:
                raise
    raise AssertionError("unreachable")


def _is_serialization_failure(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")


def _rebuild(session: Session) -> int:
    cache.note_change(session)
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
    _append(session, amounts)
    _set_state(session, _fresh(framework_id))
    return len(everyone)


def refresh(engine: Engine) -> int | None:
    """Rebuild the cube if it is stale; returns the projects rebuilt, or None if it was fresh."""
    with Session(engine) as session:
        if is_fresh(session, active_framework_id(session)):
            return None
    return rebuild(engine)


def compact(engine: Engine) -> int:
    """Fold the rows that writers appended into one row per cell; returns the rows removed.

    Each run deletes the cells that have more than one row (or nothing left in them) and
    writes back the sums of exactly the rows it deleted, so rows that writers append meanwhile
    are kept and counted."""
    c = CoverageCell.__table__
    key = [c.c.floor, c.c.status, c.c.programme_id, c.c.rows, c.c.cols, c.c.row_id, c.c.col_id]
    crowded = (
        select(*key)
        .group_by(*key)
        .having(
            or_(
                func.count() > 1,
                and_(func.sum(c.c.projects) == 0, func.sum(c.c.principal) == 0),
            )
        )
    )
    with Session(engine) as session:
        if not cache.is_postgresql(session):
            cache.note_change(session)  # SQLite: the one writer from here to the commit
        removed = session.execute(
            delete(c).where(tuple_(*key).in_(crowded)).returning(*key, *_AMOUNTS(c)),
            execution_options=OWN,
        ).all()
        sums: dict = {}
        for row in removed:
            entry = sums.setdefault(tuple(row[:7]), [0, 0, 0])
            for i in range(3):
                entry[i] += row[7 + i]
        _append(session, sums)
        session.commit()
    return len(removed) - len([v for v in sums.values() if v != [0, 0, 0]])


def _AMOUNTS(c):
    return (c.c.projects, c.c.principal, c.c.budget)


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
    cache.note_change(session)
    framework_id = active_framework_id(session)
    if framework_id is None:
        return
    session.info.setdefault(FRAMEWORK, framework_id)
    with session.no_autoflush:
        _lock_projects(session, fresh_ids)
        found = members(session, framework_id, fresh_ids)
    for pid in fresh_ids:
        old[pid] = found.get(pid)


def _settle(session: Session) -> None:
    """At commit: append each changed project's difference to the cube, or mark it stale."""
    info = session.info
    session.flush()  # commit flushes after this event; what it would write must be seen now
    if not (info.get(OLD) or info.get(NEW_PROJECTS) or info.get(CREATED)) and not info.get(
        MARKED_STALE
    ):
        return
    cache.note_change(session)
    framework_id = active_framework_id(session)
    remembered_with = info.get(FRAMEWORK, framework_id)
    if info.get(MARKED_STALE) or framework_id is None or remembered_with != framework_id:
        _set_state(session, STALE)
        info[REBUILD] = True
        return
    # The difference is appended even while the cube is stale: a rebuild running now keeps the
    # rows appended after its snapshot, which are the changes it did not see.
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
    _append(session, delta)
    for key in (OLD, NEW_PROJECTS, CREATED, FRAMEWORK):
        info.pop(key, None)


def _after_commit(session: Session) -> None:
    """A small portfolio whose cube went stale is rebuilt at once, in its own transaction;
    a large one waits for `tracker coverage rebuild` or the scheduler."""
    wanted = session.info.pop(REBUILD, False)
    _clear(session)
    if not wanted:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    try:
        with Session(engine) as other:
            count = other.execute(select(func.count(Project.id)), execution_options=OWN).scalar()
        if count <= INLINE_REBUILD_MAX:
            rebuild(engine)
    except Exception:  # the change is committed; the scheduler rebuilds the cube later
        log.exception("Could not rebuild the coverage cube after a change")


def _clear(session: Session) -> None:
    for key in (OLD, NEW_PROJECTS, CREATED, MARKED_STALE, FRAMEWORK, REBUILD):
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
    cell = (c.floor, c.status, c.programme_id, c.rows, c.cols, c.row_id, c.col_id)
    stored = {
        tuple(row[:7]): (int(row[7]), int(row[8]), int(row[9]))
        for row in session.execute(
            select(*cell, func.sum(c.projects), func.sum(c.principal), func.sum(c.budget))
            .group_by(*cell)
            .having(
                or_(func.sum(c.projects) != 0, func.sum(c.principal) != 0, func.sum(c.budget) != 0)
            ),
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
def _committed(session: Session) -> None:
    _after_commit(session)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    _clear(session)


__all__ = [
    "Member",
    "compact",
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
