"""Weekly snapshots backfilled from coverage over time: for the whole portfolio and every scope
subscribed to, each as coverage stood at the end of the day before its week."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.models import CoverageSnapshot, ProjectVersion, Subscription
from tracker.models._base import utcnow
from tracker.services.digests.content import Scope, take_snapshot
from tracker.services.digests.subscriptions import scope_of
from tracker.services.history.snapshots import MAX_WEEKS, monday


def backfill(
    engine: Engine,
    *,
    weeks: int = MAX_WEEKS,
    today: date | None = None,
    limit: int | None = None,
) -> int:
    """Store the missing snapshots of the last `weeks` weeks (from the first day the history
    knows), newest first, for the whole portfolio and every scope subscribed to; at most
    `limit` of them (all without one); returns how many."""
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
            if limit is not None and stored >= limit:
                return stored
            with Session(engine) as session:
                try:
                    stored += take_snapshot(session=session, scope=scope, week=week, exact=True)
                    session.commit()
                except IntegrityError:
                    session.rollback()
        week -= timedelta(weeks=1)
    return stored
