"""Cached coverage matrices, correct across workers and instances, without a row that every
writer locks.

A write that can change coverage (projects, places, tags, targets, the framework, reference
data) moves the coverage version forward. A figure is cached under the version it was computed
with; a worker that reads another version knows that something changed, wherever it was
written, and computes again.

On PostgreSQL the version is a sequence, moved on after the writing transaction commits: no
lock is taken, so writers never wait for each other here. A reader that slips in between the
commit and the move computes from the new rows and files them under the old version, which is
harmless; the one that read the old rows before the commit had filed them under the old
version, which the move retires. On SQLite, which lets one writer in at a time anyway, the
version is a row written inside the transaction, so it moves exactly with the data.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict

from sqlalchemy import event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from tracker.models import CacheState

log = logging.getLogger(__name__)

KEY = "coverage"
SEQUENCE = "coverage_version"  # PostgreSQL only
CHANGED = "coverage_changed"  # session.info: this transaction changed coverage
COVERAGE_TABLES = frozenset(
    {
        "project",
        "project_location",
        "objective_tag",
        "theme_tag",
        "target",
        "currency",
        "framework",
        "goal",
        "objective",
        "theme",
        "sdg_link",
        "sdg_target",
        "project_sdg_tag",
        "programme",
        "region",
        "country",
    }
)
MAX_ENTRIES = 256
# A safety net: should a process stop between a commit and moving the version on, the other
# workers' figures are recomputed within this many seconds all the same.
MAX_AGE_SECONDS = 300

_cache: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def current_token(session: Session) -> str | None:
    if is_postgresql(session):
        return str(session.execute(text(f"SELECT last_value FROM {SEQUENCE}")).scalar())
    return session.execute(select(CacheState.token).where(CacheState.key == KEY)).scalar()


def get(key: tuple):
    with _lock:
        entry = _cache.get(key)
        if entry is None:
            return None
        stored_at, value = entry
        if time.monotonic() - stored_at > MAX_AGE_SECONDS:
            del _cache[key]
            return None
        _cache.move_to_end(key)
        return value


def put(key: tuple, value) -> None:
    with _lock:
        _cache[key] = (time.monotonic(), value)
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def insert_for(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT on both databases."""
    return pg_insert if is_postgresql(session) else sqlite_insert


def cached(session: Session, key: tuple, compute):
    """compute(), or what it gave last time under the same key and the same coverage version."""
    token = current_token(session)
    full_key = (str(session.get_bind().url), token, *key)
    if token is not None and (value := get(full_key)) is not None:
        return value
    value = compute()
    if token is not None:
        put(full_key, value)
    return value


def note_change(session: Session) -> None:
    """This transaction changes coverage: the version moves on when it commits.

    On SQLite the version row is written now, which also makes the transaction the database's
    one writer from here on: what it reads next no other writer can change before it commits.
    """
    if session.info.get(CHANGED):
        return
    session.info[CHANGED] = True
    if is_postgresql(session):
        return
    token = uuid.uuid4().hex
    statement = sqlite_insert(CacheState).values(key=KEY, token=token)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"token": token}),
        execution_options={"coverage_token": True},
    )


def advance(engine: Engine) -> None:
    """Move the PostgreSQL version on, in a statement of its own that locks nothing."""
    with engine.connect() as connection:
        connection.execute(text(f"SELECT nextval('{SEQUENCE}')"))
        connection.commit()


def _touches_coverage(objects) -> bool:
    return any(getattr(obj, "__tablename__", None) in COVERAGE_TABLES for obj in objects)


def _committed(session: Session) -> None:
    if not session.info.pop(CHANGED, False):
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        advance(bind.engine if not isinstance(bind, Engine) else bind)
    except Exception:  # the change is committed; cached figures age out on their own
        log.exception("Could not move the coverage version on after a commit")


def _rolled_back(session: Session) -> None:
    session.info.pop(CHANGED, None)


def _before_flush(session: Session, _context, _instances) -> None:
    if _touches_coverage([*session.new, *session.dirty, *session.deleted]):
        note_change(session)


def _on_execute(state: ORMExecuteState) -> None:
    if state.execution_options.get("coverage_token") or not (
        state.is_update or state.is_delete or state.is_insert
    ):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in COVERAGE_TABLES:
        note_change(state.session)


def install(session_class=Session) -> None:
    """Move the coverage version on with every change made through this session class
    (idempotent)."""
    hooks = (
        ("after_commit", _committed),
        ("after_rollback", _rolled_back),
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
    )
    for name, hook in hooks:
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)


__all__ = [
    "advance",
    "cached",
    "current_token",
    "get",
    "insert_for",
    "install",
    "is_postgresql",
    "note_change",
    "put",
]
