"""Import jobs: an upload becomes a job, its file kept apart until the job no longer needs it;
the check and the commit run in the background (tracker.services.exchange.runner) with their
progress in the database, so that the page (whichever worker serves it) can show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, update
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import ImportJob, Programme, User
from tracker.models._base import utcnow
from tracker.models.imports import ImportUpload
from tracker.services.errors import InputError, NotFound
from tracker.services.exchange.files import FileRefused
from tracker.services.exchange.iati import read as iati
from tracker.services.exchange.spreadsheet import read as spreadsheet
from tracker.services.exchange.uploads import Upload

KINDS = {
    "spreadsheet": N_("Projects spreadsheet (CSV or XLSX)"),
    "iati": N_("IATI activities (XML, versions 2.01 to 2.03)"),
}
FILE_TYPES = {"spreadsheet": ("csv", "xlsx"), "iati": ("xml",)}
RUNNING = ("checking", "committing")
FILE_GONE = Text(
    N_(
        "the file is no longer kept; upload it again (importing it again updates the projects "
        "already written, by their code)"
    )
)
# A running job moves `updated_at` on at every step (a batch, 1% of a check); one that has not
# moved for this long has stopped (its server stopped or crashed) and may be resumed.
STALL_AFTER = timedelta(minutes=10)


def start_job(*, session: Session, user: User, upload: Upload, settings: Settings) -> ImportJob:
    """A job for an upload that passed its checks, with its file kept until the job ends;
    InputError, naming the field, for anything else, and then nothing is kept."""
    errors: dict[str, str] = {}
    if upload.kind not in KINDS:
        errors["kind"] = Text(N_("must be one of %(allowed)s"), allowed=", ".join(KINDS))
    if not upload.content:
        errors["file"] = Text(N_("choose a file to import"))
    elif upload.kind in KINDS and upload.file_type not in FILE_TYPES[upload.kind]:
        wanted = " or ".join(f".{t}" for t in FILE_TYPES[upload.kind])
        errors["file"] = Text(
            N_(
                '"%(file)s" is not what %(kind)s takes: choose a %(wanted)s file, or say what '
                "is in it below"
            ),
            file=upload.filename[:80],
            kind=Text(KINDS[upload.kind]),
            wanted=wanted,
        )
    if upload.kind == "iati":
        if not upload.programme:
            errors["programme"] = Text(N_("IATI activities need the programme they belong to"))
        elif not _programme_exists(session, upload.programme):
            errors["programme"] = Text(
                N_('unknown programme "%(value)s"'), value=upload.programme[:20]
            )
    if errors:
        raise InputError(errors)
    try:
        if upload.kind == "iati":
            iati.inspect_file(content=upload.content, settings=settings)
        else:
            spreadsheet.inspect_file(
                filename=upload.filename, content=upload.content, settings=settings
            )
    except FileRefused as exc:
        raise InputError({"file": exc.args[0] if exc.args else str(exc)}) from None
    job = ImportJob(
        user_id=user.id,
        kind=upload.kind,
        filename=upload.filename or "upload",
        programme=upload.programme or None,
        size=upload.size,
    )
    session.add(job)
    session.flush()
    session.add(ImportUpload(job_id=job.id, content=upload.content))
    session.flush()
    return job


def _programme_exists(session: Session, code: str) -> bool:
    return session.exec(select(exists().where(Programme.code == code))).one()


def get_job(*, session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound("import")
    return job


@dataclass(frozen=True)
class JobState:
    """What the page says of a job beyond its row."""

    file_kept: bool
    stalled: bool  # running, but it has not moved for STALL_AFTER

    @property
    def can_resume(self) -> bool:
        return self.file_kept


def job_state(*, session: Session, job: ImportJob) -> JobState:
    kept = session.exec(select(exists().where(ImportUpload.job_id == job.id))).one()
    stalled = job.status in RUNNING and job.updated_at < utcnow() - STALL_AFTER
    return JobState(file_kept=kept, stalled=stalled)


def file_content(*, session: Session, job_id: int) -> bytes | None:
    return session.exec(select(ImportUpload.content).where(ImportUpload.job_id == job_id)).first()


def importable_count(job: ImportJob) -> int:
    """Activities or rows of a checked job that can be imported."""
    report = job.report or {}
    return len(report.get("creates") or []) + len(report.get("updates") or [])


def _skipping(job: ImportJob, skip_invalid: bool) -> bool:
    """Whether a checked IATI file is imported without the activities that cannot be; an
    InputError on `skip_invalid` when some cannot be and the person did not choose to skip."""
    report = job.report or {}
    cannot = len(report.get("unmapped") or [])
    if not (
        job.kind == "iati"
        and job.status == "checked"
        and cannot
        and not report.get("refused")
        and importable_count(job) > 0
    ):
        return False
    if not skip_invalid:
        raise InputError(
            {
                "skip_invalid": Text.counted(
                    "%(num)s activity cannot be imported, and an import is all or none unless "
                    "you choose to skip it: tick this to import the %(others)s others, or "
                    "correct the file",
                    "%(num)s activities cannot be imported, and an import is all or none unless "
                    "you choose to skip them: tick this to import the %(others)s others, or "
                    "correct the file",
                    cannot,
                    others=importable_count(job),
                )
            }
        )
    return True


def start_commit(*, session: Session, job: ImportJob, skip_invalid: bool = False) -> None:
    """Mark a checked job (or an interrupted or stalled one, to resume it) as committing.
    An IATI file whose every activity can be imported is imported whole; with `skip_invalid`,
    one with activities that cannot be is imported without them. Compare-and-set: of two
    clicks, one starts the import and the other is refused."""
    state = job_state(session=session, job=job)
    report = job.report or {}
    checked_fine = (
        job.status == "checked"
        and not report.get("problems")
        and not report.get("problem_count")
        and not report.get("unmapped")
        and not report.get("refused")
    )
    skipping = _skipping(job, skip_invalid)
    resumable = job.status == "interrupted" or (job.status == "committing" and state.stalled)
    if job.status in RUNNING and not state.stalled:
        raise InputError(
            {"import": Text(N_("this import is already running; its page shows how far"))}
        )
    if not (checked_fine or skipping or resumable):
        raise InputError(
            {"import": Text(N_("only a checked file without problems can be imported"))}
        )
    if not state.file_kept:
        raise InputError({"import": FILE_GONE})
    result = session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job.id,
            ImportJob.status == job.status,
            ImportJob.updated_at == job.updated_at,
        )
        # A checked job starts from its first row; an interrupted one from the first row
        # that was not written.
        .values(
            status="committing",
            done=0 if job.status == "checked" else job.done,
            # Resumed, it skips what it skipped when it started.
            skip_invalid=skipping if job.status == "checked" else job.skip_invalid,
            updated_at=utcnow(),
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InputError({"import": Text(N_("this import has already been started"))})


def start_recheck(*, session: Session, job: ImportJob, level: int) -> None:
    """Check a checked IATI file again, its publisher's hierarchy imported at `level`; the
    job runs its check again (the caller starts it). InputError, naming the field, when the
    level is not one of the file's, or the job cannot be checked again."""
    hierarchy = (job.report or {}).get("hierarchy") or {}
    levels = hierarchy.get("levels") or []
    if job.kind != "iati" or job.status != "checked" or not levels:
        raise InputError(
            {
                "level": Text(
                    N_("only a checked IATI file with parent and child activities has levels")
                )
            }
        )
    if level not in levels:
        shown = ", ".join(str(n) for n in levels)
        raise InputError(
            {"level": Text(N_("must be one of the file's levels: %(levels)s"), levels=shown)}
        )
    if not job_state(session=session, job=job).file_kept:
        raise InputError({"level": Text(N_("the file is no longer kept; upload it again"))})
    result = session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job.id,
            ImportJob.status == "checked",
            ImportJob.updated_at == job.updated_at,
        )
        .values(
            status="checking",
            iati_level=level,
            done=0,
            total=0,
            report={},
            updated_at=utcnow(),
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InputError({"level": Text(N_("this import changed meanwhile; reload its page"))})


def recent_jobs(*, session: Session, limit: int = 20) -> list[ImportJob]:
    return list(session.exec(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))
