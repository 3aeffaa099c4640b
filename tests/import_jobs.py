"""Import jobs for tests: a spreadsheet of many rows, a job started from it as the import page
would, run in this thread, and the runner's batches fixed or interrupted at will."""

from __future__ import annotations

from sqlmodel import Session, func, select

from tests.files import spreadsheet_csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import ImportJob, Project, User
from tracker.models.imports import ImportUpload
from tracker.services.exchange import jobs, runner
from tracker.services.exchange.spreadsheet.columns import EXAMPLE
from tracker.services.exchange.uploads import Upload

SETTINGS = Settings(env="test")


def spreadsheet_rows(n: int, prefix: str = "IMP", **values) -> bytes:
    return spreadsheet_csv([{**EXAMPLE, "code": f"{prefix}-{i:05d}", **values} for i in range(n)])


def start_job(engine, accounts, content: bytes, filename: str = "projects.csv") -> int:
    with session_scope(engine) as session:
        user = session.get(User, accounts["admin"].id)
        upload = Upload("spreadsheet", "", filename, content, filename.rsplit(".", 1)[1])
        return jobs.start_job(session=session, user=user, upload=upload, settings=SETTINGS).id


def checked_iati_job(engine, accounts, content: bytes, programme: str = "FCAC") -> int:
    """An IATI file uploaded by the administrator and checked, as the import page does."""
    with session_scope(engine) as session:
        user = session.get(User, accounts["admin"].id)
        upload = Upload("iati", programme, "activities.xml", content, "xml")
        job_id = jobs.start_job(session=session, user=user, upload=upload, settings=SETTINGS).id
    assert run_job(engine, job_id, commit=False).status == "checked"
    return job_id


def run_job(engine, job_id: int, *, commit: bool, skip_invalid: bool = False) -> ImportJob:
    if commit:
        with session_scope(engine) as session:
            job = jobs.get_job(session=session, job_id=job_id)
            jobs.start_commit(session=session, job=job, skip_invalid=skip_invalid)
    runner.run_job(engine=engine, settings=SETTINGS, job_id=job_id, commit=commit)
    return load_job(engine, job_id)


def load_job(engine, job_id: int) -> ImportJob:
    with Session(engine) as session:
        return session.get(ImportJob, job_id)


def count(engine, model=Project, *where) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def file_kept(engine, job_id: int) -> bool:
    return count(engine, ImportUpload, ImportUpload.job_id == job_id) == 1


def batches_of(monkeypatch, rows: int) -> None:
    """Batches of exactly this many rows (SQLite's batches do not shrink however long they
    take)."""
    monkeypatch.setattr(runner, "BATCH_ROWS", rows)
    monkeypatch.setattr(runner, "SQLITE_BATCH_SECONDS", 600)


def imported(engine, accounts, content: bytes) -> ImportJob:
    job_id = start_job(engine, accounts, content)
    assert run_job(engine, job_id, commit=False).status == "checked"
    return run_job(engine, job_id, commit=True)


def before_batch(number: int, action):
    """Batches written as usual, but `action(plans)` runs just before batch `number` starts
    its transaction (another person's change, or the process stopping)."""
    real = runner._write_batch
    calls = {"n": 0}

    def write_batch(engine, job_id, batch, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            action(batch)
        return real(engine, job_id, batch, **kwargs)

    return write_batch
