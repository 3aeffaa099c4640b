"""Importing projects from the CSV or XLSX template: check every row, then write all or none.

The check reads the reference data, the projects the file names and the managers it names once
for the whole file, then checks each row in memory: no query per row. Every problem is
reported with its row, its column, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from tracker.config import Settings
from tracker.formats import Text, listed
from tracker.inputs import CONTROL, bad_character
from tracker.kept_text import keep
from tracker.locales import N_
from tracker.services.accounts.permissions import Principal
from tracker.services.errors import InputError
from tracker.services.exchange.files import (
    MAX_COLUMNS,
    FileRefused,
    Table,
    check_size,
    printable,
    read_csv,
    read_csv_header,
    read_xlsx,
)
from tracker.services.exchange.plans import (
    MAX_AMOUNT,
    Catalogue,
    KnownCode,
    ProjectPlan,
    TagPlan,
    places_of,
)
from tracker.services.exchange.spreadsheet.columns import (
    COLUMNS,
    REQUIRED,
    parse_places,
    parse_tags,
)
from tracker.services.exchange.writer import write_plans
from tracker.services.projects import edit as project_edit
from tracker.services.projects.edit import plain
from tracker.services.projects.tagging import SIGNIFICANCE

Progress = Callable[[int, int], None]
MAX_PROBLEMS = 1_000  # problems a report lists; it counts them all
PROJECT_FIELDS = ("code", "title", "summary", "budget_currency", "donor", "programme")
LINE_BREAKS_ALLOWED = frozenset({"summary", "title", "donor"})


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str

    def render(self) -> str:
        value = f' "{self.value[:60]}"' if self.value else ""
        return f"row {self.row}, column {self.column}{value}: {self.message}"

    def public(self) -> dict:
        """As a report keeps it: the message in English (ImportReport keeps it as a Text beside,
        in problem_texts, for pages to say)."""
        return {**self.__dict__, "message": str(self.message)}


@dataclass
class ImportReport:
    rows: int = 0
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    refused: str | None = None
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.problem_count

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems += problems[:room]

    def public(self) -> dict:
        return {
            "rows": self.rows,
            "creates": self.creates,
            "updates": self.updates,
            "problems": [p.public() for p in self.problems],
            "problem_texts": [keep(p.message) for p in self.problems],
            "problem_count": self.problem_count,
            "refused": str(self.refused) if self.refused is not None else None,
            "refused_text": keep(self.refused),
            "committed": self.committed,
        }


# Reading -----------------------------------------------------------------------------------


def _kind(filename: str, content: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise FileRefused(
        Text(N_("use the CSV or XLSX template: the file's name ends neither in .csv nor .xlsx"))
    )


def _check_header(header: list[str]) -> None:
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    parts: list = []
    if unknown:
        named = ", ".join(unknown[:10])
        if len(unknown) > 10:
            named = Text(
                N_("%(columns)s and %(count)s more"), columns=named, count=len(unknown) - 10
            )
        if len(header) >= MAX_COLUMNS:
            named = Text(
                N_(
                    "%(columns)s (the header has more than %(most)s columns; the template has "
                    "%(count)s)"
                ),
                columns=named,
                most=MAX_COLUMNS,
                count=len(COLUMNS),
            )
        parts.append(Text(N_("unknown column %(columns)s"), columns=named))
    if missing:
        parts.append(Text(N_("missing column %(columns)s"), columns=", ".join(missing)))
    if twice:
        parts.append(Text(N_("column %(columns)s appears twice"), columns=", ".join(twice)))
    if parts:
        raise FileRefused(
            Text(
                N_("%(problems)s. The columns are: %(columns)s"),
                problems=listed(parts, clauses=True),
                columns=", ".join(COLUMNS),
            )
        )


def inspect_file(*, filename: str, content: bytes, settings: Settings) -> None:
    """The checks that need only the start of a file (its size, its kind, its zip structure,
    its header), made before an upload is kept; FileRefused says what is wrong."""
    check_size(content, settings)
    if _kind(filename, content) == "xlsx":
        table = read_xlsx(content, settings, header_only=True)
    else:
        table = read_csv_header(content)
    _check_header(table.header)


def read_table(*, filename: str, content: bytes, settings: Settings) -> Table:
    """The rows of a CSV or XLSX file; FileRefused when unsafe or unreadable."""
    check_size(content, settings)
    if _kind(filename, content) == "xlsx":
        table = read_xlsx(content, settings)
    else:
        table = read_csv(content)
    _check_header(table.header)
    return table


# Checking ----------------------------------------------------------------------------------


def _decimal(text: str, *, limit: Decimal, example: str) -> tuple[Decimal | None, str | None]:
    """A number typed in a cell, in ASCII digits, at least 0, at most `limit`, with cents."""
    if not text.isascii():
        return None, Text(
            N_("must be written with the digits 0 to 9, such as %(example)s"), example=example
        )
    try:
        number = Decimal(text.replace(",", "").replace(" ", "").strip())
    except InvalidOperation:
        return None, Text(
            N_('"%(value)s" is not a number; use digits, such as %(example)s'),
            value=printable(text, 40),
            example=example,
        )
    if not number.is_finite():
        return None, Text(N_("must be a number, such as %(example)s"), example=example)
    if number < 0:
        return None, Text(N_("must not be negative"))
    if number > limit:
        return None, Text(N_("must be at most %(most)s"), most=plain(limit))
    if number != number.quantize(Decimal("0.01")):
        return None, Text(N_("may have at most two decimal places"))
    return number.quantize(Decimal("0.01")), None


def _tags(kind: str, text: str, n: int, catalogue: Catalogue, problems: list) -> list[TagPlan]:
    column, items = f"{kind}s", (catalogue.objectives if kind == "objective" else catalogue.themes)
    plans, seen, total = [], set(), Decimal(0)
    for parsed in parse_tags(text):
        if isinstance(parsed, str):
            problems.append(
                Problem(
                    n,
                    column,
                    printable(parsed, 100),
                    Text(
                        N_(
                            "write each tag as a code, principal or significant, "
                            "and an optional share: 4.2 principal 60"
                        )
                    ),
                )
            )
            continue
        code, significance, share_text = parsed
        shown = printable(f"{code} {significance}", 100)
        item = items.get(code)
        if item is None:
            example = "4.2" if kind == "objective" else "III"
            problems.append(
                Problem(
                    n,
                    column,
                    shown,
                    Text(
                        N_(
                            'unknown objective "%(value)s"; use a code of the framework such as '
                            "%(example)s"
                        )
                        if kind == "objective"
                        else N_(
                            'unknown theme "%(value)s"; use a code of the framework such as '
                            "%(example)s"
                        ),
                        value=printable(code, 20),
                        example=example,
                    ),
                )
            )
            continue
        share = None
        if share_text is not None:
            share, error = _decimal(share_text, limit=Decimal(100), example="40")
            if error:
                problems.append(
                    Problem(n, column, shown, Text(N_("budget share %(problem)s"), problem=error))
                )
                continue
        if code in seen:
            problems.append(
                Problem(n, column, shown, Text(N_('"%(code)s" is listed twice'), code=code))
            )
            continue
        seen.add(code)
        total += share or 0
        plans.append(TagPlan(item, SIGNIFICANCE[significance], share))
    if total > 100:
        problems.append(
            Problem(
                n,
                column,
                printable(text, 100),
                Text(N_("budget shares add up to %(total)s%%; at most 100"), total=plain(total)),
            )
        )
    return plans


def _places(text: str, n: int, problems: list) -> list[project_edit.LocationInput]:
    out = []
    for place, pct in parse_places(text):
        if pct is not None and not pct.isascii():
            problems.append(
                Problem(
                    n,
                    "locations",
                    printable(text, 100),
                    Text(
                        N_("%(place)s: the percentage must be written with the digits 0 to 9"),
                        place=place,
                    ),
                )
            )
            pct = None
        out.append(project_edit.LocationInput(place, pct))
    return out


def _control_characters(n: int, values: dict[str, str], problems: list) -> set[str]:
    bad = set()
    for column, value in values.items():
        if bad_character(value, allow_line_breaks=column in LINE_BREAKS_ALLOWED):
            problems.append(Problem(n, column, printable(value, 100), CONTROL))
            bad.add(column)
    return bad


def _project(
    n: int, values: dict[str, str], catalogue: Catalogue, principal: Principal, session, problems
) -> project_edit.ValidProject | None:
    budget = values.get("budget_amount", "")
    if budget:
        _, error = _decimal(budget, limit=MAX_AMOUNT, example="250000.50")
        if error:
            problems.append(Problem(n, "budget_amount", printable(budget, 100), error))
    data = project_edit.ProjectInput(
        **{k: values.get(k, "") for k in PROJECT_FIELDS},
        kind=values.get("kind") or "capacity_building",
        status=values.get("status") or "pipeline",
        start_date=values.get("start_date") or None,
        end_date=values.get("end_date") or None,
        budget_amount=budget if budget.isascii() else None,
        locations=_places(values.get("locations", ""), n, problems),
    )
    code = values.get("code", "")
    flagged = {p.column for p in problems}
    try:
        valid = project_edit.validate_project(
            session=session,
            data=data,
            principal=principal,
            current=KnownCode(code),  # whether the code is taken is known from the catalogue
            lookups=catalogue.lookups,
        )
    except InputError as exc:
        for column, message in exc.errors.items():
            if column not in flagged:  # a cell already reported is reported once
                problems.append(Problem(n, column, printable(values.get(column, ""), 100), message))
        return None
    manager = values.get("manager", "").strip().lower()
    if manager:
        manager_id = catalogue.managers.get(manager)
        if manager_id is None:
            problems.append(
                Problem(
                    n,
                    "manager",
                    printable(manager, 100),
                    Text(N_("must be the email of an active manager or administrator")),
                )
            )
            return None
        valid.values["manager_id"] = manager_id
    return valid


def _check_row(n, values, catalogue, principal, session, seen) -> tuple[list, ProjectPlan | None]:
    problems: list[Problem] = []
    bad = _control_characters(n, values, problems)
    code = values.get("code", "")
    if code in seen:
        problems.append(
            Problem(
                n,
                "code",
                printable(code),
                Text(N_("already in row %(row)s; a code appears once"), row=seen[code]),
            )
        )
    seen.setdefault(code, n)
    existing, allowed = catalogue.stored(code, principal)
    if not allowed:
        problems.append(
            Problem(
                n,
                "code",
                printable(code),
                Text(N_("you cannot change projects of this programme")),
            )
        )
    valid = _project(n, values, catalogue, principal, session, problems)
    objectives = _tags("objective", values.get("objectives", ""), n, catalogue, problems)
    themes = _tags("theme", values.get("themes", ""), n, catalogue, problems)
    screened = None
    if values.get("screened"):
        try:
            screened = date.fromisoformat(values["screened"])
        except ValueError:
            problems.append(
                Problem(
                    n,
                    "screened",
                    printable(values["screened"]),
                    Text(N_("must be a date such as 2026-03-12, or empty")),
                )
            )
    if bad:  # a cell with a NUL byte is reported once, as that
        problems = [p for p in problems if p.column not in bad or p.message == CONTROL]
    if problems or valid is None:
        return problems, None
    plan = ProjectPlan(
        label=Text(N_("row %(row)s"), row=n),
        values=valid.values,
        locations=valid.locations,
        places=places_of(catalogue.lookups, valid.locations),
        objectives=objectives,
        themes=themes,
        screened=screened,
        existing=existing,
    )
    return problems, plan


def check_rows(
    *,
    session: Session,
    table: Table,
    principal: Principal,
    progress: Progress | None = None,
) -> tuple[ImportReport, list[ProjectPlan], Catalogue]:
    """Every row checked; the plans to write when the report has no problem, and what they
    were checked against."""
    header = table.header
    rows = [
        (n, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h})
        for n, cells in table.rows
    ]
    catalogue = Catalogue.load(
        session,
        codes=[values.get("code", "") for _, values in rows],
        emails=[values.get("manager", "") for _, values in rows],
    )
    report, plans = ImportReport(rows=len(rows)), []
    seen: dict[str, int] = {}
    for i, (n, values) in enumerate(rows, start=1):
        problems, plan = _check_row(n, values, catalogue, principal, session, seen)
        if n in table.extra:
            column, value = table.extra[n]
            problems.append(
                Problem(
                    n,
                    str(column),
                    printable(value, 100),
                    Text(
                        N_("is to the right of the last column (%(last)s); leave it empty"),
                        last=header[-1],
                    ),
                )
            )
            plan = None
        report.add(problems)
        if plan is not None:
            plans.append(plan)
        code = values.get("code", "")
        (report.updates if code in catalogue.existing else report.creates).append(printable(code))
        if progress:
            progress(i, len(rows))
    return report, plans, catalogue


def check_file(
    *,
    session: Session,
    filename: str,
    content: bytes,
    principal: Principal,
    settings: Settings,
    progress: Progress | None = None,
) -> tuple[ImportReport, list[ProjectPlan], Catalogue | None]:
    """Read and check a whole file; nothing is written."""
    try:
        table = read_table(filename=filename, content=content, settings=settings)
    except FileRefused as exc:
        return ImportReport(refused=exc.args[0] if exc.args else str(exc)), [], None
    return check_rows(session=session, table=table, principal=principal, progress=progress)


def import_spreadsheet(
    *,
    session: Session,
    filename: str,
    content: bytes,
    principal: Principal,
    settings: Settings,
    commit: bool,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a file; with commit and no problem, write every row in the caller's transaction
    (the caller commits). Writes nothing otherwise. The web app's imports write in batches
    instead: see tracker.services.exchange.runner."""
    report, plans, catalogue = check_file(
        session=session,
        filename=filename,
        content=content,
        principal=principal,
        settings=settings,
        progress=progress,
    )
    if commit and report.ok:
        write_plans(session=session, plans=plans, principal=principal, catalogue=catalogue)
        report.committed = True
    return report
