"""What a request about projects may carry, as one model per role: the filters of the projects
list, from the page, its exports and GET /projects (ProjectListParams), and a project with its
places, from the project form, imports and POST /projects (ProjectCreate).

The models check shapes, choices and ranges; which codes exist is for the services to check
against the database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from tracker.fields import (
    Budget,
    Choice,
    Code,
    CurrencyCode,
    DatedParams,
    Day,
    Email,
    FrameworkCode,
    Line,
    List,
    Params,
    Percentage,
    PlaceCode,
    ProgrammeCode,
    ProjectCode,
    QueryInteger,
    RegionCode,
    Text,
    Token,
    allowed_names,
)
from tracker.inputs import MAX_FIELD
from tracker.locales import N_
from tracker.models import ProjectKind, ProjectStatus
from tracker.services.coverage.params import (
    Floor,
    Programmes,
    Status,
    StatusFilter,
)

SCREENED = {
    "yes": N_("Screened"),
    "no": N_("Not yet screened"),
    "not_aligned": N_("Screened, not aligned"),
}
SORT_NAMES = {
    "code": N_("Code"),
    "title": N_("Title"),
    "status": N_("Status"),
    "start": N_("Start date"),
    "end": N_("End date"),
    "budget": N_("Budget"),
    "updated": N_("Last changed"),
}
SORT_KEYS = tuple(SORT_NAMES)
KIND_NAMES = {"capacity_building": N_("Capacity building"), "operation": N_("Operation")}
STATUS_NAMES = {s.value: s.value.capitalize() for s in ProjectStatus}
MAX_PAGE = 1_000_000
MAX_SEARCH = 200

Screened = StrEnum("Screened", {k: k for k in SCREENED})
Sort = StrEnum("Sort", {k: k for k in SORT_KEYS} | {f"{k}_desc": f"-{k}" for k in SORT_KEYS})
Year = Code(
    r"^(undated|19[0-9]{2}|2[01][0-9]{2}|2200)$",
    8,
    allowed='must be a year such as 2026 (from 1900 to 2200), or "undated"',
)


SdgNumber = Code(
    r"^([1-9]|1[0-7]|none)$",
    4,
    allowed='must be an SDG number from 1 to 17, or "none" (objectives linked to no SDG)',
)
SdgTarget = Code(
    r"^(([1-9]|1[0-7])(\.[0-9a-z]{1,2})?|none)$",
    5,
    allowed="must be an SDG target such as 16.4, an SDG number such as 16 (its links to the "
    'whole SDG), or "none"',
)


class ProjectListParams(DatedParams):
    """The filters of the projects list."""

    q: Line(MAX_SEARCH) | None = Field(
        default=None, description="Search code, title, summary, donor"
    )
    goal: FrameworkCode | None = Field(default=None, description="A goal code", examples=["GPG4"])
    objective: FrameworkCode | None = Field(
        default=None, description="An objective code", examples=["4.2"]
    )
    theme: FrameworkCode | None = Field(
        default=None,
        description="A theme code, or none: projects with no theme",
        examples=["III"],
    )
    sdg: SdgNumber | None = Field(
        default=None, description="Projects whose budget reaches this SDG", examples=["16"]
    )
    sdg_target: SdgTarget | None = Field(
        default=None, description="Projects whose budget reaches this SDG target", examples=["16.4"]
    )
    programme: Programmes = Field(default_factory=list, description="Programme codes; none: all")
    region: RegionCode | None = None
    located: Token(20) | None = Field(
        default=None,
        examples=["KE"],
        description="A region or country code, global, or whole-region and elsewhere (with region)",
    )
    status: List(Status, len(StatusFilter)) = Field(
        default_factory=list, description="Statuses; none or any means every project"
    )
    screened: Choice(Screened, what="screening", names=SCREENED) | None = None
    year: Year | None = Field(default=None, description="Projects running in this year")
    date_from: Day | None = Field(default=None, alias="from")
    date_to: Day | None = Field(default=None, alias="to", description="Not before from")
    floor: Floor = "1"
    sort: Choice(
        Sort,
        what="sort",
        allowed=allowed_names(SORT_NAMES.items())
        + ", each with - before it to sort descending (such as -budget)",
        description="- before a key sorts descending",
    ) = Sort.code
    page: QueryInteger(1, MAX_PAGE, wrong=f"must be a page number from 1 to {MAX_PAGE:,}") = 1

    @field_validator("located")
    @classmethod
    def _region_for_located(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Only when the region was left out: a refused one is refused on its own.
        needs_region = value in ("whole-region", "elsewhere")
        if needs_region and "region" in info.data and not info.data["region"]:
            raise PydanticCustomError("region_needed", "{place} needs a region", {"place": value})
        return value

    def url_params(self) -> list[tuple[str, str]]:
        """The filters as given (not the page), as URL parameters."""
        values = self.model_dump(
            mode="json", by_alias=True, exclude_defaults=True, exclude={"page"}
        )
        return [
            (name, str(item))
            for name, value in values.items()
            for item in (value if isinstance(value, list) else [value])
            if item not in (None, "")
        ]


# A project as the project form, imports and the JSON API give it (ProjectCreate; the API's
# ProjectUpdate adds the version and what GET gives besides). What needs the database (codes
# that exist or are taken, who may edit the programme, the manager's account) is checked by
# validate_project.

LIMITS = {"code": 40, "title": 200, "summary": 5000, "donor": 200}
MAX_LOCATIONS = 60


def _plain(number: Decimal) -> str:
    """60.00 as 60, 62.50 as 62.5."""
    return format(Decimal(number).normalize(), "f")


class LocationIn(Params):
    noun = "field"

    place: PlaceCode
    percentage: Percentage | None = Field(
        default=None, description="Share of the work; for every place or for none"
    )
    kind: Literal["country", "region"] | None = Field(
        default=None, description="Read-only, as GET gives it; ignored"
    )


class ProjectCreate(Params):
    """A project with its places: each field's shape, the order of its dates, a currency
    with a budget, and places listed once with percentages for all or none, adding up to 100."""

    noun = "field"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "CYB-2026-0042",
                    "title": "Cyber investigation training in Kenya",
                    "kind": "capacity_building",
                    "status": "active",
                    "start_date": "2026-01-01",
                    "end_date": "2027-12-31",
                    "budget_amount": "250000",
                    "budget_currency": "EUR",
                    "programme": "CYB",
                    "locations": [
                        {"place": "KE", "percentage": 60},
                        {"place": "UG", "percentage": 40},
                    ],
                }
            ]
        },
    )

    code: ProjectCode
    title: Line(LIMITS["title"], required=True, examples=["Cyber investigation training"])
    summary: Text(LIMITS["summary"]) | None = None
    kind: Choice(ProjectKind, what="kind", names=KIND_NAMES) = ProjectKind.capacity_building
    status: Choice(ProjectStatus, what="status", names=STATUS_NAMES) = ProjectStatus.pipeline
    start_date: Day | None = None
    end_date: Day | None = Field(default=None, description="Not before the start date")
    budget_amount: Budget | None = None
    budget_currency: CurrencyCode | None = Field(
        default=None,
        validate_default=True,
        description="Needed with a budget; an ISO 4217 code the tracker knows",
    )
    donor: Line(LIMITS["donor"]) | None = None
    programme: ProgrammeCode
    manager: Email | None = Field(
        default=None, description="Email of the project's manager (a manager or administrator)"
    )
    locations: List(LocationIn, MAX_LOCATIONS) = Field(
        default_factory=list,
        description="Countries and regions; percentages for all of them adding up to 100, "
        "or for none (then the budget splits equally)",
    )

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError(
                "date_order",
                "must not be before the start date ({start})",
                {"start": f"{start:%-d %b %Y}"},
            )
        return value

    @field_validator("budget_currency")
    @classmethod
    def _with_the_budget(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("budget_amount") is not None:
            raise PydanticCustomError("currency_needed", "choose the currency of the budget")
        return value

    @field_validator("locations")
    @classmethod
    def _places_add_up(cls, value: list[LocationIn]) -> list[LocationIn]:
        seen: set[str] = set()
        for location in value:
            place = location.place.strip().upper()
            if place in seen:
                raise PydanticCustomError(
                    "place_twice", "{place} is listed twice", {"place": place}
                )
            seen.add(place)
        given = [loc.percentage for loc in value if loc.percentage is not None]
        if given and len(given) != len(value):
            raise PydanticCustomError(
                "percentages",
                "give a percentage for every place, or for none (then the budget splits equally)",
            )
        if given and sum(given) != 100:
            raise PydanticCustomError(
                "percentages",
                "percentages must add up to 100; they add up to {total}",
                {"total": _plain(sum(given))},
            )
        return value


class TagForm(Params):
    """The tag editor's forms: a tag to set (or, with kind and code alone, to remove, or neither
    to mark the project screened), and the version of the project they were filled in against.
    The fields are read as text, bounded; what they mean (an objective that exists, a
    significance, a share from 0 to 100) is the tagging service's to check, field by field."""

    noun = "field"

    kind: Line(20) = ""
    code: Line(20) = ""
    significance: Line(40) = ""
    budget_share: Line(40) | None = None
    rationale: Text(MAX_FIELD) = ""
    version: Line(20) = ""
