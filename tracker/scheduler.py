"""The scheduler: enqueues digests when they fall due, sends the outbox, stores the weekly
coverage snapshot, rebuilds the coverage cube when a change left it stale, clears expired
sessions, removes uploaded import files kept past their retention period
(TRACKER_IMPORT_RETENTION_HOURS), and retrains the suggestion model when projects, tags or
the framework changed (every TRACKER_SUGGEST_TRAIN_SECONDS).

Run exactly one: `tracker scheduler`, or inside the web app with TRACKER_EMBEDDED_SCHEDULER
for single-process use. A second one started by mistake does no harm: every job is safe to
run twice (unique outbox rows, claimed messages, unique snapshots).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tracker.config import Settings
from tracker.models._base import utcnow
from tracker.services.accounts import sessions
from tracker.services.coverage import cube
from tracker.services.digests import outbox
from tracker.services.exchange import retention
from tracker.services.suggestions import store as suggestions

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    "coalesce": True,  # after downtime, run a job once, not once per missed time
    "max_instances": 1,
    "misfire_grace_time": 6 * 3600,
}


def _guarded(name: str, job):
    def run():
        try:
            result = job()
            if result:  # quiet when there was nothing to do
                log.info("%s: %s", name, result)
        except Exception:
            log.exception("%s failed; it runs again at its next time", name)

    return run


def add_jobs(scheduler: BaseScheduler, *, engine: Engine, settings: Settings) -> None:
    def purge_sessions():
        with Session(engine) as session:
            ended = sessions.purge_expired(session=session, settings=settings)
            session.commit()
            return f"{ended} expired sessions removed" if ended else None

    def enqueue_and_send():
        written = outbox.enqueue_due(engine=engine, settings=settings)
        if not written:
            return None
        # Deliver what was just written now, not at the sender's next turn.
        return f"{written} digests written; {send()}"

    def send():
        report = outbox.send_due(engine=engine, settings=settings)
        if not (report.sent or report.retrying or report.failed):
            return None
        return f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"

    def snapshot():
        stored = outbox.take_weekly_snapshots(engine=engine)
        return f"{stored} coverage snapshots stored" if stored else None

    def rebuild_cube():
        rebuilt = cube.refresh(engine)
        if rebuilt is not None:
            return f"coverage cube rebuilt: {rebuilt} projects"
        folded = cube.compact(engine)
        return f"coverage cube: {folded} appended rows folded" if folded else None

    def purge_imports():
        purged = retention.purge(engine=engine)
        return str(purged) if purged else None

    def train_suggestions():
        report = suggestions.train_and_store(engine)
        return f"suggestion model trained: {report}" if report else None

    jobs = {
        "digests.enqueue": (enqueue_and_send, 60),
        "digests.send": (send, 30),
        "coverage.snapshot": (snapshot, 3600),
        "coverage.cube": (rebuild_cube, 60),
        "accounts.purge": (purge_sessions, 3600),
        "imports.retention": (purge_imports, 600),
        "suggestions.train": (train_suggestions, settings.suggest_train_seconds),
    }
    for job_id, (job, seconds) in jobs.items():
        scheduler.add_job(
            _guarded(job_id, job),
            "interval",
            seconds=seconds,
            id=job_id,
            name=job_id,
            replace_existing=True,
            next_run_time=utcnow(),
        )


def build_scheduler(*, engine: Engine, settings: Settings, blocking: bool) -> BaseScheduler:
    # APScheduler reports every run at INFO; the jobs say when something happened.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(job_defaults=JOB_DEFAULTS, timezone="UTC")
    add_jobs(scheduler, engine=engine, settings=settings)
    return scheduler
