"""Files for tests: spreadsheets written row by row, IATI documents, hostile files, and a
folder to run the Makefile in."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
import time
import zipfile
from pathlib import Path

from tracker.config import PROJECT_ROOT
from tracker.services import schema
from tracker.services.exchange.spreadsheet.columns import COLUMNS, EXAMPLE
from tracker.services.exchange.spreadsheet.write import template_xlsx

# Spreadsheets


def spreadsheet_csv(rows: list[dict]) -> bytes:
    """A projects spreadsheet as CSV: the template's columns, each row's cells under them
    (missing ones empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode()


ARABIC_DATE = "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661"  # 2026-01-01


def hostile_rows() -> bytes:
    """One row per hostile value, each in a column of the template; one row 10,000 cells wide."""
    rows = [
        {**EXAMPLE, "code": "H-02", "title": "Nul\x00byte in the title"},
        {**EXAMPLE, "code": "H-03", "budget_amount": "²"},
        {**EXAMPLE, "code": "H-04", "locations": "KE:\u0663\u0663; UG:67"},
        {**EXAMPLE, "code": "H-05", "objectives": "4.2 principal \u0665\u0660"},
        {**EXAMPLE, "code": "H-06", "budget_amount": "2147483648000000"},
        {**EXAMPLE, "code": "H-07", "locations": "KE:2147483648"},
        {**EXAMPLE, "code": "H-08", "objectives": "4.2 principal 99999999999"},
        {**EXAMPLE, "code": "H-09"},
        {**EXAMPLE, "code": "H-10", "title": "T" * 100_000},
        {**EXAMPLE, "code": "H\x01-11"},
        {**EXAMPLE, "code": "H-12", "budget_amount": "100000000000000"},
        {**EXAMPLE, "code": "H-13", "screened": ARABIC_DATE},
    ]
    content = spreadsheet_csv(rows).decode()
    lines = content.split("\r\n")
    lines[8] += "," + ",".join(["x"] * 10_000)  # row 9: 10,000 cells past the header
    return "\r\n".join(lines).encode()


# What the check says of each row of `hostile_rows`, by row and column.
HOSTILE_ROW_PROBLEMS = {
    (2, "title"): "must not contain control characters (such as a NUL byte)",
    (3, "budget_amount"): "must be written with the digits 0 to 9, such as 250000.50",
    (4, "locations"): "KE: the percentage must be written with the digits 0 to 9",
    (5, "objectives"): "budget share must be written with the digits 0 to 9, such as 40",
    (6, "budget_amount"): "must be at most 99999999999999.99",
    (7, "locations"): (
        "KE: percentage must be a number from 0 to 100 with at most two decimal places, "
        "written in digits 0-9 such as 40.5"
    ),
    (8, "objectives"): "budget share must be at most 100",
    (9, "17"): "is to the right of the last column (screened); leave it empty",
    (10, "title"): "must be at most 200 characters (it has 100,000)",
    (11, "code"): "must not contain control characters (such as a NUL byte)",
    (12, "budget_amount"): "must be at most 99999999999999.99",
    (13, "screened"): "must be a date such as 2026-03-12, or empty",
}


def zip_bomb() -> bytes:
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


# IATI

# Four activities: two that map (with SDG tags, budgets, a region), one with an unknown
# status and one in a currency the tracker has no rate for.
IATI_SEVERAL = b"""<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2026-11-01T00:00:00Z">
 <iati-activity xml:lang="fr" default-currency="EUR">
  <iati-identifier>XM-EX-1-CYBER</iati-identifier>
  <reporting-org ref="XM-EX-1" type="40"><narrative>Example</narrative></reporting-org>
  <title><narrative>Formation cyber</narrative>
   <narrative xml:lang="en">Cyber training</narrative></title>
  <description type="1"><narrative xml:lang="en">Trains cybercrime units.</narrative></description>
  <participating-org role="1"><narrative>Example donor</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date iso-date="2026-01-01" type="1"/>
  <activity-date iso-date="2026-02-01" type="2"/>
  <activity-date iso-date="2027-12-31" type="3"/>
  <recipient-country code="KE" percentage="50"/>
  <recipient-country code="SN" percentage="50"/>
  <tag vocabulary="2" code="16"/>
  <tag vocabulary="3" code="16.4"/>
  <budget type="1" status="1"><period-start iso-date="2026-01-01"/>
   <period-end iso-date="2026-12-31"/>
   <value currency="EUR" value-date="2026-01-01">100000</value></budget>
  <budget type="2" status="1"><period-start iso-date="2026-01-01"/>
   <period-end iso-date="2026-12-31"/>
   <value currency="EUR" value-date="2026-06-01">120000</value></budget>
  <budget type="1" status="1"><period-start iso-date="2027-01-01"/>
   <period-end iso-date="2027-12-31"/><value value-date="2027-01-01">80000</value></budget>
 </iati-activity>
 <iati-activity default-currency="USD">
  <iati-identifier>XM-EX-1-BORDER</iati-identifier>
  <reporting-org ref="XM-EX-1" type="40"><narrative>Example</narrative></reporting-org>
  <title><narrative>Border management</narrative></title>
  <description><narrative>Border checks.</narrative></description>
  <participating-org role="4"><narrative>Implementer</narrative></participating-org>
  <activity-status code="4"/>
  <activity-date iso-date="2024-01-01" type="2"/>
  <activity-date iso-date="2025-06-30" type="4"/>
  <recipient-region code="289" vocabulary="1"/>
  <tag vocabulary="2" code="5"/>
  <budget type="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2025-06-30"/>
   <value>50000</value></budget>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XM-EX-1-BROKEN</iati-identifier>
  <title><narrative>No status</narrative></title>
  <activity-status code="9"/>
 </iati-activity>
 <iati-activity default-currency="XYZ">
  <iati-identifier>XM-EX-1-MONEY</iati-identifier>
  <title><narrative>Odd money</narrative></title>
  <activity-status code="2"/>
  <budget type="1"><period-start iso-date="2026-01-01"/><period-end iso-date="2026-12-31"/>
   <value>1</value></budget>
 </iati-activity>
</iati-activities>"""

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


# A folder to run the Makefile in

TRACKER = Path(sys.executable).with_name("tracker")
STAND_IN = f"""#!/bin/sh
case "$1" in
  setup) exit 0 ;;
  serve) shift; exec "{TRACKER}" serve "$@" ;;
  *) exit 2 ;;
esac
"""


def make_run_folder(folder: Path) -> Path:
    """The project's Makefile in `folder`, with a stand-in virtual environment whose `tracker
    setup` does nothing and whose `tracker serve` is the real one, and a migrated database."""
    shutil.copy(PROJECT_ROOT / "Makefile", folder / "Makefile")
    (folder / "pyproject.toml").write_text("")
    venv = folder / "venv"
    (venv / "bin").mkdir(parents=True)
    tracker = venv / "bin" / "tracker"
    tracker.write_text(STAND_IN)
    tracker.chmod(0o755)
    past = time.time() - 60
    os.utime(folder / "pyproject.toml", (past, past))
    for marker in (".python-ok", ".installed-run"):
        (venv / marker).touch()
    schema.upgrade(database_url=f"sqlite:///{folder / 'tracker.db'}")
    return folder
