"""What a coverage question may ask, as one model per role: the heatmap and GET /coverage
(CoverageParams), the gaps page and GET /gaps (GapParams), and a target, from the targets page
or POST /targets (TargetCreate).

The models check shapes, choices, ranges and the order of dates; which programme, region,
goal or objective codes exist is for the services to check against the database.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from tracker.fields import (
    Budget,
    Choice,
    Code,
    DatedParams,
    Day,
    FrameworkCode,
    Integer,
    List,
    Params,
    PlaceCode,
    ProgrammeCode,
    RegionCode,
)
from tracker.locales import N_
from tracker.models import ProjectStatus
from tracker.models._base import utcnow

ROW_KINDS = {
    "goals": N_("Goals"),
    "objectives": N_("Objectives"),
    "themes": N_("Themes"),
    "sdgs": N_("SDGs"),
    "sdg_targets": N_("SDG targets"),
}
COLUMN_KINDS = {
    "regions": N_("Regions"),
    "countries": N_("Countries of a region"),
    "programmes": N_("Programmes"),
    "themes": N_("Themes"),
    "years": N_("Years"),
}
# The same, as words in a sentence ("Projects by goals and regions").
ROW_NOUNS = {
    "goals": N_("goals"),
    "objectives": N_("objectives"),
    "themes": N_("themes"),
    "sdgs": N_("SDGs"),
    "sdg_targets": N_("SDG targets"),
}
COLUMN_NOUNS = {
    "regions": N_("regions"),
    "countries": N_("countries of a region"),
    "programmes": N_("programmes"),
    "themes": N_("themes"),
    "years": N_("years"),
}
METRICS = {
    "projects": N_("Projects"),
    "principal": N_("Principal projects"),
    "budget": N_("Attributed budget (EUR)"),
}
GAP_KINDS = {
    "uncovered_objective": N_("Objectives no project serves"),
    "below_target": N_("Below target"),
    "empty_goal_region": N_("Goals with no project in a region"),
    "empty_objective_region": N_("Objectives with no project in a region"),
    "theme_without_project": N_("Themes no project serves"),
    "unreached_sdg_target": N_("SDG targets no project reaches"),
    "coverage_at_risk": N_("Coverage at risk"),
    "unscreened": N_("Projects not yet screened"),
}
STATUSES = tuple(s.value for s in ProjectStatus)
STATUS_NAMES = {
    "pipeline": N_("Pipeline"),
    "active": N_("Active"),
    "completed": N_("Completed"),
    "suspended": N_("Suspended"),
    "cancelled": N_("Cancelled"),
}
FLOORS = {1: N_("Significant or principal"), 2: N_("Principal only")}
MAX_FILTER_VALUES = 50
MAX_PROJECTS_TARGET = 1_000_000

RowKind = StrEnum("RowKind", {k: k for k in ROW_KINDS})
ColumnKind = StrEnum("ColumnKind", {k: k for k in COLUMN_KINDS})
Metric = StrEnum("Metric", {k: k for k in METRICS})
GapKind = StrEnum("GapKind", {k: k for k in GAP_KINDS})


class GapPlaces(StrEnum):
    regions = "regions"
    countries = "countries"


class StatusFilter(StrEnum):
    pipeline = "pipeline"
    active = "active"
    completed = "completed"
    suspended = "suspended"
    cancelled = "cancelled"
    any = "any"


Status = Choice(StatusFilter, what="status", allowed=f"{', '.join(STATUSES)}, or any")
Floor = Choice(
    Literal["1", "2"],
    allowed="1 (significant or principal), 2 (principal only)",
    description="1: significant or principal; 2: principal only",
)
Programmes = List(ProgrammeCode, MAX_FILTER_VALUES)
SdgTargetCode = Code(
    r"^([1-9]|1[0-7])(\.[0-9a-z]{1,2})?$",
    5,
    allowed="must be an SDG target such as 16.4, or an SDG number such as 16",
)


class ViewFilters(DatedParams):
    """Which projects a view counts: the filters the heatmap and the gaps of its view share."""

    status: List(Status, len(StatusFilter)) = Field(
        default_factory=list, description="Project statuses; default active; any for all"
    )
    programme: Programmes = Field(default_factory=list, description="Programme codes; none: all")
    region: RegionCode | None = Field(
        default=None, description="Only projects working in this region; needed for countries"
    )
    date_from: Day | None = Field(
        default=None, alias="from", description="Projects running on or after"
    )
    date_to: Day | None = Field(
        default=None, alias="to", description="Projects running on or before; not before from"
    )
    floor: Floor = "1"
    as_of: Day | None = Field(
        default=None,
        description="Coverage as it stood at the end of this day (UTC), up to today; none: now",
    )

    @field_validator("as_of", check_fields=False)
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        return past_day(value)


def past_day(value: date | None) -> date | None:
    """A day up to today (UTC): coverage is known up to now."""
    if value is not None and value > utcnow().date():
        raise PydanticCustomError(
            "future_day", "must be a day up to today ({today})", {"today": utcnow().date()}
        )
    return value


class CoverageParams(ViewFilters):
    """What the coverage matrix counts: the heatmap's parameters."""

    rows: Choice(RowKind) = Field(
        default=RowKind.goals,
        description="goals, objectives, themes, sdgs (Sustainable Development Goals) or "
        "sdg_targets (SDG targets under their SDG)",
    )
    cols: Choice(ColumnKind) = Field(
        default=ColumnKind.regions,
        description="regions, countries (of the region given), programmes, themes (unless the "
        "rows are themes) or years",
    )
    metric: Choice(Metric) = Metric.projects
    goal: FrameworkCode | None = Field(
        default=None,
        description="Only this goal and its objectives, as rows (with rows=objectives)",
        examples=["GPG4"],
    )
    compare: Day | None = Field(
        default=None,
        description="Compare with coverage at the end of this day (UTC): each figure carries "
        "its change since then",
    )

    @field_validator("compare")
    @classmethod
    def _compare_not_future(cls, value: date | None) -> date | None:
        return past_day(value)

    @field_validator("cols")
    @classmethod
    def _not_themes_twice(cls, value: ColumnKind, info: ValidationInfo) -> ColumnKind:
        if value == ColumnKind.themes and info.data.get("rows") == RowKind.themes:
            raise PydanticCustomError(
                "themes_twice",
                "themes are already the rows; choose regions, countries, programmes or years",
            )
        return value


class GapParams(ViewFilters):
    """Which gaps, of which view: the kinds asked for, and the view's rows, places and filters
    as the heatmap names them, so that a view of the heatmap and its gaps count alike."""

    kind: List(Choice(GapKind, what="gap kind"), len(GAP_KINDS)) = Field(
        default_factory=list, description="Kinds of gap; none means all"
    )
    rows: Choice(RowKind) = Field(
        default=RowKind.goals,
        description="goals, objectives or themes: with objectives, an objective with no "
        "project in a region is a gap too",
    )
    cols: Choice(GapPlaces, what="places") = Field(
        default=GapPlaces.regions,
        description="regions, or countries (of the region given): where a goal with no "
        "project is a gap",
    )

    def coverage(self) -> CoverageParams:
        """The same view as the heatmap's parameters."""
        return CoverageParams.model_validate(
            {
                "rows": str(self.rows),
                "cols": str(self.cols),
                "status": [str(s) for s in self.status],
                "programme": list(self.programme),
                "region": self.region,
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
                "floor": self.floor,
                "as_of": self.as_of.isoformat() if self.as_of else None,
            }
        )


class GapAboutParams(GapParams):
    """One gap of a view (/gaps/about): its kind, the view, and what it is about."""

    objective: FrameworkCode | None = None
    goal: FrameworkCode | None = None
    theme: FrameworkCode | None = None
    sdg_target: SdgTargetCode | None = Field(
        default=None, description="An SDG target (16.4), or an SDG (16) linked as a whole"
    )
    place: PlaceCode | None = Field(default=None, description="A region or country code")
    unscreened: Choice(ProjectStatus, what="status") | None = Field(
        default=None, description="The status of the unscreened projects"
    )


class TargetCreate(Params):
    """A minimum number of active projects, a minimum attributed budget, or both."""

    noun = "field"

    code: FrameworkCode = Field(
        description="A goal (GPG1) or objective (4.2) code", examples=["4.2"]
    )
    region: RegionCode | None = Field(default=None, description="None for everywhere")
    min_active_projects: Integer(0, MAX_PROJECTS_TARGET) | None = Field(default=None, examples=[3])
    min_budget_eur: Budget | None = None
    id: int | None = Field(default=None, description="Read-only, as GET gives it; ignored")
    scope: Literal["goal", "objective"] | None = Field(
        default=None, description="Read-only, as GET gives it; ignored"
    )
