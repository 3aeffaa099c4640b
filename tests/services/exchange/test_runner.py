"""Import jobs: checked whole, then written in batches that leave others free to save; an
import that stops part way says so and resumes; files are kept only while a job needs them."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import Session

from tests import factories
from tests.files import spreadsheet_csv as _csv
from tests.import_jobs import (
    SETTINGS,
)
from tests.import_jobs import (
    batches_of as _batches_of,
)
from tests.import_jobs import (
    before_batch as _before_batch,
)
from tests.import_jobs import (
    count as _count,
)
from tests.import_jobs import (
    file_kept as _kept,
)
from tests.import_jobs import (
    imported as _imported,
)
from tests.import_jobs import (
    load_job as _load,
)
from tests.import_jobs import (
    run_job as _run,
)
from tests.import_jobs import (
    spreadsheet_rows as _rows,
)
from tests.import_jobs import (
    start_job as _job,
)
from tracker.db import session_scope
from tracker.models import AuditEvent, ImportJob, Project, User
from tracker.models._base import utcnow
from tracker.services.accounts.permissions import principal_for
from tracker.services.errors import InputError
from tracker.services.exchange import jobs, retention, runner
from tracker.services.exchange.spreadsheet.columns import EXAMPLE
from tracker.services.exchange.uploads import Upload
from tracker.services.projects import tagging


def test_a_long_import_writes_in_batches_while_others_keep_saving(accounts, engine, monkeypatch):
    """1,000 rows in batches of 200: while the import writes them, another person's save to
    another project commits within two seconds, again and again, on SQLite and PostgreSQL
    alike."""
    monkeypatch.setattr(runner, "BATCH_ROWS", 200)
    with session_scope(engine) as session:
        other = factories.project(
            session, code="OTHER-1", programme_id=factories.programme(session, "CT").id
        )
        other_id = other.id
    job_id = _job(engine, accounts, _rows(1_000))
    assert _run(engine, job_id, commit=False).status == "checked"
    with session_scope(engine) as session:
        jobs.start_commit(session=session, job=jobs.get_job(session=session, job_id=job_id))

    importing = threading.Thread(
        target=runner.run_job,
        kwargs={"engine": engine, "settings": SETTINGS, "job_id": job_id, "commit": True},
    )
    waits, seen_done = [], set()
    importing.start()
    began = time.monotonic()
    while importing.is_alive() and time.monotonic() - began < 300:
        started = time.monotonic()
        with Session(engine, expire_on_commit=False) as session:
            project = session.get(Project, other_id)
            admin = principal_for(
                session=session, user=session.get(User, accounts["admin"].id), via="session"
            )
            tagging.mark_screened(
                session=session,
                project=project,
                expected_version=project.version,
                principal=admin,
            )
            session.commit()
        waits.append(time.monotonic() - started)
        seen_done.add(_load(engine, job_id).done)
        time.sleep(0.05)
    importing.join()

    job = _load(engine, job_id)
    assert job.status == "committed", job.report
    assert job.report["written"] == 1_000 and job.done == 1_000
    assert _count(engine) == 1_001
    assert not _kept(engine, job_id)  # the file went with the last batch
    assert len(waits) >= 3, "the other save never got in while the import ran"
    assert max(waits) < 2.0, f"another save waited {max(waits):.2f} s"
    # What others saw of the job: batches written and committed one after another.
    assert any(0 < done < 1_000 for done in seen_done), seen_done


def test_a_project_changed_meanwhile_stops_the_import_which_resumes(accounts, engine, monkeypatch):
    _batches_of(monkeypatch, 100)
    assert _imported(engine, accounts, _rows(300)).status == "committed"

    def someone_screens(plans):
        with Session(engine, expire_on_commit=False) as session:
            project = session.get(Project, plans[0].existing.id)
            admin = principal_for(
                session=session, user=session.get(User, accounts["admin"].id), via="session"
            )
            tagging.mark_screened(
                session=session,
                project=project,
                expected_version=project.version,
                principal=admin,
            )
            session.commit()

    monkeypatch.setattr(runner, "_write_batch", _before_batch(2, someone_screens))
    job_id = _job(engine, accounts, _rows(300, title="Renamed"))
    assert _run(engine, job_id, commit=False).status == "checked"
    job = _run(engine, job_id, commit=True)
    assert job.status == "interrupted" and job.done == 100
    assert job.report["stopped"].startswith("row 102: Admin changed project IMP-00100 on ")
    assert "it was not overwritten" in job.report["stopped"]
    assert job.report["written"] == 100 and _kept(engine, job_id)
    assert _count(engine, Project, Project.title == "Renamed") == 100

    monkeypatch.undo()
    _batches_of(monkeypatch, 100)
    job = _run(engine, job_id, commit=True)
    assert job.status == "committed", job.report
    assert _count(engine, Project, Project.title == "Renamed") == 300
    assert not _kept(engine, job_id)
    # Each project's rename is in the audit log once, the resumption wrote no row twice.
    renames = (AuditEvent.action == "update", AuditEvent.entity_type == "project")
    assert _count(engine, AuditEvent, *renames) == 300


def test_a_crash_mid_import_is_reported_with_what_was_written_and_resumes(
    accounts, engine, monkeypatch
):
    _batches_of(monkeypatch, 100)

    def crash(plans):
        raise RuntimeError("the server lost its power")

    monkeypatch.setattr(runner, "_write_batch", _before_batch(3, crash))
    job_id = _job(engine, accounts, _rows(450))
    assert _run(engine, job_id, commit=False).status == "checked"
    job = _run(engine, job_id, commit=True)
    assert job.status == "interrupted"
    assert (job.done, job.report["written"], job.report["total"]) == (200, 200, 450)
    assert job.report["stopped"] == ("the import stopped: RuntimeError: the server lost its power")
    assert _count(engine) == 200 and _kept(engine, job_id)

    monkeypatch.undo()
    _batches_of(monkeypatch, 100)
    job = _run(engine, job_id, commit=True)
    assert job.status == "committed" and job.done == 450
    assert _count(engine) == 450
    created = (AuditEvent.action == "create", AuditEvent.entity_type == "project")
    assert _count(engine, AuditEvent, *created) == 450
    assert sorted(job.report["creates"])[:2] == ["IMP-00000", "IMP-00001"]


def test_a_process_that_died_leaves_a_stalled_job_that_the_scheduler_marks(
    accounts, engine, monkeypatch
):
    _batches_of(monkeypatch, 100)
    job_id = _job(engine, accounts, _rows(250))
    assert _run(engine, job_id, commit=False).status == "checked"
    with session_scope(engine) as session:
        job = jobs.get_job(session=session, job_id=job_id)
        jobs.start_commit(session=session, job=job)
    # The process stopped after its first batch: the job still says committing.
    monkeypatch.setattr(runner, "_write_batch", _before_batch(2, _stop_thread))
    with pytest.raises(_ThreadStopped):
        runner._commit(engine, SETTINGS, job_id)
    assert _load(engine, job_id).status == "committing"
    assert _load(engine, job_id).done == 100

    assert not retention.purge(engine=engine)  # not long enough to say it stopped
    later = utcnow() + jobs.STALL_AFTER + timedelta(minutes=1)
    purged = retention.purge(engine=engine, now=later)
    assert (purged.stalled, purged.files) == (1, 0)
    job = _load(engine, job_id)
    assert job.status == "interrupted" and job.report["written"] == 100
    assert "without finishing" in job.report["stopped"]
    monkeypatch.undo()
    _batches_of(monkeypatch, 100)
    assert _run(engine, job_id, commit=True).status == "committed"
    assert _count(engine) == 250


class _ThreadStopped(BaseException):
    """Stands for the process ending: nothing after it runs, not even error handling."""


def _stop_thread(plans):
    raise _ThreadStopped()


def test_one_refused_row_in_thousands_writes_nothing(accounts, engine):
    rows = [{**EXAMPLE, "code": f"IMP-{i:05d}"} for i in range(2_000)]
    rows[1_500]["budget_amount"] = "٣٠٠"  # Arabic-Indic digits
    job_id = _job(engine, accounts, _csv(rows))
    job = _run(engine, job_id, commit=False)
    assert job.status == "checked" and job.report["problem_count"] == 1
    assert job.report["problems"] == [
        {
            "row": 1_502,
            "column": "budget_amount",
            "value": "٣٠٠",
            "message": "must be written with the digits 0 to 9, such as 250000.50",
        }
    ]
    assert not _kept(engine, job_id)  # it cannot be imported: its file went
    with pytest.raises(Exception, match="only a checked file without problems"):
        _run(engine, job_id, commit=True)
    assert _count(engine) == 0


def test_a_row_that_went_wrong_after_the_check_stops_the_commit_before_any_write(accounts, engine):
    with session_scope(engine) as session:
        manager = session.get(User, accounts["manager_this"].id)
    rows = [{**EXAMPLE, "code": f"IMP-{i:05d}"} for i in range(600)]
    rows[550]["manager"] = manager.email
    job_id = _job(engine, accounts, _csv(rows))
    assert _run(engine, job_id, commit=False).status == "checked"
    with session_scope(engine) as session:
        session.get(User, manager.id).active = False
    job = _run(engine, job_id, commit=True)
    assert job.status == "checked" and job.report["problem_count"] == 1
    assert job.report["problems"][0]["column"] == "manager"
    assert _count(engine) == 0 and not _kept(engine, job_id)


@pytest.mark.parametrize(
    ("content", "status", "kept"),
    [
        (_rows(3), "checked", True),  # waits for its commit
        (_rows(3, status="dormant"), "checked", False),  # problems: cannot be committed
        (_rows(3, title="=1+1"), "refused", False),
    ],
    ids=["fine", "problems", "refused"],
)
def test_the_file_is_kept_only_while_the_job_may_need_it(accounts, engine, content, status, kept):
    job_id = _job(engine, accounts, content)
    assert _kept(engine, job_id)
    job = _run(engine, job_id, commit=False)
    assert job.status == status and _kept(engine, job_id) is kept
    assert (job.file_removed_at is None) is kept
    if status == "checked" and kept:
        job = _run(engine, job_id, commit=True)
        assert job.status == "committed" and not _kept(engine, job_id)
        assert job.finished_at is not None and job.file_removed_at is not None


def test_the_retention_job_removes_files_kept_too_long(accounts, engine, monkeypatch):
    waiting = _job(engine, accounts, _rows(2, prefix="A"))
    assert _run(engine, waiting, commit=False).status == "checked"
    running = _job(engine, accounts, _rows(2, prefix="B"))  # not checked yet: running
    assert _kept(engine, waiting) and _kept(engine, running)

    assert not retention.purge(engine=engine)  # nothing is old yet
    monkeypatch.setenv("TRACKER_IMPORT_RETENTION_HOURS", "2")
    assert retention.retention_period() == timedelta(hours=2)
    later = utcnow() + timedelta(hours=2, minutes=1)
    with session_scope(engine) as session:  # the running one is still moving
        session.get(ImportJob, running).updated_at = later
    purged = retention.purge(engine=engine, now=later)
    assert (purged.files, purged.stalled) == (1, 0)
    assert not _kept(engine, waiting) and _kept(engine, running)
    assert _load(engine, waiting).file_removed_at is not None
    with session_scope(engine) as session, pytest.raises(Exception, match="no longer kept"):
        jobs.start_commit(session=session, job=jobs.get_job(session=session, job_id=waiting))


@pytest.mark.parametrize(("value", "hours"), [("", 24), ("0.5", 0.5), ("soon", 24), ("-3", 24)])
def test_the_retention_period_comes_from_the_environment(monkeypatch, value, hours):
    monkeypatch.setenv("TRACKER_IMPORT_RETENTION_HOURS", value)
    assert retention.retention_period() == timedelta(hours=hours)


def test_iati_activities_are_written_in_batches_too(accounts, engine, monkeypatch):
    from tests.files import IATI_SEVERAL as SEVERAL
    from tracker.models import ProjectSDGTag

    fine = SEVERAL.split(b" <iati-activity>\n  <iati-identifier>XM-EX-1-BROKEN")[0]
    _batches_of(monkeypatch, 1)
    with session_scope(engine) as session:
        user = session.get(User, accounts["admin"].id)
        upload = Upload("iati", "CYB", "a.xml", fine + b"</iati-activities>", "xml")
        job_id = jobs.start_job(session=session, user=user, upload=upload, settings=SETTINGS).id
    assert _run(engine, job_id, commit=False).status == "checked"
    job = _run(engine, job_id, commit=True)
    assert (job.status, job.done, job.report["creates"]) == (
        "committed",
        2,
        ["XM-EX-1-CYBER", "XM-EX-1-BORDER"],
    )
    assert _count(engine, ProjectSDGTag) == 3 and not _kept(engine, job_id)


def test_an_iati_import_skipping_what_cannot_be_resumes_skipping_it(accounts, engine, monkeypatch):
    from pathlib import Path

    from tests.import_jobs import checked_iati_job

    foreign = Path(__file__).parents[2] / "data/iati/publishers/foreign-ministry-2.01.xml"
    job_id = checked_iati_job(engine, accounts, foreign.read_bytes())
    assert _kept(engine, job_id)  # 2 of its 7 activities cannot be imported: it may be skipped
    with pytest.raises(InputError) as refused:
        _run(engine, job_id, commit=True)
    assert "2 activities cannot be imported" in refused.value.errors["skip_invalid"]

    _batches_of(monkeypatch, 2)

    def crash(plans):
        raise RuntimeError("the server lost its power")

    monkeypatch.setattr(runner, "_write_batch", _before_batch(2, crash))
    job = _run(engine, job_id, commit=True, skip_invalid=True)
    assert (job.status, job.done, job.skip_invalid) == ("interrupted", 2, True)
    monkeypatch.undo()
    job = _run(engine, job_id, commit=True)  # resumed: it skips what it skipped before
    assert (job.status, job.done, job.report["skipped"]) == ("committed", 5, 2)
    assert _count(engine) == 5


@pytest.mark.parametrize(
    ("value", "rows"), [("", 500), ("100", 100), ("0", 500), ("9" * 5000, 500), ("\u0665", 500)]
)
def test_the_batch_size_comes_from_the_environment(monkeypatch, value, rows):
    monkeypatch.setenv("TRACKER_IMPORT_BATCH_ROWS", value)
    assert runner._batch_rows() == rows


def test_the_command_line_can_write_in_batches_without_a_job(framework, monkeypatch):
    from tests.factories import ADMIN

    _batches_of(monkeypatch, 100)
    seen = []
    arguments = dict(
        engine=framework,
        settings=SETTINGS,
        kind="spreadsheet",
        filename="p.csv",
        programme="",
        principal=ADMIN,
        progress=lambda done, total: seen.append(done),
    )
    report = runner.import_in_batches(content=_rows(250), **arguments)
    assert report.committed and len(report.creates) == 250 and seen == [100, 200, 250]
    assert _count(framework) == 250
    refused = runner.import_in_batches(content=_rows(5, status="dormant"), **arguments)
    assert not refused.committed and refused.problem_count == 5


@pytest.mark.parametrize(
    ("size", "seconds", "after"), [(500, 2.0, 250), (500, 0.1, 500), (100, 0.1, 200), (30, 9, 25)]
)
def test_sqlite_batches_shrink_when_they_take_long_and_grow_back(size, seconds, after):
    assert runner._next_size(size, seconds) == after
