"""Projects and their tags out, as CSV and XLSX; and the import template."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from openpyxl import Workbook
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


def project_rows(*, session: Session, codes: list[str] | None = None) -> list[dict[str, str]]:
    """Every project (or those with the given codes) as spreadsheet rows, in a few queries."""
    query = select(Project).order_by(Project.code)
    if codes is not None:
        query = query.where(Project.code.in_(codes))
    projects = list(session.exec(query))
    ids = [p.id for p in projects]
    programmes = dict(session.exec(select(Programme.id, Programme.code)).all())
    managers = dict(session.exec(select(User.id, User.email)).all())
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
    rows = []
    for p in projects:
        rows.append(
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
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM tells Excel it is UTF-8


def to_xlsx(rows: list[dict[str, str]], *, with_guide: bool = True, locale: str = "en") -> bytes:
    """The rows as a workbook: a sheet of projects whose column names are the file's contract
    (English in every language), and a guide to them written in `locale`."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Projects"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(row[c]) for c in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.data_type = "s"  # text as typed: never a formula, dates stay ISO
    sheet.freeze_panes = "A2"
    if with_guide:
        guide = workbook.create_sheet(formats.gettext("Columns", locale=locale))
        guide.append(
            [
                formats.gettext("column", locale=locale),
                formats.gettext("what to write", locale=locale),
            ]
        )
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for name, text in COLUMNS.items():
            guide.append([name, formats.gettext(text, locale=locale)])
        guide.column_dimensions["A"].width = 18
        guide.column_dimensions["B"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    return to_csv([EXAMPLE])


def template_xlsx(*, locale: str = "en") -> bytes:
    return to_xlsx([EXAMPLE], locale=locale)
