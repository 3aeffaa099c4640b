"""Cached coverage matrices, correct across workers and instances.

Every write that can change coverage (projects, places, tags, targets, the framework,
reference data) replaces a random token in the database, in the same transaction. A matrix is
cached under the token it was computed with; a worker that reads another token knows that
something changed, wherever it was written, and computes again.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

from tracker.models import CacheState

KEY = "coverage"
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
        "goal_sdg",
        "programme",
        "region",
        "country",
    }
)
MAX_ENTRIES = 256

_cache: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def current_token(session: Session) -> str | None:
    return session.execute(select(CacheState.token).where(CacheState.key == KEY)).scalar()


def get(key: tuple):
    with _lock:
        value = _cache.get(key)
        if value is not None:
            _cache.move_to_end(key)
        return value


def put(key: tuple, value) -> None:
    with _lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)


def insert_for(session: Session):
    """The dialect's INSERT, which knows ON CONFLICT on both databases."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def cached(session: Session, key: tuple, compute):
    """compute(), or what it gave last time under the same key and the same coverage token."""
    token = current_token(session)
    full_key = (str(session.get_bind().url), token, *key)
    if token is not None and (value := get(full_key)) is not None:
        return value
    value = compute()
    if token is not None:
        put(full_key, value)
    return value


def renew_token(session: Session) -> None:
    """A new token, once per transaction: one write to the token however many rows change."""
    if session.info.get("coverage_token_renewed"):
        return
    session.info["coverage_token_renewed"] = True
    token = uuid.uuid4().hex
    statement = insert_for(session)(CacheState).values(key=KEY, token=token)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"token": token}),
        execution_options={"coverage_token": True},
    )


def _touches_coverage(objects) -> bool:
    return any(getattr(obj, "__tablename__", None) in COVERAGE_TABLES for obj in objects)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session: Session) -> None:
    session.info.pop("coverage_token_renewed", None)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    if _touches_coverage([*session.new, *session.dirty, *session.deleted]):
        renew_token(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.execution_options.get("coverage_token") or not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in COVERAGE_TABLES:
        renew_token(state.session)


__all__ = ["cached", "current_token", "get", "insert_for", "put", "renew_token"]
