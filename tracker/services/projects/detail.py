"""Reading projects: one project with everything about it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, select

from tracker.models import (
    SDG,
    AuditEvent,
    Country,
    Currency,
    Goal,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectLocation,
    ProjectSDGTag,
    Region,
    Theme,
    ThemeTag,
)
from tracker.services.audit.describe import describe
from tracker.services.coverage import (
    compute_for_project,
    parse_coverage_query,
    sdgs,
)
from tracker.services.coverage.filters import active_framework_id
from tracker.services.errors import NotFound
from tracker.services.projects.sectors import Hierarchy, Sector, project_hierarchy, project_sectors
from tracker.services.reference.languages import is_english, language_name


@dataclass(frozen=True)
class LocationView:
    kind: str  # "country" or "region"
    code: str
    name: str
    region: str
    percentage: Decimal | None


@dataclass(frozen=True)
class TagView:
    code: str
    name: str
    statement: str
    group: str  # the goal of an objective; "Theme" for a theme
    significance: int
    budget_share: Decimal | None
    rationale: str | None
    tagged_at: datetime
    goal_code: str = ""  # an objective's goal, to name it in the page's language
    goal_name: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    sentence: str


@dataclass(frozen=True)
class ProjectDetail:
    project: Project
    programme: Programme
    locations: list[LocationView]
    objective_tags: list[TagView]
    theme_tags: list[TagView]
    sdgs: list[SDG]
    iati_sdg_tags: list[str]
    # SDG targets its budget reaches, with their share of it (0 to 1), largest first.
    sdg_targets: list[tuple[str, float]]
    budget_eur: Decimal | None
    history: list[HistoryEntry]
    sectors: list[Sector] = ()
    hierarchy: Hierarchy | None = None

    @property
    def title_language(self) -> str | None:
        """The name of the title's language when it is not English: Spanish."""
        return _foreign(self.project.title_language)

    @property
    def summary_language(self) -> str | None:
        return _foreign(self.project.summary_language)

    @property
    def status(self) -> str:
        if self.objective_tags or self.theme_tags:
            return "aligned"
        return "screened, not aligned" if self.project.screened_at else "unscreened"


def _foreign(code: str | None) -> str | None:
    if not code or is_english(code):
        return None
    return language_name(code) or code


def get_project(*, session: Session, code: str) -> Project:
    project = session.exec(select(Project).where(Project.code == code)).first()
    if project is None:
        raise NotFound(f"project {code}")
    return project


def project_detail(*, session: Session, code: str, history_limit: int = 20) -> ProjectDetail:
    project = get_project(session=session, code=code)
    programme = session.get(Programme, project.programme_id)

    locations = [
        LocationView(
            "country" if country else "region",
            (country or region).code,
            (country or region).name,
            region.name,
            loc.percentage,
        )
        for loc, country, region in session.exec(
            select(ProjectLocation, Country, Region)
            .outerjoin(Country, Country.id == ProjectLocation.country_id)
            .join(
                Region,
                (Region.id == ProjectLocation.region_id) | (Region.id == Country.region_id),
            )
            .where(ProjectLocation.project_id == project.id)
            .order_by(Region.position, Country.name.nulls_first())
        )
    ]

    objective_tags = [
        TagView(
            objective.code,
            objective.short_name or objective.statement,
            objective.statement,
            f"{goal.code} {goal.short_name}",
            tag.significance,
            tag.budget_share,
            tag.rationale,
            tag.tagged_at,
            goal.code,
            goal.short_name,
        )
        for tag, objective, goal in session.exec(
            select(ObjectiveTag, Objective, Goal)
            .join(Objective, Objective.id == ObjectiveTag.objective_id)
            .join(Goal, Goal.id == Objective.goal_id)
            .where(ObjectiveTag.project_id == project.id)
            .order_by(Goal.position, Objective.position)
        )
    ]
    theme_tags = [
        TagView(
            theme.code,
            theme.name,
            theme.name,
            "Theme",
            tag.significance,
            tag.budget_share,
            tag.rationale,
            tag.tagged_at,
        )
        for tag, theme in session.exec(
            select(ThemeTag, Theme)
            .join(Theme, Theme.id == ThemeTag.theme_id)
            .where(ThemeTag.project_id == project.id)
            .order_by(Theme.position)
        )
    ]
    # Where its budget reaches the SDGs, as the SDG views count it.
    reached = sdgs.project_contributions(session, project.id, active_framework_id(session))
    names = {s.number: s for s in session.exec(select(SDG))}
    sdg_shares: dict[int, float] = {}
    for number, _, share in reached:
        sdg_shares[number] = sdg_shares.get(number, 0) + share
    sdg_list = [names[n] for n in sorted(sdg_shares) if n in names]
    sdg_targets = [(target, share) for _, target, share in reached if target]

    iati_sdg_tags = [
        f"SDG {tag.code}" if tag.vocabulary == 2 else f"target {tag.code}"
        for tag in session.exec(
            select(ProjectSDGTag)
            .where(ProjectSDGTag.project_id == project.id)
            .order_by(ProjectSDGTag.vocabulary, ProjectSDGTag.code)
        )
    ]
    budget_eur = None
    if project.budget_amount is not None:
        currency = session.get(Currency, project.budget_currency)
        budget_eur = project.budget_amount * currency.rate_to_reporting

    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.project_id == project.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(history_limit)
    )
    history = [HistoryEntry(e.occurred_at, describe(e)) for e in events]
    return ProjectDetail(
        project,
        programme,
        locations,
        objective_tags,
        theme_tags,
        sdg_list,
        iati_sdg_tags,
        sdg_targets,
        budget_eur,
        history,
        project_sectors(session=session, project_id=project.id),
        project_hierarchy(session=session, project=project),
    )


@dataclass(frozen=True)
class CoverageLine:
    code: str
    label: str
    level: str  # goal, objective or theme
    principal: bool
    budget: Decimal


def project_coverage(*, session: Session, project: Project) -> list[CoverageLine]:
    """What the project adds to coverage: each goal, objective and theme it counts in, with
    the part of its budget attributed there (the same rules as the heatmap)."""
    lines = []
    for rows in ("objectives", "themes"):
        query = parse_coverage_query(session=session, params={"rows": rows, "status": "any"})
        matrix = compute_for_project(session=session, query=query, project_id=project.id)
        for row in matrix.rows:
            total = matrix.row_total(row)
            if total.projects:
                lines.append(
                    CoverageLine(row.code, row.label, row.level, total.principal > 0, total.budget)
                )
    return lines
