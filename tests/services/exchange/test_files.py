"""Hostile files are refused with a clear message, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import Session, func, select

from tests.factories import ADMIN
from tests.files import (
    BILLION_LAUGHS,
    HOSTILE_ROW_PROBLEMS,
    hostile_rows,
    spreadsheet_csv,
    zip_bomb,
)
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.exchange.files import FileRefused
from tracker.services.exchange.iati.read import import_iati
from tracker.services.exchange.spreadsheet.columns import EXAMPLE
from tracker.services.exchange.spreadsheet.read import import_spreadsheet

SETTINGS = Settings(env="test", import_max_bytes=200_000)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<iati-activities version="2.03">
 <iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity>
</iati-activities>"""


CASES = {
    "billion laughs": ("iati", BILLION_LAUGHS, "declares XML entities"),
    "external entity": ("iati", EXTERNAL_ENTITY, "declares external entities"),
    "not IATI": ("iati", b"<html><body>hello</body></html>", "its root is <html>"),
    "not XML": ("iati", b"this is not xml", "not valid XML"),
    "far too large": (
        "csv",
        b"code,title,programme\n" + b"X-1,T,CYB\n" * 30_000,
        "files up to 0 MB are accepted",
    ),
    "formula cell": (
        "csv",
        spreadsheet_csv([{**EXAMPLE, "title": '=HYPERLINK("http://evil.example","x")'}]),
        "row 2, column title holds a formula",
    ),
    "formula with @": (
        "csv",
        spreadsheet_csv([{**EXAMPLE, "donor": "@SUM(1+1)*cmd|' /C calc'!A0"}]),
        "column donor holds a formula",
    ),
    "latin-1": (
        "csv",
        "code,title,programme\nX-1,Coopération,CYB\n".encode("latin-1"),
        "not UTF-8 text (byte 0xe9 on line 2)",
    ),
    "mixed encoding": (
        "csv",
        "code,title,programme\nX-1,Café,CYB\n".encode() + "X-2,Café,CYB\n".encode("cp1252"),
        "not UTF-8 text",
    ),
    "not a workbook": ("xlsx", b"PK\x03\x04 this is not really a zip", "not an Excel workbook"),
    "a zip, not a workbook": ("xlsx", None, "a zip archive but not an Excel workbook"),
    "zip bomb": ("xlsx", "bomb", "refused as a zip bomb"),
}


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_files_are_refused(framework, case):
    kind, content, message = CASES[case]
    if content is None:
        content = _zip_without_workbook()
    elif content == "bomb":
        content = zip_bomb()
    settings = Settings(env="test", import_max_bytes=2_000_000 if case == "zip bomb" else 200_000)
    with session_scope(framework) as session:
        if kind == "iati":
            report = import_iati(
                session=session,
                content=content,
                programme="CYB",
                principal=ADMIN,
                settings=settings,
                commit=True,
            )
        else:
            report = import_spreadsheet(
                session=session,
                filename=f"file.{kind}",
                content=content,
                principal=ADMIN,
                settings=settings,
                commit=True,
            )
    assert report.refused is not None and message in report.refused, report.refused
    assert not report.committed
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0


def test_negative_numbers_are_not_formulas(framework):
    with session_scope(framework) as session:
        report = import_spreadsheet(
            session=session,
            filename="f.csv",
            content=spreadsheet_csv([{**EXAMPLE, "budget_amount": "-5"}]),
            principal=ADMIN,
            settings=SETTINGS,
            commit=False,
        )
    assert report.refused is None
    assert [p.message for p in report.problems] == ["must not be negative"]


def test_hostile_cells_are_each_reported_by_row_and_column_and_nothing_is_written(accounts, engine):
    from tests.import_jobs import file_kept as _kept
    from tests.import_jobs import run_job as _run
    from tests.import_jobs import start_job as _job

    job_id = _job(engine, accounts, hostile_rows())
    job = _run(engine, job_id, commit=False)
    assert job.status == "checked", job.report
    found = {(p["row"], p["column"]): p["message"] for p in job.report["problems"]}
    assert found == HOSTILE_ROW_PROBLEMS
    # Stored as a person can read it back (and as PostgreSQL's JSON can hold it).
    shown = {(p["row"], p["column"]): p["value"] for p in job.report["problems"]}
    assert shown[(2, "title")] == "Nul\ufffdbyte in the title"
    assert len(shown[(10, "title")]) <= 101
    assert job.report["problem_count"] == len(HOSTILE_ROW_PROBLEMS)
    assert not _kept(engine, job_id)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0


def test_a_header_of_ten_thousand_columns_is_refused_naming_a_few():
    header = ",".join(f"col{i}" for i in range(10_000)) + "\r\n"
    from tracker.services.exchange.spreadsheet.read import inspect_file

    with pytest.raises(FileRefused) as refused:
        inspect_file(filename="wide.csv", content=header.encode(), settings=SETTINGS)
    message = str(refused.value)
    assert message.startswith("unknown column col0, col1, col2")
    assert "and 190 more (the header has more than 200 columns; the template has 16)" in message
    assert "missing column code, title, programme" in message
    assert len(message) < 1_000


def test_a_cell_longer_than_any_column_refuses_the_file_naming_its_row():
    big = b"code,title,programme\r\nX-1," + b"T" * 200_000 + b",CYB\r\n"
    from tracker.services.exchange.files import read_csv

    with pytest.raises(FileRefused, match="row 2 holds a cell longer than 131,072 characters"):
        read_csv(big)


def test_more_rows_than_an_import_takes_are_refused():
    from tracker.services.exchange.files import MAX_ROWS, read_csv

    content = b"code,title,programme\n" + b"X,T,CYB\n" * (MAX_ROWS + 1)
    with pytest.raises(FileRefused, match="more than 50,000 rows"):
        read_csv(content)


IATI_NUMBERS = b"""<?xml version="1.0"?>
<iati-activities version="2.03">
 <iati-activity default-currency="EUR">
  <iati-identifier>XM-1</iati-identifier><title><narrative>One</narrative></title>
  <activity-status code="2"/>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
   <value>\xd9\xa3\xd9\xa0\xd9\xa0</value></budget>
 </iati-activity>
 <iati-activity default-currency="EUR">
  <iati-identifier>XM-2</iati-identifier><title><narrative>Two</narrative></title>
  <activity-status code="2"/>
  <recipient-country code="KE" percentage="\xc2\xb2"/>
 </iati-activity>
 <iati-activity default-currency="EUR">
  <iati-identifier>XM-3</iati-identifier><title><narrative>Three</narrative></title>
  <activity-status code="2"/>
  <tag vocabulary="2" code="\xc2\xb2"/><tag vocabulary="2" code="99999999999999999999"/>
  <tag vocabulary="3" code="16.4-but-far-too-long-for-a-target"/>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
   <value>100000000000000</value></budget>
 </iati-activity>
</iati-activities>"""


def test_iati_numbers_in_other_digits_or_too_large_are_reported_per_activity(framework):
    with session_scope(framework) as session:
        report = import_iati(
            session=session,
            content=IATI_NUMBERS,
            programme="CYB",
            principal=ADMIN,
            settings=SETTINGS,
            commit=True,
        )
    reasons = {u["activity"]: u["reason"] for u in report.unmapped}
    assert reasons["XM-1"].startswith(
        'budget value "٣٠٠" (for 2026-01-01 to 2026-12-31) is not a number written with the digits'
    )
    assert reasons["XM-2"].startswith('the percentage of KE ("²") is not a number from 0 to 100')
    assert reasons["XM-3"].startswith("its budget adds up to 100,000,000,000,000.00 EUR")
    assert not report.committed
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(Project)).one() == 0
