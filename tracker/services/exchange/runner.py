"""Running an import job in the background: the check, then the commit in batches.

The commit checks the whole file again first; if any row is refused, nothing is written. Then
it writes BATCH_ROWS rows per transaction: a batch holds its projects (on SQLite, the database)
for a fraction of a second, so nobody else's save waits longer than one batch (on SQLite the
batches shrink when they take longer than half a second, and pause between them). Each batch moves
the job's count of written rows on in its own transaction, so the count is exact whatever
happens; the last batch also marks the job committed and removes its file. An import that
stops part way (a project changed by someone meanwhile, a crash, a restart) is left
"interrupted", saying how many rows were written, and can be resumed from the next row.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from tracker.config import Settings
from tracker.formats import Text
from tracker.kept_text import keep
from tracker.locales import N_
from tracker.models import ImportJob, User
from tracker.models._base import utcnow
from tracker.models.imports import ImportUpload
from tracker.services.accounts.permissions import Principal, principal_for
from tracker.services.exchange.files import printable
from tracker.services.exchange.iati import read as iati
from tracker.services.exchange.jobs import FILE_GONE, file_content
from tracker.services.exchange.spreadsheet import read as spreadsheet
from tracker.services.exchange.writer import WriteConflict, write_plans
from tracker.services.suggestions.imports import import_suggestions

log = logging.getLogger(__name__)


def _batch_rows() -> int:
    """Rows written per transaction: TRACKER_IMPORT_BATCH_ROWS, from 1 to 10,000 (default
    500). A batch of 500 rows holds SQLite for about half a second."""
    raw = os.environ.get("TRACKER_IMPORT_BATCH_ROWS", "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 5 and 1 <= int(raw) <= 10_000:
        return int(raw)
    return 500


BATCH_ROWS = _batch_rows()
# SQLite: everyone else's saves wait while a batch writes, so a batch that took longer than
# this (a busy machine, a large file's rows) makes the next one smaller, down to MIN_ROWS.
SQLITE_BATCH_SECONDS = 0.5
MIN_ROWS = 25
BUSY_RETRIES = 3  # a batch that waited too long for a lock is tried again this often
# SQLite lets one writer in at a time, and a writer that finds it taken sleeps (up to 100 ms at
# a time) before it tries again: between two batches the import pauses longer than that, so
# that a person's save waiting for its turn gets it, rather than the next batch.
SQLITE_PAUSE_SECONDS = 0.15


@dataclass
class _Checked:
    report: object  # spreadsheet.ImportReport or iati.IatiReport
    plans: list
    catalogue: object
    principal: Principal


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


def run_job(*, engine: Engine, settings: Settings, job_id: int, commit: bool) -> None:
    """Check (or write) an import; the job row records the outcome, whatever happens."""
    try:
        if commit:
            _commit(engine, settings, job_id)
        else:
            _check(engine, settings, job_id)
    except Exception as exc:
        log.exception("import %s failed", job_id)
        if commit:
            detail = f"{type(exc).__name__}: {exc}"
            _stop(engine, job_id, Text(N_("the import stopped: %(detail)s"), detail=detail))
        else:
            message = Text(
                N_("the check stopped: %(detail)s"), detail=f"{type(exc).__name__}: {exc}"
            )
            _finish(engine, job_id, "failed", _refused(message), remove_file=True)


# Reading and checking ----------------------------------------------------------------------


def _reading_session(engine: Engine) -> Session:
    """A session that only reads, each statement on its own: the check holds no transaction
    (and no PostgreSQL snapshot) open while it works through the rows."""
    return Session(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


def _principal(session: Session, job: ImportJob) -> Principal | None:
    user = session.get(User, job.user_id) if job.user_id else None
    if user is None or not user.active:
        return None
    return principal_for(session=session, user=user, via="session")


def check_file(
    *,
    session: Session,
    settings: Settings,
    kind: str,
    filename: str,
    content: bytes,
    programme: str,
    principal: Principal,
    progress=None,
    level: int | None = None,
):
    """A spreadsheet's rows (`kind` spreadsheet) or an IATI file's activities (`kind` iati, into
    `programme`, its hierarchy at `level`) checked, matched to stored projects by code: the
    report, the plans to write and what they were checked against. Nothing is written."""
    if kind == "iati":
        return iati.check_file(
            session=session,
            content=content,
            programme=programme,
            principal=principal,
            settings=settings,
            progress=progress,
            level=level,
        )
    return spreadsheet.check_file(
        session=session,
        filename=filename,
        content=content,
        principal=principal,
        settings=settings,
        progress=progress,
    )


def _read(engine, settings, job_id, *, progress=None) -> tuple[ImportJob, _Checked | str]:
    """The job and its file checked; or the job and why it cannot be."""
    with _reading_session(engine) as session:
        job = session.get(ImportJob, job_id)
        content = file_content(session=session, job_id=job_id)
        if content is None:
            return job, FILE_GONE
        principal = _principal(session, job)
        if principal is None:
            return job, Text(N_("the person who uploaded the file no longer has an active account"))
        report, plans, catalogue = check_file(
            session=session,
            settings=settings,
            kind=job.kind,
            filename=job.filename,
            content=content,
            programme=job.programme or "",
            principal=principal,
            progress=progress,
            level=job.iati_level,
        )
        session.expunge_all()  # what was read stays readable once the session is closed
    return job, _Checked(report, plans, catalogue, principal)


def _check(engine: Engine, settings: Settings, job_id: int) -> None:
    _, checked = _read(engine, settings, job_id, progress=_progress(engine, job_id))
    if isinstance(checked, str):
        _finish(engine, job_id, "failed", _refused(checked), remove_file=True)
        return
    report = checked.report
    status = "refused" if report.refused else "checked"
    # A file with problems cannot be imported: it goes now. A fine one waits for the commit,
    # and so does an IATI file that can be imported in part or at another level.
    public = report.public()
    if report.ok or getattr(report, "importable", False):  # rows without tags: their words
        with _reading_session(engine) as session:
            public["suggestions"] = import_suggestions(session=session, plans=checked.plans)
    _finish(engine, job_id, status, public, remove_file=not _worth_keeping(report))


def _refused(reason: str) -> dict:
    """A report saying why the file was refused, in the reader's language where it is a Text."""
    return {"refused": str(reason), "refused_text": keep(reason)}


def _worth_keeping(report) -> bool:
    hierarchy = getattr(report, "hierarchy", None) or {}
    return report.ok or getattr(report, "importable", False) or len(hierarchy.get("levels", [])) > 1


def _committable(report, skip_invalid: bool) -> bool:
    """Every row can be written; or, skipping IATI activities that cannot, some can."""
    return report.ok or (skip_invalid and getattr(report, "importable", False))


def _progress(engine: Engine, job_id: int):
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        # Write at most every 1% (and the last row), in a transaction of its own.
        step = max(1, total // 100)
        if done == total or done - state["last"] >= step:
            state["last"] = done
            with Session(engine) as session:
                session.execute(
                    update(ImportJob)
                    .where(ImportJob.id == job_id, ImportJob.status == "checking")
                    .values(done=done, total=total, updated_at=utcnow())
                )
                session.commit()

    return report


# Committing in batches ---------------------------------------------------------------------


def _commit(engine: Engine, settings: Settings, job_id: int) -> None:
    job, checked = _read(engine, settings, job_id)
    if isinstance(checked, str):
        _stop(engine, job_id, checked)
        return
    report, plans = checked.report, checked.plans
    written = job.done  # rows written by an earlier run of this commit (start_commit set it)
    if not _committable(report, job.skip_invalid):
        # Something changed since the check: every row is refused until the file is right.
        public = {**report.public(), "written": written}
        status = "interrupted" if written else "checked"
        _finish(engine, job_id, status, public, remove_file=True)
        return
    public = report.public()
    if job.skip_invalid:
        public["skipped"] = len(public.get("unmapped") or [])
    if job.report and job.report.get("suggestions"):  # as the check listed them
        public["suggestions"] = job.report["suggestions"]
    if written:  # resumed: the rows written before now read as updates
        public["creates"] = job.report.get("creates", public["creates"])
        public["updates"] = job.report.get("updates", public["updates"])
    principal = checked.principal
    total, start, size = len(plans), written, BATCH_ROWS
    while start < total:
        batch = plans[start : start + size]
        last = start + len(batch) >= total
        began = time.monotonic()
        outcome = _write_batch(
            engine,
            job_id,
            batch,
            principal=principal,
            catalogue=checked.catalogue,
            written=start,
            total=total,
            final={**public, "written": total, "committed": True} if last else None,
            # The report goes with this run's first batch only: later ones move the count.
            report={**public, "written": start + len(batch)} if start == written else None,
        )
        if outcome is not None:
            _stop(engine, job_id, outcome, report={**public, "written": start})
            return
        start += len(batch)
        if not last and engine.dialect.name == "sqlite":
            size = _next_size(size, time.monotonic() - began)
            time.sleep(SQLITE_PAUSE_SECONDS)
    if written >= total:  # nothing (left) to write
        final = {**public, "written": total, "committed": True}
        _finish(engine, job_id, "committed", final, remove_file=True)


def _next_size(size: int, seconds: float) -> int:
    if seconds > SQLITE_BATCH_SECONDS:
        return max(min(MIN_ROWS, BATCH_ROWS), size // 2)
    if seconds < SQLITE_BATCH_SECONDS / 2:
        return min(BATCH_ROWS, size * 2)
    return size


def _write_batch(engine, job_id, batch, *, principal, catalogue, written, total, final, report):
    """Write one batch in its own transaction; None when it is committed, else why not."""
    for attempt in range(1, BUSY_RETRIES + 1):
        try:
            with Session(engine, expire_on_commit=False) as session:
                if not _claim(session, job_id, written, len(batch), total, report):
                    return Text(N_("another run of this import took it over"))
                write_plans(session=session, plans=batch, principal=principal, catalogue=catalogue)
                if final is not None:
                    _end(session, job_id, "committed", final, remove_file=True)
                session.commit()
                return None
        except WriteConflict as exc:
            return exc.args[0]
        except IntegrityError as exc:
            return Text(
                N_(
                    "the database refused a row of this batch (was a project registered or "
                    "changed by someone else meanwhile?): %(detail)s"
                ),
                detail=printable(str(exc.orig), 200),
            )
        except DBAPIError as exc:
            if attempt == BUSY_RETRIES or not _is_busy(exc):
                raise
            log.info("import %s: batch from row %s waited too long; again", job_id, written)
            time.sleep(attempt)
    return Text(N_("the database stayed busy"))


def _is_busy(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return sqlstate in ("55P03", "57014", "40001", "40P01") or "database is locked" in str(exc.orig)


def _claim(session: Session, job_id: int, written: int, size: int, total: int, report) -> bool:
    """The batch's first statement: move the job's count of written rows on, if nobody else
    did meanwhile. On SQLite this also makes the batch the database's one writer at once, so
    what it reads next nobody can change before it commits."""
    values = {"done": written + size, "total": total, "updated_at": utcnow()}
    if report is not None:
        values["report"] = _storable(report)
    result = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == "committing", ImportJob.done == written)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


# Without a job: the command line ----------------------------------------------------------


class ImportStopped(RuntimeError):
    """A batched import stopped part way: the rows of its committed batches stay written."""

    def __init__(self, written: int, total: int, reason: str):
        self.written, self.total = written, total
        super().__init__(
            Text.counted(
                "the import stopped after writing %(written)s of %(num)s row: %(reason)s; "
                "importing the file again updates the rows already written",
                "the import stopped after writing %(written)s of %(num)s rows: %(reason)s; "
                "importing the file again updates the rows already written",
                total,
                written=written,
                reason=reason,
            )
        )


def import_in_batches(
    *,
    engine: Engine,
    settings: Settings,
    kind: str,
    filename: str,
    content: bytes,
    programme: str,
    principal: Principal,
    progress=None,
    level: int | None = None,
    skip_invalid: bool = False,
):
    """Check a whole file, then, if every row is right (or, with `skip_invalid`, for the IATI
    activities that can be imported), write it BATCH_ROWS rows per transaction, as the web
    app's imports do, for callers without a job (the command line). Returns the report;
    ImportStopped if a batch could not be written."""
    with _reading_session(engine) as session:
        report, plans, catalogue = check_file(
            session=session,
            settings=settings,
            kind=kind,
            filename=filename,
            content=content,
            programme=programme,
            principal=principal,
            level=level,
        )
        session.expunge_all()
    if not _committable(report, skip_invalid):
        return report
    start, size = 0, BATCH_ROWS
    while start < len(plans):
        batch, began = plans[start : start + size], time.monotonic()
        try:
            with Session(engine, expire_on_commit=False) as session:
                write_plans(session=session, plans=batch, principal=principal, catalogue=catalogue)
                session.commit()
        except (WriteConflict, DBAPIError) as exc:
            raise ImportStopped(start, len(plans), printable(str(exc), 300)) from exc
        start += len(batch)
        if progress:
            progress(start, len(plans))
        if engine.dialect.name == "sqlite" and start < len(plans):
            size = _next_size(size, time.monotonic() - began)
            time.sleep(SQLITE_PAUSE_SECONDS)
    report.committed = True
    if skip_invalid and hasattr(report, "skipped"):
        report.skipped = len(report.unmapped)
    return report


# Ending ----------------------------------------------------------------------------------


def _end(session: Session, job_id: int, status: str, report: dict, *, remove_file: bool) -> None:
    now = utcnow()
    values = {"status": status, "report": _storable(report), "updated_at": now}
    if status not in ("checked", "interrupted") or remove_file:
        values["finished_at"] = now
    if remove_file:
        values["file_removed_at"] = now
        session.execute(delete(ImportUpload).where(ImportUpload.job_id == job_id))
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _finish(engine, job_id: int, status: str, report: dict, *, remove_file: bool) -> None:
    try:
        with Session(engine) as session:
            _end(session, job_id, status, report, remove_file=remove_file)
            session.commit()
    except Exception:
        log.exception("import %s: its outcome (%s) could not be recorded", job_id, status)


def _stop(engine, job_id: int, reason: str, *, report: dict | None = None) -> None:
    """The commit stopped: the rows of the batches committed so far stay written; the job
    says how many, and keeps its file so that it can be resumed."""
    with Session(engine) as session:
        job = session.get(ImportJob, job_id)
        written, total = (job.done, job.total) if job else (0, 0)
        report = {**(report or (job.report if job else {})), "written": written}
    report["stopped"] = str(reason)
    report["stopped_text"] = keep(reason)
    report["total"] = total
    _finish(engine, job_id, "interrupted", report, remove_file=False)


def _storable(value):
    """The report as PostgreSQL's JSON can hold it: no NUL byte or other control character."""
    if isinstance(value, str):
        return printable(value, 10_000)
    if isinstance(value, dict):
        return {str(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value
