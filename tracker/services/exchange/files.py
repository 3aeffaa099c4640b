"""Reading uploaded files without trusting them: size, encoding, formulas, zip bombs, and
tables of any shape (thousands of columns, a huge cell, more rows than an import takes)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from tracker.config import Settings
from tracker.formats import Text
from tracker.locales import N_

EMPTY = N_("the file is empty")


class FileRefused(ValueError):
    """The file is not what it claims, or is unsafe; nothing was read from it."""


FORMULA = re.compile(r"^[=@\t\r]|^[+-](?!\d+(\.\d+)?$)")
ZIP_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000  # rows of projects in one file, besides the header
MAX_COLUMNS = 200  # columns of a header the reader looks at
EXTRA_COLUMNS = 8  # columns past the header where a value is reported, not silently dropped
CSV_CELL_LIMIT = csv.field_size_limit()


def printable(text: str, limit: int = 60) -> str:
    """Text as a message can show it (and PostgreSQL can store it): control characters
    become U+FFFD, and long text is cut."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    if cut.isprintable():  # nearly every value: one pass in C
        return cut
    return "".join(
        "\ufffd" if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n" else c for c in cut
    )


@dataclass
class Table:
    """A sheet: its header, and each later row with its number in the file (as a spreadsheet
    program numbers it), cut to the header's width. `extra` holds, by row number, the first
    value found to the right of the header: (column number, value)."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    extra: dict[int, tuple[int, str]] = field(default_factory=dict)

    def add(self, number: int, cells: list[str]) -> None:
        width = len(self.header)
        if not any(c.strip() for c in cells):
            return  # blank rows are skipped (and keep their number)
        for c in range(width, len(cells)):
            if cells[c].strip():
                self.extra.setdefault(number, (c + 1, cells[c]))
                break
        if len(self.rows) >= MAX_ROWS:
            raise FileRefused(
                Text(
                    N_(
                        "the file has more than %(most)s rows of projects; split it into files "
                        "of at most %(most)s rows"
                    ),
                    most=MAX_ROWS,
                )
            )
        self.rows.append((number, cells[:width]))


def check_size(content: bytes, settings: Settings) -> None:
    limit = settings.import_max_bytes
    if len(content) > limit:
        raise FileRefused(
            Text(
                N_(
                    "the file is %(size)s MB; files up to %(most)s MB are accepted "
                    "(TRACKER_IMPORT_MAX_BYTES)"
                ),
                size=f"{len(content) / 1e6:.1f}",
                most=f"{limit / 1e6:.0f}",
            )
        )


def _header(cells: list[str]) -> list[str]:
    header = [printable(c.strip().lower(), 80) for c in cells[:MAX_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    return header


def _decode_csv(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused(
            Text(
                N_(
                    'the file is not UTF-8 text (byte %(byte)s on line %(line)s); save it as "CSV '
                    'UTF-8" and try again'
                ),
                byte=f"0x{content[exc.start]:02x}",
                line=line,
            )
        ) from None


def _csv_records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileRefused(
                    Text(
                        N_(
                            "row %(row)s holds a cell longer than %(most)s characters; no "
                            "column takes that much"
                        ),
                        row=reader.line_num,
                        most=CSV_CELL_LIMIT,
                    )
                ) from None
            raise FileRefused(
                Text(
                    N_("the file is not valid CSV near line %(line)s: %(detail)s"),
                    line=reader.line_num,
                    detail=str(exc),
                )
            ) from None
        yield record


def _unreadable_workbook(exc: Exception) -> Text:
    return Text(N_("the workbook cannot be read: %(detail)s"), detail=type(exc).__name__)


def read_csv(content: bytes) -> Table:
    records = _csv_records(_decode_csv(content))
    table: Table | None = None
    for number, cells in enumerate(records, start=1):
        if table is None:
            if not any(c.strip() for c in cells):
                continue  # blank lines above the header
            table = Table(_header(cells))
            header_row = number
            continue
        table.add(number, cells)
    if table is None:
        raise FileRefused(Text(EMPTY))
    refuse_formulas(table, header_row)
    return table


def refuse_formulas(table: Table, header_row: int) -> None:
    """A cell a spreadsheet would run as a formula is refused, not imported."""
    for number, cells in [(header_row, table.header), *table.rows]:
        for c, value in enumerate(cells):
            if value and (FORMULA.match(value) or FORMULA.match(value.strip())):
                column = table.header[c] if c < len(table.header) else str(c + 1)
                raise FileRefused(
                    Text(
                        N_(
                            'row %(row)s, column %(column)s holds a formula ("%(value)s"); '
                            "formulas are refused: type the value itself"
                        ),
                        row=number,
                        column=column,
                        value=printable(value, 30),
                    )
                )


def _open_workbook(content: bytes, settings: Settings):
    if not content.startswith(ZIP_MAGIC):
        raise FileRefused(Text(N_("the file is not an Excel workbook (.xlsx)")))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRefused(
            Text(N_("the file is not an Excel workbook (.xlsx): its zip structure is broken"))
        ) from None
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise FileRefused(Text(N_("the file is a zip archive but not an Excel workbook (.xlsx)")))
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.import_max_unpacked_bytes or unpacked > 100 * max(len(content), 1):
        raise FileRefused(
            Text(
                N_(
                    "the workbook would unpack to %(unpacked)s MB from %(size)s MB; that is "
                    "refused as a zip bomb"
                ),
                unpacked=f"{unpacked / 1e6:.0f}",
                size=f"{len(content) / 1e6:.1f}",
            )
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = (
            workbook["Projects"] if "Projects" in workbook.sheetnames else workbook.worksheets[0]
        )
    except Exception as exc:
        raise FileRefused(_unreadable_workbook(exc)) from None
    return workbook, sheet


def _cell_text(cell, number: int, column: int) -> str:
    if cell.data_type == "f":
        raise FileRefused(
            Text(
                N_(
                    "row %(row)s, column %(column)s holds a formula; formulas are refused: type "
                    "the value itself"
                ),
                row=number,
                column=str(column),
            )
        )
    value = cell.value
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "isoformat"):
        return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(content: bytes, settings: Settings, *, header_only: bool = False) -> Table:
    workbook, sheet = _open_workbook(content, settings)
    try:
        return _read_sheet(sheet, header_only=header_only)
    except FileRefused:
        raise
    except Exception as exc:  # a broken sheet inside a sound zip
        raise FileRefused(_unreadable_workbook(exc)) from None
    finally:
        workbook.close()


def _read_sheet(sheet, *, header_only: bool) -> Table:
    width = MAX_COLUMNS
    for number, row in enumerate(sheet.iter_rows(max_col=width), start=1):
        cells = [_cell_text(cell, number, c) for c, cell in enumerate(row, start=1)]
        if not any(c.strip() for c in cells):
            continue  # blank rows above the header
        table = Table(_header(cells))
        if header_only:
            return table
        # Later rows are read as wide as the header and a little more, never wider: a sheet
        # can claim 16,384 columns in every row.
        return _read_rows(sheet, table, number, len(table.header) + EXTRA_COLUMNS)
    raise FileRefused(Text(EMPTY))


def _read_rows(sheet, table: Table, header_row: int, width: int) -> Table:
    for number, row in enumerate(
        sheet.iter_rows(min_row=header_row + 1, max_col=width), start=header_row + 1
    ):
        table.add(number, [_cell_text(cell, number, c) for c, cell in enumerate(row, start=1)])
    return table


def read_csv_header(content: bytes) -> Table:
    """The header alone, for checking an upload before it is kept."""
    for cells in _csv_records(_decode_csv(content[:1_000_000].rsplit(b"\n", 1)[0] + b"\n")):
        if any(c.strip() for c in cells):
            return Table(_header(cells))
    raise FileRefused(Text(EMPTY))
