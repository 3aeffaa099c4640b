"""Keeping coverage over time in step with every change, in the changing transaction.

The coverage cube works out, for each project a transaction changes, what it contributed before
and what it contributes now (tracker.services.coverage.cube.sync) and leaves both here; at the
commit the project's open version is closed today and a new one opened (a second change on
the same day replaces that day's version), and today's change of the figures is stored. A
project seen for the first time also counts on the days before, from its start date
(`state.earlier_spans`). A change that moves every project (a currency rate, the framework)
marks the history stale: it is built again with the cube.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import event, select
from sqlmodel import Session

from tracker.models import CacheState
from tracker.models._base import utcnow
from tracker.services.coverage import cache
from tracker.services.coverage.cube.contribute import OWN
from tracker.services.coverage.filters import active_framework_id
from tracker.services.history import changes, snapshots, versions
from tracker.services.history.state import current_states, earlier_spans, open_versions

STATE_KEY = "coverage_history"
STALE = "stale"
MEMBERS = "coverage_history_members"  # session.info: (ids, old, new) left by the cube
MARKED_STALE = "coverage_history_stale"


def fresh_state(framework_id: int) -> str:
    return f"fresh:{framework_id}"


def state(session: Session) -> str | None:
    return session.execute(
        select(CacheState.token).where(CacheState.key == STATE_KEY), execution_options=OWN
    ).scalar()


def is_fresh(session: Session) -> bool:
    framework_id = active_framework_id(session)
    return framework_id is not None and state(session) == fresh_state(framework_id)


def set_state(session: Session, value: str) -> None:
    statement = cache.insert_for(session)(CacheState).values(key=STATE_KEY, token=value)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"token": value}),
        execution_options=OWN,
    )


def today() -> date:
    return utcnow().date()


def _follow(session: Session) -> None:
    info = session.info
    left = info.pop(MEMBERS, None)
    if info.pop(MARKED_STALE, False):
        if state(session) != STALE:
            set_state(session, STALE)
        return
    if left is None or not is_fresh(session):
        return
    ids, old, new = left
    day = today()
    now = current_states(session, ids)
    before = open_versions(session, ids)
    moved: dict = {}
    # Written together after the loop, in a few statements whatever the number of projects
    # (an import changes thousands in one transaction).
    closed: list[int] = []
    dropped: list[int] = []
    added: list[tuple] = []
    reaches_back: date | None = None
    for pid in sorted(ids):
        version, was = before.get(pid, (None, None))
        is_now = now.get(pid)
        if was is not None and is_now is not None and was.key() == is_now.key():
            continue
        amounts: dict = {}
        if old.get(pid) is not None and was is not None:
            changes.contribution(old[pid], pid, was.screened, amounts, -1)
        if new.get(pid) is not None and is_now is not None:
            changes.contribution(new[pid], pid, is_now.screened, amounts, 1)
        changes.add_on(moved, day, amounts)
        if version is not None:
            (dropped if version.valid_from >= day else closed).append(version.id)
        if is_now is None:
            continue
        if version is None and new.get(pid) is not None:
            spans = earlier_spans(is_now, day)
            if spans:
                reaches_back = min(reaches_back or spans[0][0], spans[0][0])
            for start, end, status in spans:
                added.append((pid, is_now.with_status(status), start, end))
                member = replace(new[pid], status=status)
                for when, sign in ((start, 1), (end, -1)):
                    span: dict = {}
                    changes.contribution(member, pid, is_now.screened, span, sign)
                    changes.add_on(moved, when, span)
        added.append((pid, is_now, day, None))
    if reaches_back is not None:
        snapshots.forget_after(session, reaches_back)
    versions.drop_versions(session, dropped)
    versions.close_versions(session, closed, day)
    versions.add_versions(session, added)
    changes.append(session, moved)


def _before_commit(session: Session) -> None:
    _follow(session)


def _clear(session: Session) -> None:
    session.info.pop(MEMBERS, None)
    session.info.pop(MARKED_STALE, None)


def install(session_class=Session) -> None:
    """Follow every change made through this session class (idempotent); after the cube's
    hooks, whose figures it uses."""
    for name, hook in (("before_commit", _before_commit), ("after_rollback", _clear)):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
