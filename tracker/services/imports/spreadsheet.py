"""Importing projects from the CSV or XLSX template: check every row, then write all or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import Project
from tracker.services import project_edit, tagging
from tracker.services.errors import InputError
from tracker.services.imports.files import (
    FileRefused,
    check_size,
    read_csv,
    read_xlsx,
    refuse_formulas,
)
from tracker.services.permissions import Principal
from tracker.services.project_edit import plain
from tracker.services.spreadsheet_format import COLUMNS, REQUIRED, parse_places, parse_tags

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    message: str

    def render(self) -> str:
        value = f' "{self.value[:60]}"' if self.value else ""
        return f"row {self.row}, column {self.column}{value}: {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refused: str | None = None
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.problems

    def public(self) -> dict:
        return {
            "rows": self.rows,
            "creates": self.creates,
            "updates": self.updates,
            "problems": [p.__dict__ for p in self.problems],
            "refused": self.refused,
            "committed": self.committed,
        }


@dataclass
class _Plan:
    row: int
    data: project_edit.ProjectInput
    objectives: list[tagging.TagChange]
    themes: list[tagging.TagChange]
    screened: date | None
    existing: Project | None


def read_table(*, filename: str, content: bytes, settings: Settings) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file as dicts by column; FileRefused when unsafe or unreadable."""
    check_size(content, settings)
    name = filename.lower()
    if name.endswith(".xlsx") or content.startswith(b"PK\x03\x04"):
        table = read_xlsx(content, settings)
    elif name.endswith((".csv", ".txt")):
        table = read_csv(content)
    else:
        raise FileRefused(
            "use the CSV or XLSX template: the file's name ends neither in .csv nor .xlsx"
        )
    table = [row for row in table if any(cell.strip() for cell in row)]
    if not table:
        raise FileRefused("the file is empty")
    header = [cell.strip().lower() for cell in table[0]]
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown column {', '.join(unknown)}")
        if missing:
            parts.append(f"missing column {', '.join(missing)}")
        raise FileRefused("; ".join(parts) + f". The columns are: {', '.join(COLUMNS)}")
    refuse_formulas(table[1:], header)
    return [
        {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}
        for row in table[1:]
    ]


def _tag_changes(
    kind: str, text: str, row: int, problems: list[Problem]
) -> list[tagging.TagChange]:
    changes = []
    for item in parse_tags(text):
        if isinstance(item, str):
            problems.append(
                Problem(
                    row,
                    f"{kind}s",
                    item,
                    "write each tag as a code, principal or significant, "
                    "and an optional share: 4.2 principal 60",
                )
            )
            continue
        code, significance, share = item
        changes.append(tagging.TagChange(kind, code, significance, share))
    return changes


def check_rows(
    *,
    session: Session,
    rows: list[dict[str, str]],
    principal: Principal,
    progress: Progress | None = None,
) -> tuple[ImportReport, list[_Plan]]:
    report, plans = ImportReport(rows=len(rows)), []
    seen: dict[str, int] = {}
    # Read once for the whole file, not once a row.
    lookups = project_edit.Lookups.load(session)
    codes = [values.get("code", "") for values in rows]
    existing_by_code = {
        p.code: p for p in session.exec(select(Project).where(Project.code.in_(codes)))
    }
    for n, values in enumerate(rows, start=2):  # row 1 is the header
        problems: list[Problem] = []
        code = values.get("code", "")
        if code in seen:
            problems.append(
                Problem(n, "code", code, f"already in row {seen[code]}; a code appears once")
            )
        seen.setdefault(code, n)
        existing = existing_by_code.get(code)
        data = project_edit.ProjectInput(
            **{
                k: values.get(k, "")
                for k in (
                    "code",
                    "title",
                    "summary",
                    "budget_currency",
                    "donor",
                    "programme",
                    "manager",
                )
            },
            kind=values.get("kind") or "capacity_building",
            status=values.get("status") or "pipeline",
            start_date=values.get("start_date") or None,
            end_date=values.get("end_date") or None,
            budget_amount=values.get("budget_amount") or None,
            locations=[
                project_edit.LocationInput(p, pct)
                for p, pct in parse_places(values.get("locations", ""))
            ],
        )
        try:
            project_edit.validate_project(
                session=session, data=data, principal=principal, current=existing, lookups=lookups
            )
        except InputError as exc:
            for column, message in exc.errors.items():
                shown = values.get(column, "")
                problems.append(Problem(n, column, shown, message))
        objectives = _tag_changes("objective", values.get("objectives", ""), n, problems)
        themes = _tag_changes("theme", values.get("themes", ""), n, problems)
        for kind, changes in (("objective", objectives), ("theme", themes)):
            total = 0
            for change in changes:
                try:
                    _, _, share, _ = tagging.validate_tag(
                        session, existing or Project(), change, against_stored=False
                    )
                    total += share or 0
                except InputError as exc:
                    for message in exc.errors.values():
                        problems.append(
                            Problem(n, f"{kind}s", f"{change.code} {change.significance}", message)
                        )
            if total > 100:
                problems.append(
                    Problem(
                        n,
                        f"{kind}s",
                        values.get(f"{kind}s", ""),
                        f"budget shares add up to {plain(total)}%; at most 100",
                    )
                )
        screened = None
        if values.get("screened"):
            try:
                screened = date.fromisoformat(values["screened"])
            except ValueError:
                problems.append(
                    Problem(
                        n,
                        "screened",
                        values["screened"],
                        "must be a date such as 2026-03-12, or empty",
                    )
                )
        report.problems += problems
        plans.append(_Plan(n, data, objectives, themes, screened, existing))
        (report.updates if existing else report.creates).append(code)
        if progress:
            progress(n - 1, len(rows))
    return report, plans


def apply_plans(
    *, session: Session, plans: list[_Plan], principal: Principal, progress: Progress | None = None
) -> None:
    """Write every row in the caller's transaction; the caller commits or rolls back."""
    lookups = project_edit.Lookups.load(session)
    for i, plan in enumerate(plans, start=1):
        if plan.existing is None:
            project = project_edit.create_project(
                session=session, data=plan.data, principal=principal, lookups=lookups
            )
        else:
            project = plan.existing
            project_edit.update_project(
                session=session,
                project=project,
                data=plan.data,
                expected_version=project.version,
                principal=principal,
                lookups=lookups,
            )
        tagging.replace_tags(
            session=session,
            project=project,
            objectives=plan.objectives,
            themes=plan.themes,
            expected_version=project.version,
            principal=principal,
        )
        if plan.screened:
            screened_at = datetime.combine(plan.screened, time(12), tzinfo=UTC)
            if project.screened_at is None or project.screened_at.date() != plan.screened:
                project_edit.bump_version(
                    session, project, project.version, screened_at=screened_at
                )
        if progress:
            progress(i, len(plans))


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
    """Check a file; with commit and no problem, write every row. Writes nothing otherwise."""
    try:
        rows = read_table(filename=filename, content=content, settings=settings)
    except FileRefused as exc:
        return ImportReport(refused=str(exc))
    report, plans = check_rows(session=session, rows=rows, principal=principal, progress=progress)
    if commit and report.ok:
        apply_plans(session=session, plans=plans, principal=principal, progress=progress)
        report.committed = True
    return report
