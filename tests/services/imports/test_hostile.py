"""Hostile files are refused with a clear message, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlmodel import Session, func, select

from tests.services.imports.test_spreadsheet import ADMIN, _csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.exports import template_xlsx
from tracker.services.imports.iati import import_iati
from tracker.services.imports.spreadsheet import import_spreadsheet
from tracker.services.spreadsheet_format import EXAMPLE

SETTINGS = Settings(env="test", import_max_bytes=200_000)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<iati-activities version="2.03">
 <iati-activity><iati-identifier>&lol9;</iati-identifier></iati-activity>
</iati-activities>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<iati-activities version="2.03">
 <iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity>
</iati-activities>"""


def _zip_bomb() -> bytes:
    """A valid-looking workbook with a member that unpacks to 300 MB of zeros."""
    source = io.BytesIO(template_xlsx())
    out = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in original.infolist():
            bomb.writestr(item, original.read(item.filename))
        with bomb.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * 1_000_000
            for _ in range(300):
                member.write(chunk)
    return out.getvalue()


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
        _csv([{**EXAMPLE, "title": '=HYPERLINK("http://evil.example","x")'}]),
        "row 2, column title holds a formula",
    ),
    "formula with @": (
        "csv",
        _csv([{**EXAMPLE, "donor": "@SUM(1+1)*cmd|' /C calc'!A0"}]),
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
        content = _zip_bomb()
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
            content=_csv([{**EXAMPLE, "budget_amount": "-5"}]),
            principal=ADMIN,
            settings=SETTINGS,
            commit=False,
        )
    assert report.refused is None
    assert [p.message for p in report.problems] == ["must not be negative"]
