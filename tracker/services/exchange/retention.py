"""Uploaded files are not kept for ever: a job removes its file when it ends, and the
scheduler removes what is left after the retention period, and says of a job that stopped
moving (its server stopped part way) that it stopped.

TRACKER_IMPORT_RETENTION_HOURS (default 24) is how long the file of a checked import waits
for its commit, and the file of an interrupted import for its resumption, from the job's last
step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.formats import Text
from tracker.kept_text import keep
from tracker.locales import N_
from tracker.models import ImportJob
from tracker.models._base import utcnow
from tracker.models.imports import ImportUpload
from tracker.said import Moment
from tracker.services.exchange.jobs import RUNNING, STALL_AFTER

DEFAULT_RETENTION_HOURS = 24.0


def retention_period() -> timedelta:
    """TRACKER_IMPORT_RETENTION_HOURS, read from the environment (default 24 hours)."""
    raw = os.environ.get("TRACKER_IMPORT_RETENTION_HOURS", "").strip()
    try:
        hours = float(raw) if raw else DEFAULT_RETENTION_HOURS
    except ValueError:
        hours = DEFAULT_RETENTION_HOURS
    if not 0 < hours < 24 * 366:
        hours = DEFAULT_RETENTION_HOURS
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Purged:
    files: int
    stalled: int

    def __bool__(self) -> bool:
        return bool(self.files or self.stalled)

    def __str__(self) -> str:
        return f"{self.files} import files removed, {self.stalled} stopped imports marked"


def purge(
    *, engine: Engine, retention: timedelta | None = None, now: datetime | None = None
) -> Purged:
    """Mark jobs that stopped moving, then remove the files of jobs that are not running and
    have not moved for the retention period. One short transaction."""
    now = now or utcnow()
    retention = retention or retention_period()
    with Session(engine) as session:
        stalled = _mark_stalled(session, now)
        old = list(
            session.exec(
                select(ImportUpload.job_id)
                .join(ImportJob, ImportJob.id == ImportUpload.job_id)
                .where(ImportJob.updated_at < now - retention, ImportJob.status.not_in(RUNNING))
            )
        )
        for start in range(0, len(old), 500):
            chunk = old[start : start + 500]
            session.execute(delete(ImportUpload).where(ImportUpload.job_id.in_(chunk)))
            session.execute(
                update(ImportJob)
                .where(ImportJob.id.in_(chunk))
                .values(file_removed_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        session.commit()
    return Purged(files=len(old), stalled=stalled)


def _mark_stalled(session: Session, now: datetime) -> int:
    """A check that stopped moving failed (its file goes below); a commit that stopped moving
    is interrupted, with the rows its committed batches wrote, and may be resumed."""
    jobs = list(
        session.exec(
            select(ImportJob).where(
                ImportJob.status.in_(RUNNING), ImportJob.updated_at < now - STALL_AFTER
            )
        )
    )
    for job in jobs:
        since = Moment(job.updated_at)
        if job.status == "checking":
            job.status = "failed"
            refused = Text(
                N_(
                    "the check stopped on %(since)s without finishing (was the server "
                    "stopped?); upload the file again"
                ),
                since=since,
            )
            job.report = {"refused": str(refused), "refused_text": keep(refused)}
            job.finished_at = now
            session.execute(delete(ImportUpload).where(ImportUpload.job_id == job.id))
            job.file_removed_at = now
        else:
            stopped = Text(
                N_("the import stopped on %(since)s without finishing (was the server stopped?)"),
                since=since,
            )
            job.status = "interrupted"
            job.report = {
                **(job.report or {}),
                "written": job.done,
                "total": job.total,
                "stopped": str(stopped),
                "stopped_text": keep(stopped),
            }
        job.updated_at = now
        session.add(job)
    session.flush()
    return len(jobs)
