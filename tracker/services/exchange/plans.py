"""What an import will write, worked out in memory before anything is written, and the
reference data every row of a file is checked against, read once for the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from tracker.models import Objective, Project, Role, Theme, User
from tracker.services.audit.record import place_label
from tracker.services.coverage.filters import active_framework_id
from tracker.services.projects import edit as project_edit

# The most a budget column holds (Numeric(16, 2)): 14 digits before the point.
MAX_AMOUNT = Decimal("99999999999999.99")


@dataclass(frozen=True)
class Item:
    """An objective or theme of the active framework."""

    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Existing:
    """A project already stored under a code the file names."""

    id: int
    version: int
    programme_id: int


@dataclass(frozen=True)
class Catalogue:
    lookups: project_edit.Lookups
    objectives: dict[str, Item]
    themes: dict[str, Item]
    managers: dict[str, int | None]  # email -> user id, or None when not an active editor
    existing: dict[str, Existing]

    def stored(self, code: str, principal) -> tuple[Existing | None, bool]:
        """The stored project with this code, which the import updates (None: it creates one),
        and whether `principal` may change it. Both importers match rows to projects here."""
        existing = self.existing.get(code)
        allowed = existing is None or principal.can_edit_programme(existing.programme_id)
        return existing, allowed

    @property
    def programme_codes(self) -> dict[int, str]:
        return {p.id: code for code, p in self.lookups.programmes.items()}

    @classmethod
    def load(cls, session: Session, *, codes: list[str], emails: list[str] = ()) -> Catalogue:
        """Everything a file's rows are checked against, in a handful of queries."""
        framework_id = active_framework_id(session)
        objectives = {
            code: Item(id, code, short_name or statement)
            for id, code, short_name, statement in session.exec(
                select(
                    Objective.id, Objective.code, Objective.short_name, Objective.statement
                ).where(Objective.framework_id == framework_id)
            )
        }
        themes = {
            code: Item(id, code, name)
            for id, code, name in session.exec(
                select(Theme.id, Theme.code, Theme.name).where(Theme.framework_id == framework_id)
            )
        }
        existing: dict[str, Existing] = {}
        wanted = sorted({c for c in codes if c})
        for start in range(0, len(wanted), 1000):
            for id, code, version, programme_id in session.exec(
                select(Project.id, Project.code, Project.version, Project.programme_id).where(
                    Project.code.in_(wanted[start : start + 1000])
                )
            ):
                existing[code] = Existing(id, version, programme_id)
        managers: dict[str, int | None] = {}
        emails = sorted({e.strip().lower() for e in emails if e.strip()})
        for start in range(0, len(emails), 1000):
            for id, email, active, role in session.exec(
                select(User.id, User.email, User.active, User.role).where(
                    User.email.in_(emails[start : start + 1000])
                )
            ):
                managers[email] = id if active and role != Role.viewer else None
        return cls(
            lookups=project_edit.Lookups.load(session),
            objectives=objectives,
            themes=themes,
            managers=managers,
            existing=existing,
        )


@dataclass(frozen=True)
class TagPlan:
    item: Item
    significance: int
    share: Decimal | None


@dataclass
class ProjectPlan:
    """One project as it will be written: its checked values, places and tags. Tags, SDGs,
    sectors or related activities that are None are left as they are."""

    label: str  # "row 12", or an IATI identifier
    values: dict[str, Any]  # project_edit.ValidProject.values
    locations: list[tuple[int | None, int | None, Decimal | None]]
    places: list[str]  # the places as the audit log shows them: KE 60%
    objectives: list[TagPlan] | None
    themes: list[TagPlan] | None
    sdgs: list[tuple[int, str]] | None = None
    # IATI: DAC sectors (code, percentage) and the activities of its publisher's hierarchy
    # (relation, identifier, title)
    sectors: list[tuple[str, Decimal | None]] | None = None
    related: list[tuple[int, str, str | None]] | None = None
    screened: date | None = None
    existing: Existing | None = None
    notes: list[str] = field(default_factory=list)  # what was left out or changed, and why

    @property
    def code(self) -> str:
        return self.values["code"]


def places_of(lookups: project_edit.Lookups, locations) -> list[str]:
    """The places as the project's audit events show them (`place_label`)."""
    codes, region_codes = lookups.country_codes, lookups.region_codes
    return [
        place_label(codes[country_id] if country_id is not None else region_codes[region_id], pct)
        for country_id, region_id, pct in locations
    ]


class KnownCode:
    """Stands for a project whose code is known to be free (or its own) when a row is checked:
    `validate_project` then does not ask the database about it row by row."""

    def __init__(self, code: str):
        self.code = code
