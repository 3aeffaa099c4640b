"""Registering, changing and deleting projects, with their places.

Forms and the JSON API both call these functions. Every problem is reported at once, naming
the field and what is allowed; nothing is stored unless everything is right; a change made
on a stale version is refused with who changed the project since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, update
from sqlmodel import Session, select

from tracker.fields import TEXT_CONTEXT, allowed_names
from tracker.formats import Text
from tracker.locales import N_
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
from tracker.refusals import said_refusal
from tracker.said import Moment
from tracker.services.accounts.permissions import Principal, require_can_edit
from tracker.services.audit.record import PROJECT_FIELDS as PROJECT_EVENT_FIELDS
from tracker.services.audit.record import place_label, project_state, record_project
from tracker.services.errors import Conflict, InputError, NotFound
from tracker.services.projects.params import ProjectCreate

# What ProjectInput holds besides its places: the fields of ProjectCreate, which are the
# project's own fields as its events show them, then its programme and manager.
PROJECT_FIELDS = (*PROJECT_EVENT_FIELDS, "programme", "manager")


@dataclass
class LocationInput:
    place: str  # a country (ISO alpha-2) or region code
    percentage: str | Decimal | None = None


@dataclass
class ProjectInput:
    """What a person typed (in the project form, or a row of an imported file), as text;
    read through ProjectCreate by `validate_project`."""

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


PLACE_PARTS = {"place": N_("place"), "percentage": N_("percentage")}


@dataclass(frozen=True)
class ValidProject:
    values: dict[str, Any]
    locations: list[tuple[int | None, int | None, Decimal | None]]  # country, region, pct


class StaleVersion(Conflict):
    def __init__(self, code: str, changed_by: str, changed_at):
        self.changed_by, self.changed_at = changed_by, changed_at
        if changed_at:
            message = N_(
                "%(who)s changed project %(code)s on %(when)s, after you opened it. Nothing was "
                "saved: reload to see their changes, then make yours again."
            )
            super().__init__(Text(message, who=changed_by, code=code, when=Moment(changed_at)))
        else:
            message = N_(
                "%(who)s changed project %(code)s recently, after you opened it. Nothing was "
                "saved: reload to see their changes, then make yours again."
            )
            super().__init__(Text(message, who=changed_by, code=code))


def plain(number: Decimal) -> str:
    """60.00 as 60, 62.50 as 62.5."""
    return format(Decimal(number).normalize(), "f")


def _decimal(value, name: str, errors: dict, *, limit: Decimal, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace(" ", "").strip())
    except InvalidOperation:
        errors[name] = Text(
            N_('"%(value)s" is not a number; use digits, such as %(example)s'),
            value=str(value)[:40],
            example=what,
        )
        return None
    if not number.is_finite():
        errors[name] = Text(N_("must be a number, such as %(example)s"), example=what)
    elif number < 0:
        errors[name] = Text(N_("must not be negative"))
    elif number > limit:
        errors[name] = Text(N_("must be at most %(most)s"), most=int(limit))
    elif number != number.quantize(Decimal("0.01")):
        errors[name] = Text(N_("may have at most two decimal places"))
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

    @cached_property
    def country_codes(self) -> dict[int, str]:
        return {id: code for code, id in self.countries.items()}

    @cached_property
    def region_codes(self) -> dict[int, str]:
        return {id: code for code, id in self.regions.items()}

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


def _typed(data: ProjectInput) -> dict[str, Any]:
    """What was typed, as ProjectCreate reads it: text trimmed, empty fields and empty rows of
    places left out."""

    def given(value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    values = {name: given(getattr(data, name)) for name in PROJECT_FIELDS}
    typed: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    typed["locations"] = []
    for location in data.locations:
        row = {"place": given(location.place), "percentage": given(location.percentage)}
        if any(v is not None for v in row.values()):
            typed["locations"].append({k: v for k, v in row.items() if v is not None})
    return typed


def _shape_problems(exc: ValidationError, typed: dict[str, Any]) -> dict[str, str]:
    """ProjectCreate's refusals by field; a place's own, under locations, named by its code."""
    errors: dict[str, str] = {}
    places = typed["locations"]
    for error in exc.errors():
        name, *rest = error["loc"]
        message = said_refusal(error["msg"])
        if name == "locations" and len(rest) == 2:
            n, part = rest
            place = str(places[n].get("place", "")).upper() if n < len(places) else ""
            if part == "place" and error["type"] == "missing":
                message = Text(
                    N_("place %(number)s has a percentage but no country or region"), number=n + 1
                )
            else:
                where = place or Text(N_("place %(number)s"), number=n + 1)
                what = Text(PLACE_PARTS[part]) if part in PLACE_PARTS else str(part)
                message = Text(
                    N_("%(place)s: %(part)s %(problem)s"), place=where, part=what, problem=message
                )
        errors.setdefault(str(name), message)
    return errors


def checked_project(data: ProjectInput | ProjectCreate) -> tuple[ProjectCreate | None, dict]:
    """The project's shape checked by ProjectCreate (what the JSON API sends is checked
    already; what was typed is read as text), and the problems by field."""
    if isinstance(data, ProjectCreate):
        return data, {}
    typed = _typed(data)
    try:
        return ProjectCreate.model_validate(typed, context=TEXT_CONTEXT), {}
    except ValidationError as exc:
        return None, _shape_problems(exc, typed)


def validate_project(
    *,
    session: Session,
    data: ProjectInput | ProjectCreate,
    principal: Principal,
    current: Project | None = None,
    lookups: Lookups | None = None,
) -> ValidProject:
    """Check a project: its shape (ProjectCreate), then the codes it names and its manager
    against the database. A field whose shape is wrong is not looked up; the others are, so
    that every problem is reported at once."""
    lookups = lookups or Lookups.load(session)
    checked, errors = checked_project(data)
    source = checked if checked is not None else data

    def given(name: str) -> str:
        """The field as checked (or as typed, when another field's shape is wrong)."""
        value = None if name in errors else getattr(source, name)
        return str(value).strip() if value is not None else ""

    code = given("code")
    renamed = current is None or current.code != code
    if code and renamed and _code_taken(session, code):
        errors["code"] = Text(
            N_('"%(code)s" is already used by another project; codes are unique'), code=code
        )

    currency = given("budget_currency").upper()
    currencies = lookups.currencies
    if currency and currency not in currencies:
        errors["budget_currency"] = Text(
            N_('unknown currency "%(value)s"; allowed: %(allowed)s'),
            value=currency[:10],
            allowed=", ".join(sorted(currencies)),
        )

    programmes = lookups.programmes
    programme = programmes.get(given("programme"))
    if programme is None and "programme" not in errors:
        known = allowed_names(
            sorted(((p.code, p.name) for p in programmes.values()), key=lambda pair: pair[1])
        )
        errors["programme"] = (
            Text(
                N_('unknown programme "%(value)s"; allowed: %(allowed)s'),
                value=given("programme")[:40],
                allowed=known,
            )
            if given("programme")
            else Text(N_("choose the programme the project belongs to"))
        )
    elif programme is not None:
        # A programme the person may not change is refused as editing it is (403), not as
        # a mistake in the form: the form offers only their own.
        require_can_edit(principal, programme)

    manager_id = None
    if email := given("manager").lower():
        manager = session.exec(select(User).where(User.email == email)).first()
        if manager is None or not manager.active or manager.role == "viewer":
            errors["manager"] = Text(N_("must be the email of an active manager or administrator"))
        else:
            manager_id = manager.id

    if "locations" not in errors:
        places = (
            [loc.place for loc in checked.locations]
            if checked is not None
            else [str(loc.place or "") for loc in data.locations]
        )
        _unknown_places(lookups, [p.strip().upper() for p in places if p.strip()], errors)
    if errors:
        raise InputError(errors)
    countries, regions = lookups.countries, lookups.regions
    locations = []
    for location in checked.locations:
        place = location.place.strip().upper()
        region = regions.get(place) if place not in countries else None
        locations.append((countries.get(place), region, location.percentage))
    return ValidProject(
        values={
            "code": checked.code,
            "title": checked.title.strip(),
            "summary": (checked.summary or "").strip() or None,
            "kind": str(checked.kind),
            "status": str(checked.status),
            "start_date": checked.start_date,
            "end_date": checked.end_date,
            "budget_amount": checked.budget_amount,
            "budget_currency": currency or None,
            "donor": (checked.donor or "").strip() or None,
            "programme_id": programme.id,
            "manager_id": manager_id,
        },
        locations=locations,
    )


def _unknown_places(lookups: Lookups, places: list[str], errors: dict) -> None:
    for place in places:
        if place not in lookups.countries and place not in lookups.regions:
            errors["locations"] = Text(
                N_(
                    'unknown country or region "%(value)s"; use an ISO country code such as KE '
                    "or a region: %(regions)s"
                ),
                value=place[:20],
                regions=", ".join(sorted(lookups.regions)),
            )
            return


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
    """The project as its audit events show it (`project_state`)."""
    programme = session.get(Programme, project.programme_id)
    return project_state(
        project,
        programme=programme.code if programme else None,
        places=[place_label(code, pct) for code, pct in _places(session, project.id)],
    )


def _store_locations(session: Session, project_id: int, locations) -> None:
    session.execute(delete(ProjectLocation).where(ProjectLocation.project_id == project_id))
    for country_id, region_id, pct in locations:
        session.add(
            ProjectLocation(
                project_id=project_id, country_id=country_id, region_id=region_id, percentage=pct
            )
        )


def create_project(
    *,
    session: Session,
    data: ProjectInput | ProjectCreate,
    principal: Principal,
    lookups: Lookups | None = None,
) -> Project:
    """Register a project, typed in the form (ProjectInput) or sent checked (ProjectCreate)."""
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
    return (event.actor_label, event.occurred_at) if event else (Text(N_("Someone")), None)


def bump_version(
    session: Session, project: Project, expected_version: int | None, **values
) -> None:
    """Compare-and-set: the change applies only if nobody changed the project since the
    caller read `expected_version`; else StaleVersion names who did."""
    if expected_version is None:
        raise InputError(
            {"version": Text(N_("is required: the version of the project you changed"))}
        )
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
    data: ProjectInput | ProjectCreate,
    expected_version: int | None,
    principal: Principal,
    lookups: Lookups | None = None,
) -> Project:
    require_can_edit(principal, project)
    valid = validate_project(
        session=session, data=data, principal=principal, current=project, lookups=lookups
    )
    before = _snapshot(session, project)
    values = dict(valid.values)
    # A title or summary typed anew is no longer the IATI file's text in its language.
    for text, language in (("title", "title_language"), ("summary", "summary_language")):
        if values[text] != getattr(project, text):
            values[language] = None
    bump_version(session, project, expected_version, **values)
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
