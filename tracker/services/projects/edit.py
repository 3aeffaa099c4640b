"""Registering, changing and deleting projects, with their places.

Forms and the JSON API both call these functions. Every problem is reported at once, naming
the field and what is allowed; nothing is stored unless everything is right; a change made
on a stale version is refused with who changed the project since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, select

from tracker.models import (
    AuditEvent,
    Country,
    Currency,
    Programme,
    Project,
    ProjectKind,
    ProjectLocation,
    ProjectStatus,
    Region,
    User,
)
from tracker.models._base import utcnow
from tracker.services.accounts.permissions import Principal, require_can_edit
from tracker.services.audit.record import record_project
from tracker.services.errors import Conflict, InputError, NotFound

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
LIMITS = {"code": 40, "title": 200, "summary": 5000, "donor": 200}
MAX_BUDGET = Decimal("99999999999999.99")  # what Numeric(16, 2) holds
MAX_LOCATIONS = 60


@dataclass
class LocationInput:
    place: str  # a country (ISO alpha-2) or region code
    percentage: str | Decimal | None = None


@dataclass
class ProjectInput:
    """What a person typed, as text; validated by `validate_project`."""

    code: str = ""
    title: str = ""
    summary: str = ""
    kind: str = ProjectKind.capacity_building.value
    status: str = ProjectStatus.pipeline.value
    start_date: str | date | None = None
    end_date: str | date | None = None
    budget_amount: str | Decimal | int | None = None
    budget_currency: str = ""
    donor: str = ""
    programme: str = ""
    manager: str = ""  # email of the project manager, optional
    locations: list[LocationInput] = field(default_factory=list)


@dataclass(frozen=True)
class ValidProject:
    values: dict[str, Any]
    locations: list[tuple[int | None, int | None, Decimal | None]]  # country, region, pct


class StaleVersion(Conflict):
    def __init__(self, code: str, changed_by: str, changed_at):
        self.changed_by, self.changed_at = changed_by, changed_at
        when = changed_at.strftime("%-d %b %Y %H:%M UTC") if changed_at else "recently"
        super().__init__(
            f"{changed_by} changed project {code} on {when}, after you opened it. Nothing was "
            "saved: reload to see their changes, then make yours again."
        )


def plain(number: Decimal) -> str:
    """60.00 as 60, 62.50 as 62.5."""
    return format(Decimal(number).normalize(), "f")


def _text(value, name: str, errors: dict, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        errors[name] = "is required"
    elif len(text) > LIMITS[name]:
        errors[name] = f"must be at most {LIMITS[name]:,} characters (it has {len(text):,})"
    return text


def _date(value, name: str, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = f'"{str(value)[:40]}" is not a date; use the form 2026-03-12'
        return None


def _decimal(value, name: str, errors: dict, *, limit: Decimal, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace(" ", "").strip())
    except InvalidOperation:
        errors[name] = f'"{str(value)[:40]}" is not a number; use digits, such as {what}'
        return None
    if not number.is_finite():
        errors[name] = f"must be a number, such as {what}"
    elif number < 0:
        errors[name] = "must not be negative"
    elif number > limit:
        errors[name] = f"must be at most {limit:,.0f}"
    elif number != number.quantize(Decimal("0.01")):
        errors[name] = "may have at most two decimal places"
    else:
        return number.quantize(Decimal("0.01"))
    return None


@dataclass(frozen=True)
class Lookups:
    """The reference lists a project is checked against, read once: an import of thousands
    of rows checks every row against the same lists."""

    currencies: frozenset[str]
    programmes: dict[str, Programme]
    countries: dict[str, int]
    regions: dict[str, int]

    @classmethod
    def load(cls, session: Session) -> Lookups:
        return cls(
            currencies=frozenset(session.exec(select(Currency.code))),
            programmes={p.code: p for p in session.exec(select(Programme))},
            countries=dict(session.exec(select(Country.code, Country.id)).all()),
            regions=dict(session.exec(select(Region.code, Region.id)).all()),
        )


def _code_taken(session: Session, code: str) -> bool:
    return session.exec(select(Project.id).where(Project.code == code)).first() is not None


def validate_project(
    *,
    session: Session,
    data: ProjectInput,
    principal: Principal,
    current: Project | None = None,
    lookups: Lookups | None = None,
) -> ValidProject:
    lookups = lookups or Lookups.load(session)
    errors: dict[str, str] = {}
    code = _text(data.code, "code", errors, required=True)
    renamed = current is None or current.code != code
    if code and "code" not in errors and not CODE_PATTERN.match(code):
        errors["code"] = "may hold letters, digits and . _ / - only, such as CYB-2026-0042"
    elif code and "code" not in errors and renamed and _code_taken(session, code):
        errors["code"] = f'"{code}" is already used by another project; codes are unique'
    title = _text(data.title, "title", errors, required=True)
    summary = _text(data.summary, "summary", errors)
    donor = _text(data.donor, "donor", errors)

    kinds = [k.value for k in ProjectKind]
    if data.kind not in kinds:
        errors["kind"] = f'unknown kind "{str(data.kind)[:40]}"; allowed: {", ".join(kinds)}'
    statuses = [s.value for s in ProjectStatus]
    if data.status not in statuses:
        errors["status"] = (
            f'unknown status "{str(data.status)[:40]}"; allowed: {", ".join(statuses)}'
        )

    start, end = (
        _date(data.start_date, "start_date", errors),
        _date(data.end_date, "end_date", errors),
    )
    if start and end and end < start:
        errors["end_date"] = f"must not be before the start date ({start:%-d %b %Y})"

    amount = _decimal(data.budget_amount, "budget_amount", errors, limit=MAX_BUDGET, what="250000")
    currency = (data.budget_currency or "").strip().upper()
    currencies = lookups.currencies
    if currency and currency not in currencies:
        errors["budget_currency"] = (
            f'unknown currency "{currency[:10]}"; allowed: {", ".join(sorted(currencies))}'
        )
    elif amount is not None and not currency:
        errors["budget_currency"] = "choose the currency of the budget"

    programmes = lookups.programmes
    programme = programmes.get((data.programme or "").strip())
    if programme is None:
        known = ", ".join(sorted(programmes))
        errors["programme"] = (
            f'unknown programme "{str(data.programme)[:40]}"; allowed: {known}'
            if data.programme
            else "choose the programme the project belongs to"
        )
    else:
        # A programme the person may not change is refused as editing it is (403), not as
        # a mistake in the form: the form offers only their own.
        require_can_edit(principal, programme)

    manager_id = None
    if (data.manager or "").strip():
        manager = session.exec(
            select(User).where(User.email == data.manager.strip().lower())
        ).first()
        if manager is None or not manager.active or manager.role == "viewer":
            errors["manager"] = "must be the email of an active manager or administrator"
        else:
            manager_id = manager.id

    locations = _locations(lookups, data.locations, errors)
    if errors:
        raise InputError(errors)
    return ValidProject(
        values={
            "code": code,
            "title": title,
            "summary": summary or None,
            "kind": data.kind,
            "status": data.status,
            "start_date": start,
            "end_date": end,
            "budget_amount": amount,
            "budget_currency": currency or None,
            "donor": donor or None,
            "programme_id": programme.id,
            "manager_id": manager_id,
        },
        locations=locations,
    )


def _locations(lookups: Lookups, items: list[LocationInput], errors: dict):
    chosen = [i for i in items if (i.place or "").strip() or str(i.percentage or "").strip()]
    if len(chosen) > MAX_LOCATIONS:
        errors["locations"] = f"at most {MAX_LOCATIONS} places"
        return []
    countries, regions = lookups.countries, lookups.regions
    out, seen = [], set()
    for n, item in enumerate(chosen, start=1):
        place = (item.place or "").strip().upper()
        if not place:
            errors["locations"] = f"place {n} has a percentage but no country or region"
            continue
        if place in seen:
            errors["locations"] = f"{place} is listed twice"
            continue
        seen.add(place)
        if place not in countries and place not in regions:
            errors["locations"] = (
                f'unknown country or region "{place[:20]}"; use an ISO country code such as KE '
                f"or a region: {', '.join(sorted(regions))}"
            )
            continue
        pct = _decimal(item.percentage, "percentage", errs := {}, limit=Decimal(100), what="60")
        if errs:
            errors["locations"] = f"{place}: percentage {errs['percentage']}"
        out.append(
            (countries.get(place), regions.get(place) if place not in countries else None, pct)
        )
    given = [p for _, _, p in out if p is not None]
    if "locations" not in errors and given:
        if len(given) != len(out):
            errors["locations"] = (
                "give a percentage for every place, or for none (then the budget splits equally)"
            )
        elif sum(given) != 100:
            errors["locations"] = (
                f"percentages must add up to 100; they add up to {plain(sum(given))}"
            )
    return out


def _places(session: Session, project_id: int) -> list[tuple[str, Decimal | None]]:
    """(country or region code, percentage) of each place, in the order they were given."""
    return [
        ((country or region).code, loc.percentage)
        for loc, country, region in session.exec(
            select(ProjectLocation, Country, Region)
            .outerjoin(Country, Country.id == ProjectLocation.country_id)
            .outerjoin(Region, Region.id == ProjectLocation.region_id)
            .where(ProjectLocation.project_id == project_id)
            .order_by(ProjectLocation.id)
        )
    ]


def _snapshot(session: Session, project: Project) -> dict[str, Any]:
    programme = session.get(Programme, project.programme_id)
    places = [
        f"{code} {plain(pct)}%" if pct is not None else code
        for code, pct in _places(session, project.id)
    ]
    return {
        "code": project.code,
        "title": project.title,
        "summary": project.summary,
        "kind": project.kind,
        "status": project.status,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "budget_amount": project.budget_amount,
        "budget_currency": project.budget_currency,
        "donor": project.donor,
        "programme": programme.code if programme else None,
        "manager_id": project.manager_id,
        "locations": places,
    }


def _store_locations(session: Session, project_id: int, locations) -> None:
    session.execute(delete(ProjectLocation).where(ProjectLocation.project_id == project_id))
    for country_id, region_id, pct in locations:
        session.add(
            ProjectLocation(
                project_id=project_id, country_id=country_id, region_id=region_id, percentage=pct
            )
        )


def create_project(
    *, session: Session, data: ProjectInput, principal: Principal, lookups: Lookups | None = None
) -> Project:
    valid = validate_project(session=session, data=data, principal=principal, lookups=lookups)
    values = dict(valid.values)
    if values["manager_id"] is None and principal.is_manager:
        values["manager_id"] = principal.user.id
    project = Project(**values)
    session.add(project)
    session.flush()
    _store_locations(session, project.id, valid.locations)
    session.flush()
    record_project(
        session=session,
        actor=principal.user,
        project=project,
        before=None,
        after=_snapshot(session, project),
    )
    return project


def last_change(session: Session, project_id: int) -> tuple[str, Any]:
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.project_id == project_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).first()
    return (event.actor_label, event.occurred_at) if event else ("Someone", None)


def bump_version(
    session: Session, project: Project, expected_version: int | None, **values
) -> None:
    """Compare-and-set: the change applies only if nobody changed the project since the
    caller read `expected_version`; else StaleVersion names who did."""
    if expected_version is None:
        raise InputError({"version": "is required: the version of the project you changed"})
    result = session.execute(
        update(Project)
        .where(Project.id == project.id, Project.version == expected_version)
        .values(version=Project.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        who, when = last_change(session, project.id)
        raise StaleVersion(project.code, who, when)
    session.refresh(project)


def update_project(
    *,
    session: Session,
    project: Project,
    data: ProjectInput,
    expected_version: int | None,
    principal: Principal,
    lookups: Lookups | None = None,
) -> Project:
    require_can_edit(principal, project)
    valid = validate_project(
        session=session, data=data, principal=principal, current=project, lookups=lookups
    )
    before = _snapshot(session, project)
    bump_version(session, project, expected_version, **valid.values)
    _store_locations(session, project.id, valid.locations)
    session.flush()
    record_project(
        session=session,
        actor=principal.user,
        project=project,
        before=before,
        after=_snapshot(session, project),
    )
    return project


def delete_project(
    *, session: Session, project: Project, expected_version: int | None, principal: Principal
) -> None:
    require_can_edit(principal, project)
    before = _snapshot(session, project)
    bump_version(session, project, expected_version)
    record_project(
        session=session, actor=principal.user, project=project, before=before, after=None
    )
    session.delete(project)
    session.flush()


def form_input(project: Project, session: Session) -> ProjectInput:
    """A project as the edit form shows it."""
    snapshot = _snapshot(session, project)
    manager = session.get(User, project.manager_id) if project.manager_id else None
    locations = [LocationInput(code, pct) for code, pct in _places(session, project.id)]
    return ProjectInput(
        code=project.code,
        title=project.title,
        summary=project.summary or "",
        kind=project.kind,
        status=project.status,
        start_date=project.start_date,
        end_date=project.end_date,
        budget_amount=project.budget_amount,
        budget_currency=project.budget_currency or "",
        donor=project.donor or "",
        programme=snapshot["programme"] or "",
        manager=manager.email if manager else "",
        locations=locations,
    )


__all__ = [
    "LocationInput",
    "Lookups",
    "NotFound",
    "ProjectInput",
    "StaleVersion",
    "bump_version",
    "create_project",
    "delete_project",
    "form_input",
    "update_project",
    "validate_project",
]
