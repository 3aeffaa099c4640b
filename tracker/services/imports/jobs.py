"""Imports run in the background, with their progress in the database so that the page
(whichever worker serves it) can show a progress bar."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import ImportJob, User
from tracker.models._base import utcnow
from tracker.services.errors import InputError, NotFound
from tracker.services.imports.iati import import_iati
from tracker.services.imports.spreadsheet import import_spreadsheet
from tracker.services.permissions import principal_for

log = logging.getLogger(__name__)
KINDS = {
    "spreadsheet": "Projects spreadsheet (CSV or XLSX)",
    "iati": "IATI activities (XML, version 2.03)",
}


def start_job(
    *, session: Session, user: User, kind: str, filename: str, content: bytes, programme: str
) -> ImportJob:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"must be one of {', '.join(KINDS)}"
    if not content:
        errors["file"] = "choose a file to import"
    if kind == "iati" and not programme:
        errors["programme"] = "IATI activities need the programme they belong to"
    if errors:
        raise InputError(errors)
    job = ImportJob(
        user_id=user.id,
        kind=kind,
        filename=filename[:255],
        programme=programme or None,
        content=content,
    )
    session.add(job)
    session.flush()
    return job


def _progress(engine: Engine, job_id: int, *, commit: bool):
    state = {"last": -1}
    if commit and engine.dialect.name == "sqlite":
        # SQLite has one writer: while the import's own transaction writes, nobody else can,
        # so the page shows the commit without a count until it is done.
        return None

    def report(done: int, total: int) -> None:
        # Write at most every 1% (and the last row), in a session of its own.
        step = max(1, total // 100)
        if done == total or done - state["last"] >= step:
            state["last"] = done
            with Session(engine) as progress_session:
                progress_session.execute(
                    update(ImportJob).where(ImportJob.id == job_id).values(done=done, total=total)
                )
                progress_session.commit()

    return report


def run_job(*, engine: Engine, settings: Settings, job_id: int, commit: bool) -> None:
    """Check (or write) an import; the job row records the outcome."""
    with Session(engine, expire_on_commit=False) as session:
        job = session.get(ImportJob, job_id)
        user = session.get(User, job.user_id) if job.user_id else None
        principal = principal_for(session=session, user=user, via="session")
        arguments = {
            "session": session,
            "content": job.content,
            "principal": principal,
            "settings": settings,
            "commit": commit,
            "progress": _progress(engine, job_id, commit=commit),
        }
        try:
            if job.kind == "iati":
                report = import_iati(programme=job.programme or "", **arguments)
            else:
                report = import_spreadsheet(filename=job.filename, **arguments)
            if commit and report.committed:
                session.commit()
            else:
                session.rollback()
            status = (
                "committed" if report.committed else ("refused" if report.refused else "checked")
            )
            values = {"status": status, "report": report.public()}
        except Exception as exc:  # the job says what happened; nothing was written
            session.rollback()
            log.exception("import %s failed", job_id)
            values = {
                "status": "failed",
                "report": {"refused": f"the import stopped: {type(exc).__name__}: {exc}"},
            }
    with Session(engine) as session:
        session.execute(
            update(ImportJob).where(ImportJob.id == job_id).values(finished_at=utcnow(), **values)
        )
        session.commit()


def run_in_background(
    *, engine: Engine, settings: Settings, job_id: int, commit: bool
) -> threading.Thread:
    thread = threading.Thread(
        target=run_job,
        kwargs={"engine": engine, "settings": settings, "job_id": job_id, "commit": commit},
        name=f"import-{job_id}",
        daemon=True,
    )
    thread.start()
    return thread


def get_job(*, session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("import")
    return job


def start_commit(*, session: Session, job: ImportJob) -> None:
    if job.status != "checked" or job.report.get("problems") or job.report.get("unmapped"):
        raise InputError({"import": "only a checked file without problems can be imported"})
    job.status, job.done = "committing", 0
    session.add(job)


def recent_jobs(*, session: Session, limit: int = 20) -> list[ImportJob]:
    return list(session.exec(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))
