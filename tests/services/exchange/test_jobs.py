"""Starting an import job: what the upload must be, each problem named by its field, and
nothing kept when it is refused."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from tests.files import spreadsheet_csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import ImportJob, User
from tracker.models.imports import ImportUpload
from tracker.services.errors import InputError
from tracker.services.exchange import jobs
from tracker.services.exchange.spreadsheet.columns import EXAMPLE
from tracker.services.exchange.uploads import Upload

SETTINGS = Settings(env="test")
CSV = spreadsheet_csv([EXAMPLE])


def _start(engine, accounts, upload: Upload) -> ImportJob:
    with session_scope(engine) as session:
        user = session.get(User, accounts["admin"].id)
        return jobs.start_job(session=session, user=user, upload=upload, settings=SETTINGS)


def _stored(engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(ImportJob)).one(),
            session.exec(select(func.count()).select_from(ImportUpload)).one(),
        )


def test_a_good_upload_starts_a_job_that_keeps_its_file(accounts, engine):
    job = _start(engine, accounts, Upload("spreadsheet", "", "projects.csv", CSV, "csv"))
    assert (job.kind, job.status) == ("spreadsheet", "checking")
    assert _stored(engine) == (1, 1)


@pytest.mark.parametrize(
    ("upload", "field", "message"),
    [
        (
            Upload("budget", "", "projects.csv", CSV, "csv"),
            "kind",
            "must be one of spreadsheet, iati",
        ),
        (Upload("spreadsheet", "", "", b"", ""), "file", "choose a file to import"),
        (
            Upload("spreadsheet", "", "activities.xml", b"<x/>", "xml"),
            "file",
            '"activities.xml" is not what Projects spreadsheet (CSV or XLSX) takes: choose a '
            ".csv or .xlsx file",
        ),
        (
            Upload("iati", "", "activities.xml", b"<x/>", "xml"),
            "programme",
            "IATI activities need the programme they belong to",
        ),
        (
            Upload("iati", "NOPE", "activities.xml", b"<x/>", "xml"),
            "programme",
            'unknown programme "NOPE"',
        ),
        (
            Upload("spreadsheet", "", "projects.xlsx", b"not a workbook", "xlsx"),
            "file",
            "",
        ),
    ],
    ids=[
        "kind",
        "no file",
        "wrong type",
        "iati without programme",
        "unknown programme",
        "not xlsx",
    ],
)
def test_a_refused_upload_names_the_field_and_keeps_nothing(
    accounts, engine, upload, field, message
):
    with pytest.raises(InputError) as refused:
        _start(engine, accounts, upload)
    assert field in refused.value.errors, refused.value.errors
    assert message in refused.value.errors[field]
    assert _stored(engine) == (0, 0)
