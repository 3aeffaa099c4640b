"""Projects and their tags out, as CSV and XLSX; and the import template."""

from __future__ import annotations

import csv
import io
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlmodel import Session, select

from tracker import formats
from tracker.models import (
    Country,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectLocation,
    Region,
    Theme,
    ThemeTag,
    User,
)
from tracker.services.exchange.chunks import project_chunks
from tracker.services.exchange.spreadsheet.columns import (
    COLUMNS,
    EXAMPLE,
    format_places,
    format_tags,
)


def neutralise(value: str) -> str:
    """A cell that starts with = + - @ would run as a formula in a spreadsheet: quote it.
    Plain numbers, such as -5, stay numbers."""
    if value[:1] in ("=", "@", "\t", "\r") or (
        value[:1] in ("+", "-") and not value[1:].replace(".", "", 1).isdigit()
    ):
        return "'" + value
    return value


def row_chunks(
    *, session: Session, codes: list[str] | None = None
) -> Iterator[list[dict[str, str]]]:
    """The projects' rows in code order, a chunk of projects (`chunks.CHUNK`) at a time, each
    chunk in four queries."""
    programmes = dict(session.exec(select(Programme.id, Programme.code)).all())
    managers = dict(session.exec(select(User.id, User.email)).all())
    for projects in project_chunks(session, codes):
        yield _rows(session, projects, programmes, managers)


def spreadsheet_rows(*, engine, codes: list[str] | None) -> Iterator[list[dict[str, str]]]:
    """`row_chunks` in a session of its own, for a response that is sent after the request's
    session has closed."""
    with Session(engine) as session:
        yield from row_chunks(session=session, codes=codes)


def _rows(session: Session, projects: list[Project], programmes, managers) -> list[dict]:
    ids = [p.id for p in projects]
    places: dict[int, list] = defaultdict(list)
    for loc, country, region in session.exec(
        select(ProjectLocation, Country, Region)
        .outerjoin(Country, Country.id == ProjectLocation.country_id)
        .outerjoin(Region, Region.id == ProjectLocation.region_id)
        .where(ProjectLocation.project_id.in_(ids))
        .order_by(ProjectLocation.id)
    ):
        places[loc.project_id].append(((country or region).code, loc.percentage))
    tags: dict[tuple[int, str], list] = defaultdict(list)
    for tag, code in session.exec(
        select(ObjectiveTag, Objective.code)
        .join(Objective, Objective.id == ObjectiveTag.objective_id)
        .where(ObjectiveTag.project_id.in_(ids))
        .order_by(Objective.goal_id, Objective.position)
    ):
        tags[(tag.project_id, "objectives")].append((code, tag.significance, tag.budget_share))
    for tag, code in session.exec(
        select(ThemeTag, Theme.code)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(ThemeTag.project_id.in_(ids))
        .order_by(Theme.position)
    ):
        tags[(tag.project_id, "themes")].append((code, tag.significance, tag.budget_share))
    return [
        {
            "code": p.code,
            "title": p.title,
            "summary": p.summary or "",
            "kind": p.kind,
            "status": p.status,
            "start_date": p.start_date.isoformat() if p.start_date else "",
            "end_date": p.end_date.isoformat() if p.end_date else "",
            "budget_amount": format(p.budget_amount.normalize(), "f")
            if p.budget_amount is not None
            else "",
            "budget_currency": p.budget_currency or "",
            "donor": p.donor or "",
            "programme": programmes[p.programme_id],
            "manager": managers.get(p.manager_id, "") if p.manager_id else "",
            "locations": format_places(places[p.id]),
            "objectives": format_tags(tags[(p.id, "objectives")]),
            "themes": format_tags(tags[(p.id, "themes")]),
            "screened": p.screened_at.date().isoformat() if p.screened_at else "",
        }
        for p in projects
    ]


def csv_chunks(chunks: Iterable[list[dict[str, str]]]) -> Iterator[bytes]:
    """The rows as a CSV file, a chunk at a time; the BOM tells Excel it is UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(COLUMNS)
    for rows in chunks:
        for row in rows:
            writer.writerow([neutralise(row[c]) for c in COLUMNS])
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")


def to_csv(rows: list[dict[str, str]]) -> bytes:
    return b"".join(csv_chunks([rows]))


def xlsx_file(
    chunks: Iterable[list[dict[str, str]]], *, with_guide: bool = True, locale: str = "en"
) -> Iterator[bytes]:
    """The rows as a workbook: a sheet of projects whose column names are the file's contract
    (English in every language), and a guide to them written in `locale`. The sheet is
    written as the rows come (openpyxl's write-only mode, into a temporary file that spills
    to disk), then sent in pieces: an export of any size never holds its rows in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Projects")
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name in COLUMNS])
    for rows in chunks:
        for row in rows:
            sheet.append([_text(sheet, neutralise(row[c])) for c in COLUMNS])
    if with_guide:
        guide = workbook.create_sheet(formats.gettext("Columns", locale=locale))
        guide.column_dimensions["A"].width = 18
        guide.column_dimensions["B"].width = 110
        heads = (
            formats.gettext("column", locale=locale),
            formats.gettext("what to write", locale=locale),
        )
        guide.append([_bold(guide, head) for head in heads])
        for name, text in COLUMNS.items():
            guide.append([name, formats.gettext(text, locale=locale)])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        workbook.save(out)
        out.seek(0)
        while piece := out.read(256 * 1024):
            yield piece


def _bold(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _text(sheet, value: str) -> WriteOnlyCell:
    """A cell of text as typed: never a formula, dates stay ISO."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def to_xlsx(rows: list[dict[str, str]], *, with_guide: bool = True, locale: str = "en") -> bytes:
    return b"".join(xlsx_file([rows], with_guide=with_guide, locale=locale))


def template_csv() -> bytes:
    return to_csv([EXAMPLE])


def template_xlsx(*, locale: str = "en") -> bytes:
    return to_xlsx([EXAMPLE], locale=locale)
