"""Each process's attribution index: every project's columns, loaded once and then kept up to
date project by project from `coverage_touch`.

Every transaction that changes projects' coverage appends one row per project to
`coverage_touch` as it commits (tracker.services.coverage.cube.sync); a change that moves every
project appends a row without a project, and a rebuild of the cube gives the index a new
epoch. Before a view is computed the index reads the rows it has not seen and reloads those
projects alone, so that a view is exact as of that moment, whichever process or instance wrote:

- SQLite lets one writer in at a time, so row ids grow in the order transactions commit: the
  rows after the last id seen are exactly the changes not seen.
- On PostgreSQL ids are taken before commit, in any order. Each row carries its transaction
  id, and the index keeps the snapshot it last read at: the rows to read are those whose
  transaction that snapshot did not see. The snapshot is taken before the rows and the
  projects are read, so a change landing meanwhile is read again next time, never missed.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from tracker.services.coverage import cache
from tracker.services.coverage.index.columnar import (
    OWN,
    Columns,
    patched,
    read_columns,
    read_versions,
)

EPOCH_KEY = "coverage_index"
PENDING = ("coverage_cube_old", "coverage_cube_new", "coverage_cube_created")


@dataclass
class _Index:
    epoch: str
    framework_id: int
    position: object  # the last touch id (SQLite) or snapshot (PostgreSQL) read at
    columns: Columns
    anchor: tuple | None = None  # the newest touch row seen, which must stay as it was


_indexes: dict[str, _Index] = {}
_lock = threading.Lock()


def new_epoch(session: Session) -> None:
    """Every index loads again from nothing (after a rebuild of the cube)."""
    value = uuid.uuid4().hex
    statement = cache.insert_for(session)(cache.CacheState).values(key=EPOCH_KEY, token=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"token": value}),
        execution_options=OWN,
    )


def usable(session: Session) -> bool:
    """Whether this session sees what the index sees: not while it holds changes of its own
    that it has not committed."""
    if any(session.info.get(key) for key in PENDING):
        return False
    return not (session.new or session.dirty or session.deleted)


def columns(session: Session, framework_id: int, *, versions: bool = False) -> Columns:
    """Every project's columns as of now; with `versions`, every version of every project
    (coverage over time), with the days each held."""
    key = (str(session.get_bind().url), versions)
    read = read_versions if versions else read_columns
    with _lock:
        index = _indexes.get(key)
        index = _refresh(session, framework_id, index, read)
        if index is not None:
            _indexes[key] = index
            return index.columns
    return read(session, framework_id)


def forget() -> None:
    with _lock:
        _indexes.clear()


def _position(session: Session, postgresql: bool) -> tuple[str | None, object]:
    now = "txid_current_snapshot()::text" if postgresql else "(SELECT max(id) FROM coverage_touch)"
    epoch, position = session.execute(
        text(f"SELECT (SELECT token FROM cache_state WHERE key = :key), {now}"),
        {"key": EPOCH_KEY},
        execution_options=OWN,
    ).one()
    return epoch, position


def _touched(session: Session, postgresql: bool, since) -> list:
    if postgresql:
        statement = text(
            "SELECT DISTINCT project_id FROM coverage_touch "
            "WHERE xid >= txid_snapshot_xmin(CAST(:since AS txid_snapshot)) "
            "AND NOT txid_visible_in_snapshot(xid, CAST(:since AS txid_snapshot))"
        )
    else:
        statement = text("SELECT DISTINCT project_id FROM coverage_touch WHERE id > :since")
    return session.execute(statement, {"since": since or 0}, execution_options=OWN).scalars().all()


def newest(session: Session, table: str, column: str) -> tuple | None:
    """The newest row of an append-only table, (id, xid, a column)."""
    row = session.execute(
        text(f"SELECT id, xid, {column} FROM {table} ORDER BY id DESC LIMIT 1"),
        execution_options=OWN,
    ).first()
    return tuple(row) if row else None


def still_there(session: Session, table: str, column: str, anchor: tuple | None) -> bool:
    """Whether the newest row seen is still there as it was: rows are only ever appended, so
    one gone (a database restored from a copy while processes ran) means reading afresh."""
    if anchor is None:
        return True
    row = session.execute(
        text(f"SELECT id, xid, {column} FROM {table} WHERE id = :id"),
        {"id": anchor[0]},
        execution_options=OWN,
    ).first()
    return row is not None and tuple(row) == anchor


def _refresh(session: Session, framework_id: int, index: _Index | None, read) -> _Index | None:
    postgresql = cache.is_postgresql(session)
    epoch, position = _position(session, postgresql)
    if epoch is None:
        return None  # no epoch (a database emptied by hand): read afresh every time
    if (
        index is None
        or index.epoch != epoch
        or index.framework_id != framework_id
        or not still_there(session, "coverage_touch", "project_id", index.anchor)
    ):
        anchor = newest(session, "coverage_touch", "project_id")
        return _Index(epoch, framework_id, position, read(session, framework_id), anchor)
    if position == index.position:
        return index
    ids = _touched(session, postgresql, index.position)
    index.anchor = newest(session, "coverage_touch", "project_id")
    if None in ids:
        return _Index(epoch, framework_id, position, read(session, framework_id), index.anchor)
    if ids:
        changed = read(session, framework_id, ids)
        index.columns = patched(index.columns, changed, ids)
    index.position = position
    return index
