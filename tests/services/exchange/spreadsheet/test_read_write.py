"""Spreadsheet import: the dry run reports every problem, the commit writes all or none."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlmodel import Session, func, select

from tests.factories import ADMIN
from tests.files import spreadsheet_csv
from tests.names import PROGRAMMES
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import AuditEvent, ObjectiveTag, Project, ThemeTag
from tracker.services.coverage import compute_matrix, parse_coverage_query
from tracker.services.demo import seed_demo_portfolio
from tracker.services.exchange.spreadsheet.columns import COLUMNS, EXAMPLE
from tracker.services.exchange.spreadsheet.read import import_spreadsheet
from tracker.services.exchange.spreadsheet.write import (
    row_chunks,
    template_csv,
    template_xlsx,
    to_csv,
    to_xlsx,
)

SETTINGS = Settings(env="test")


def project_rows(*, session) -> list[dict[str, str]]:
    """Every project as the spreadsheet export writes it, all chunks together."""
    return [row for rows in row_chunks(session=session) for row in rows]


def _import(engine, content, *, commit, filename="projects.csv"):
    with session_scope(engine) as session:
        return import_spreadsheet(
            session=session,
            filename=filename,
            content=content,
            principal=ADMIN,
            settings=SETTINGS,
            commit=commit,
        )


def _count(engine, model=Project):
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_template_imports_as_it_is(framework):
    for name, data in (("t.csv", template_csv()), ("t.xlsx", template_xlsx())):
        report = _import(framework, data, commit=False, filename=name)
        assert report.ok and report.creates == ["CYB-2026-0042"], report.public()
    assert _count(framework) == 0  # a dry run writes nothing


@pytest.mark.parametrize(
    ("locale", "sheet", "heads", "code_guide"),
    [
        ("fr", "Colonnes", ["colonne", "ce qu'il faut écrire"], "Obligatoire. Un code de projet"),
        ("ar", None, ["العمود", "ما يُكتب فيه"], "إلزامي. رمز مشروع فريد"),
    ],
)
def test_the_template_s_guide_is_in_the_reader_s_language_and_its_columns_stay(
    framework, locale, sheet, heads, code_guide
):
    from openpyxl import load_workbook

    data = template_xlsx(locale=locale)
    workbook = load_workbook(io.BytesIO(data))
    projects, guide = workbook.worksheets
    assert [c.value for c in projects[1]] == list(COLUMNS)  # the file's contract, in English
    assert sheet is None or guide.title == sheet
    assert [c.value for c in guide[1]] == heads
    assert guide["A2"].value == "code" and guide["B2"].value.startswith(code_guide)
    report = _import(framework, data, commit=False, filename="t.xlsx")
    assert report.ok and report.creates == ["CYB-2026-0042"], report.public()


def test_commit_writes_every_row_and_a_second_import_updates(framework):
    second = {
        **EXAMPLE,
        "code": "OEC-2026-0001",
        "programme": "OEC",
        "objectives": "6.2 principal",
        "themes": "",
        "locations": "BR",
    }
    content = spreadsheet_csv([EXAMPLE, second])
    report = _import(framework, content, commit=True)
    assert report.committed and sorted(report.creates) == ["CYB-2026-0042", "OEC-2026-0001"]
    with Session(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0042")).one()
        assert project.screened_at.date() == date(2026, 2, 1)
        assert session.exec(select(func.count()).select_from(ObjectiveTag)).one() == 3
        assert session.exec(select(func.count()).select_from(ThemeTag)).one() == 1
    again = _import(
        framework, spreadsheet_csv([{**EXAMPLE, "title": "Renamed"}, second]), commit=True
    )
    assert again.updates == ["CYB-2026-0042", "OEC-2026-0001"] and not again.creates
    assert _count(framework) == 2
    with Session(framework) as session:
        assert (
            session.exec(select(Project.title).where(Project.code == "CYB-2026-0042")).one()
            == "Renamed"
        )
        assert session.exec(select(func.count()).select_from(ObjectiveTag)).one() == 3
        updates = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert [e.after for e in updates] == [{"title": "Renamed"}]


def test_the_dry_run_reports_every_problem_and_the_commit_writes_none(framework):
    rows = [
        {**EXAMPLE, "code": "A-1"},
        {**EXAMPLE, "code": "A-2", "programme": "NOPE"},
        {**EXAMPLE, "code": "A-3", "budget_amount": "-10", "end_date": "2025-01-01"},
        {**EXAMPLE, "code": "A-4", "locations": "KE:60; UG:30"},
        {**EXAMPLE, "code": "A-5", "objectives": "9.9 principal; 4.2 vital"},
        {**EXAMPLE, "code": "A-6", "objectives": "4.2 principal 70; 4.3 principal 40"},
        {**EXAMPLE, "code": "A-1"},
        {**EXAMPLE, "code": "A-8", "budget_currency": "XYZ", "title": ""},
        {**EXAMPLE, "code": "A-9", "screened": "yesterday"},
    ]
    report = _import(framework, spreadsheet_csv(rows), commit=True)
    assert not report.committed
    found = {(p.row, p.column): p.message for p in report.problems}
    assert found[(3, "programme")].startswith(f'unknown programme "NOPE"; allowed: {PROGRAMMES}')
    assert found[(4, "budget_amount")] == "must not be negative"
    assert found[(4, "end_date")].startswith("must not be before the start date")
    assert found[(5, "locations")] == "percentages must add up to 100; they add up to 90"
    assert "unknown objective" in found[(6, "objectives")] or any(
        p.row == 6 and "unknown objective" in p.message for p in report.problems
    )
    assert any(p.row == 6 and "write each tag" in p.message for p in report.problems)
    assert found[(7, "objectives")] == "budget shares add up to 110%; at most 100"
    assert found[(8, "code")] == "already in row 2; a code appears once"
    assert found[(9, "budget_currency")].startswith('unknown currency "XYZ"')
    assert found[(9, "title")] == "is required"
    assert found[(10, "screened")].startswith("must be a date")
    rendered = next(
        p for p in report.problems if p.row == 4 and p.column == "budget_amount"
    ).render()
    assert rendered == 'row 4, column budget_amount "-10": must not be negative'
    # Only the framework's load and its three working translations' are recorded.
    assert _count(framework) == 0 and _count(framework, AuditEvent) == 4


VIEWS = (
    {"rows": "objectives", "cols": "regions", "status": "any"},
    {"rows": "themes", "cols": "programmes", "status": "any"},
)


def _coverage(session) -> list[dict]:
    """Every cell by row and column code (ids differ between databases)."""
    out = []
    for view in VIEWS:
        matrix = compute_matrix(
            session=session, query=parse_coverage_query(session=session, params=view)
        )
        out.append(
            {
                (row.code, column.code): (
                    matrix.cell(row, column).projects,
                    matrix.cell(row, column).principal,
                    round(matrix.cell(row, column).budget, 2),
                )
                for row in matrix.rows
                for column in matrix.columns
            }
        )
    return out


def test_round_trip_gives_the_same_portfolio_and_coverage(framework, fresh_database_url):
    from tests.conftest import GPG_FILE
    from tracker.db import make_engine
    from tracker.services import schema
    from tracker.services.framework.loader import load_framework
    from tracker.services.reference.load import load_reference_data

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=60, seed=5, today=date(2026, 11, 2))
    with Session(framework) as session:
        rows = project_rows(session=session)
        before = _coverage(session)
    schema.upgrade(database_url=fresh_database_url)
    empty = make_engine(fresh_database_url)
    try:
        with session_scope(empty) as session:
            load_reference_data(session=session)
            load_framework(session=session, path=GPG_FILE)
        for data, name in ((to_xlsx(rows), "p.xlsx"), (to_csv(rows), "p.csv")):
            report = _import(empty, data, commit=True, filename=name)
            assert report.committed, [p.render() for p in report.problems][:5]
        with Session(empty) as session:
            assert project_rows(session=session) == rows
            assert _coverage(session) == before
    finally:
        empty.dispose()


@pytest.mark.parametrize("name", ["p.csv", "p.xlsx"])
def test_exports_neutralise_formulas(framework, name):
    rows = [
        {
            **{c: "" for c in COLUMNS},
            **EXAMPLE,
            "title": '=HYPERLINK("http://evil")',
            "donor": "@SUM(A1)",
            "budget_amount": "100",
        }
    ]
    data = to_xlsx(rows) if name.endswith("xlsx") else to_csv(rows)
    if name.endswith("csv"):
        text = data.decode("utf-8-sig")
        assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data))["Projects"]
        assert sheet["B2"].value == '\'=HYPERLINK("http://evil")' and sheet["B2"].data_type == "s"


def test_exports_are_written_a_chunk_at_a_time_whatever_the_number_of_codes(framework, monkeypatch):
    """Rows are read a few projects at a time, from any number of codes (more than a database
    takes in one statement), and the files are the same as written whole."""
    from openpyxl import load_workbook

    from tracker.services.exchange import chunks
    from tracker.services.exchange.spreadsheet.write import (
        csv_chunks,
        row_chunks,
        spreadsheet_rows,
        xlsx_file,
    )

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=7, seed=3, today=date(2026, 11, 2))
    with Session(framework) as session:
        codes = sorted(session.exec(select(Project.code)))
        # 70,000 codes asked for, of which seven are projects: read a chunk at a time.
        asked = [f"NONE-{n:06d}" for n in range(70_000)] + codes
        chosen = [row["code"] for rows in row_chunks(session=session, codes=asked) for row in rows]
        assert list(row_chunks(session=session, codes=[])) == []  # nothing chosen: nothing
        monkeypatch.setattr(chunks, "CHUNK", 3)
        pieces = list(row_chunks(session=session))
    assert [len(rows) for rows in pieces] == [3, 3, 1]
    assert [row["code"] for rows in pieces for row in rows] == codes == chosen
    everything = [row for rows in pieces for row in rows]
    streamed = list(csv_chunks(spreadsheet_rows(engine=framework, codes=None)))
    assert len(streamed) == 3 and b"".join(streamed) == to_csv(everything)
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_file(iter(pieces)))))
    sheet = workbook["Projects"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet[1][0].font.bold
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == codes
    assert sheet.freeze_panes == "A2" and workbook.sheetnames == ["Projects", "Columns"]
