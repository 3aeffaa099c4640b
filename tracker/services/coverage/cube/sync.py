"""Keeping the coverage cube in step with the tables.

A transaction that changes projects, their places or their tags first locks those projects and
reads what they contributed (`_remember`, before the flush that changes them); at commit it
reads what they contribute now and appends the difference as new rows (`_settle`). Changes that
move every project mark the cube stale; a small portfolio is rebuilt right after the commit, a
large one by `tracker coverage rebuild` or the scheduler, which also folds appended rows back
(`compact`). `install` puts the hooks on a session class; tracker.services.coverage.hooks calls
it where engines are made.
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, delete, event, func, insert, inspect, or_, select, text, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from tracker.models import CacheState, CoverageCell, CoverageTouch, Project
from tracker.services.coverage import cache
from tracker.services.coverage.cube.contribute import OWN, contribute, members
from tracker.services.coverage.cube.read import STALE, STATE_KEY, fresh_state, is_fresh
from tracker.services.coverage.filters import active_framework_id
from tracker.services.coverage.index import store
from tracker.services.coverage.index.columnar import read_columns
from tracker.services.coverage.index.cube_rows import cube_rows

log = logging.getLogger(__name__)

INLINE_REBUILD_MAX = 5_000  # projects; above this a stale cube waits for a rebuild job
APPEND_ROWS = 1_000  # cube rows per INSERT statement

# Tables whose rows belong to one project: a change to them is followed project by project.
PROJECT_TABLES = {"project": "id", "project_location": "project_id"}
PROJECT_TABLES |= {"objective_tag": "project_id", "theme_tag": "project_id"}
# Tables whose change can move every project's figures: the cube is rebuilt.
GLOBAL_TABLES = frozenset({"currency", "framework", "goal", "objective", "theme"})
GLOBAL_TABLES |= {"region", "country"}
# Columns of those tables that move no figure: the framework's words in other languages.
WORDING_ONLY = frozenset({"translations"})

OLD = "coverage_cube_old"  # project id -> Member before this transaction's change
NEW_PROJECTS = "coverage_cube_new"  # Project objects registered, not yet flushed
CREATED = "coverage_cube_created"  # ids of projects registered in this transaction
MARKED_STALE = "coverage_cube_stale"
FRAMEWORK = "coverage_cube_framework"  # the framework the old contributions were read with
REBUILD = "coverage_cube_rebuild"  # rebuild after this commit
HISTORY_MEMBERS = "coverage_history_members"  # what changed, for tracker.services.history
HISTORY_STALE = "coverage_history_stale"


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
        for k, v in amounts.items()
        if list(v) != [0, 0, 0]
    ]


def _append(session: Session, amounts: dict) -> None:
    """Add amounts to the cube as new rows: readers sum the rows of a cell, so a writer never
    updates a row that another writer could be holding."""
    rows = _rows(amounts)
    # Appended rows conflict with nobody, so no order is needed; modest statements let other
    # threads of the process (the event loop among them) in between.
    for start in range(0, len(rows), APPEND_ROWS):
        session.execute(
            insert(CoverageCell.__table__), rows[start : start + APPEND_ROWS], execution_options=OWN
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


def rebuild(engine: Engine, *, with_history: bool = True) -> int:
    """Compute the whole cube again from the tables, in a transaction of its own, and then
    (unless told not to) coverage over time; returns the number of projects it holds.

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
            if with_history:
                _rebuild_history(engine)
            return count
        except OperationalError as exc:
            if not _is_serialization_failure(exc) or attempt == 4:
                raise
    raise AssertionError("unreachable")


# What else is rebuilt with the cube, from the same projects (coverage over time): installed
# by tracker.services.coverage.hooks, so that the cube knows nothing of what follows it.
AFTER_REBUILD: list = []


def _rebuild_history(engine: Engine) -> None:
    for rebuild in AFTER_REBUILD:
        rebuild(engine)


def _is_serialization_failure(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")


def _rebuild(session: Session) -> int:
    cache.note_change(session)
    framework_id = active_framework_id(session)
    session.execute(delete(CoverageCell), execution_options=OWN)
    store.new_epoch(session)
    if framework_id is None:
        _set_state(session, STALE)
        return 0
    columns = read_columns(session, framework_id)
    rows = cube_rows(columns)
    for start in range(0, len(rows), APPEND_ROWS):
        session.execute(
            insert(CoverageCell.__table__), rows[start : start + APPEND_ROWS], execution_options=OWN
        )
    _set_state(session, fresh_state(framework_id))
    return int(columns.alive.sum())


def _touch(session: Session, project_ids) -> None:
    """Tell every process's attribution index which projects changed (None: every one)."""
    session.execute(
        insert(CoverageTouch.__table__),
        [{"project_id": pid} for pid in sorted(project_ids, key=lambda p: (p is None, p))],
        execution_options=OWN,
    )


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


def note_created(session: Session, project_ids) -> None:
    """Projects registered in this transaction by rows written outside the ORM (an import's
    bulk insert): at the commit the cube adds what they contribute, as for those it saw."""
    session.info.setdefault(CREATED, set()).update(project_ids)


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
        _touch(session, [None])
        info[REBUILD] = True
        info[HISTORY_STALE] = True  # coverage over time is built again with the cube
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
    _touch(session, ids)
    info[HISTORY_MEMBERS] = (ids, old, new)  # for coverage over time (history.follow)
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
            obj in session.new or obj in session.deleted or _moves_figures(obj)
        ):
            mark_stale(session)
    if touched:
        _remember(session, touched)


def _moves_figures(obj) -> bool:
    """Whether a change to a row of a global table can move figures: any but its wording."""
    changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
    return bool(changed - WORDING_ONLY)


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


def _before_flush(session: Session, _context, _instances) -> None:
    before_flush(session)


def install(session_class=Session) -> None:
    """Keep the cube in step with every session of this class (idempotent)."""
    hooks = (
        ("before_flush", _before_flush),
        ("do_orm_execute", on_execute),
        ("before_commit", _settle),
        ("after_commit", _after_commit),
        ("after_rollback", _clear),
    )
    for name, hook in hooks:
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
