"""Weekly snapshots, the fast path to a week's headline and gaps, kept equal to coverage as of
the day before the week (the end of Sunday, UTC).

A snapshot that a later change makes wrong (a project registered with an earlier start date)
is removed by that change; `backfill` stores every missing one again, computed as of its day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.models import CoverageSnapshot, ProjectVersion, Subscription
from tracker.models._base import utcnow
from tracker.services.coverage.cube.contribute import OWN

MAX_WEEKS = 104


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def forget_after(session: Session, day: date) -> None:
    """Snapshots of weeks after `day` no longer hold: a change reached back to it."""
    session.execute(
        delete(CoverageSnapshot).where(CoverageSnapshot.week > day), execution_options=OWN
    )


def backfill(engine: Engine, *, weeks: int = MAX_WEEKS, today: date | None = None) -> int:
    """Store the missing snapshots of the last `weeks` weeks (from the first day the history
    knows), for the whole portfolio and every scope subscribed to; returns how many."""
    from tracker.services.digests.content import Scope, take_snapshot
    from tracker.services.digests.subscriptions import scope_of

    today = today or utcnow().date()
    with Session(engine) as session:
        first = session.execute(select(func.min(ProjectVersion.valid_from))).scalar()
        scopes = {Scope()} | {
            scope_of(s)
            for s in session.execute(select(Subscription).where(Subscription.active)).scalars()
        }
        have = set(session.execute(select(CoverageSnapshot.week, CoverageSnapshot.scope)).all())
    if first is None:
        return 0
    week = monday(today)
    oldest = max(monday(first), week - timedelta(weeks=weeks - 1))
    stored = 0
    while week >= oldest:
        for scope in sorted(scopes, key=lambda s: s.key):
            if (week, scope.key) in have:
                continue
            with Session(engine) as session:
                try:
                    stored += take_snapshot(session=session, scope=scope, week=week, exact=True)
                    session.commit()
                except IntegrityError:
                    session.rollback()
        week -= timedelta(weeks=1)
    return stored
