"""What a request about projects may carry, as one model per role: the filters of the projects
list, from the page, its exports and GET /projects (ProjectListParams).

The models check shapes, choices and ranges; which codes exist is for the services to check
against the database.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from tracker.fields import (
    Choice,
    Code,
    DatedParams,
    Day,
    FrameworkCode,
    Line,
    List,
    QueryInteger,
    RegionCode,
    Token,
)
from tracker.services.coverage.params import (
    Floor,
    Programmes,
    Status,
    StatusFilter,
)

SCREENED = {"yes": "Screened", "no": "Not yet screened", "not_aligned": "Screened, not aligned"}
SORT_KEYS = ("code", "title", "status", "start", "end", "budget", "updated")
MAX_PAGE = 1_000_000
MAX_SEARCH = 200

Screened = StrEnum("Screened", {k: k for k in SCREENED})
Sort = StrEnum("Sort", {k: k for k in SORT_KEYS} | {f"{k}_desc": f"-{k}" for k in SORT_KEYS})
Year = Code(
    r"^(undated|19[0-9]{2}|2[01][0-9]{2}|2200)$",
    8,
    allowed='must be a year such as 2026 (from 1900 to 2200), or "undated"',
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
    screened: Choice(Screened) | None = None
    year: Year | None = Field(default=None, description="Projects running in this year")
    date_from: Day | None = Field(default=None, alias="from")
    date_to: Day | None = Field(default=None, alias="to", description="Not before from")
    floor: Floor = "1"
    sort: Choice(
        Sort,
        what="sort",
        allowed=f"{', '.join(SORT_KEYS)}, with - for descending",
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
