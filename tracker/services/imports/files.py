"""Reading uploaded files without trusting them: size, encoding, formulas, zip bombs."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from tracker.config import Settings


class FileRefused(ValueError):
    """The file is not what it claims, or is unsafe; nothing was read from it."""


FORMULA = re.compile(r"^[=@\t\r]|^[+-](?!\d+(\.\d+)?$)")
ZIP_MAGIC = b"PK\x03\x04"


def check_size(content: bytes, settings: Settings) -> None:
    limit = settings.import_max_bytes
    if len(content) > limit:
        raise FileRefused(
            f"the file is {len(content) / 1e6:.1f} MB; "
            f"files up to {limit / 1e6:.0f} MB are accepted "
            "(TRACKER_IMPORT_MAX_BYTES)"
        )


def read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRefused(
            f"the file is not UTF-8 text (byte 0x{content[exc.start]:02x} on line {line}); save it "
            'as "CSV UTF-8" and try again'
        ) from None
    if "\x00" in text:
        raise FileRefused("the file holds binary data, not CSV text")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRefused(f"the file is not valid CSV: {exc}") from None


def refuse_formulas(rows: list[list[str]], header: list[str]) -> None:
    """A cell a spreadsheet would run as a formula is refused, not imported."""
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value and FORMULA.match(value):
                column = header[c] if c < len(header) else f"column {c + 1}"
                raise FileRefused(
                    f'row {r}, column {column} holds a formula ("{value[:30]}"); formulas are '
                    "refused: type the value itself"
                )


def read_xlsx(content: bytes, settings: Settings) -> list[list[str]]:
    if not content.startswith(ZIP_MAGIC):
        raise FileRefused("the file is not an Excel workbook (.xlsx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileRefused(
            "the file is not an Excel workbook (.xlsx): its zip structure is broken"
        ) from None
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise FileRefused("the file is a zip archive but not an Excel workbook (.xlsx)")
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.import_max_unpacked_bytes or unpacked > 100 * max(len(content), 1):
        raise FileRefused(
            f"the workbook would unpack to {unpacked / 1e6:.0f} MB "
            f"from {len(content) / 1e6:.1f} MB; "
            "that is refused as a zip bomb"
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:
        raise FileRefused(f"the workbook cannot be read: {type(exc).__name__}") from None
    sheet = workbook["Projects"] if "Projects" in workbook.sheetnames else workbook.worksheets[0]
    rows: list[list[str]] = []
    for r, row in enumerate(sheet.iter_rows(), start=1):
        values = []
        for c, cell in enumerate(row, start=1):
            if cell.data_type == "f":
                raise FileRefused(
                    f"row {r}, column {c} holds a formula; "
                    "formulas are refused: type the value itself"
                )
            value = cell.value
            if value is None:
                values.append("")
            elif hasattr(value, "date") and hasattr(value, "isoformat"):
                values.append(
                    value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
                )
            elif isinstance(value, float) and value.is_integer():
                values.append(str(int(value)))
            else:
                values.append(str(value))
        rows.append(values)
    workbook.close()
    return rows
