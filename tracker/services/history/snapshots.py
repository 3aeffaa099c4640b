"""Weekly snapshots, the fast path to a week's headline and gaps, kept equal to coverage as of
the day before the week (the end of Sunday, UTC).

A snapshot that a later change makes wrong (a project registered with an earlier start date)
is removed by that change; `backfill` stores every missing one again, computed as of its day.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from tracker.models import CoverageSnapshot
from tracker.services.coverage.cube.contribute import OWN

MAX_WEEKS = 104
OVERVIEW_WEEKS = 12  # the weeks of the Overview's sparklines and gap count


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def forget_after(session: Session, day: date) -> None:
    """Snapshots of weeks after `day` no longer hold: a change reached back to it."""
    session.execute(
        delete(CoverageSnapshot).where(CoverageSnapshot.week > day), execution_options=OWN
    )
