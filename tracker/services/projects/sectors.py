"""A project's DAC sectors and its place in its IATI publisher's hierarchy, read off the
project: for its page, for the IATI export, and as evidence of what a project is about (a
sector code says more than most titles: 15113 is anti-corruption work, 41030 biodiversity)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from tracker.models import Project, ProjectRelatedActivity, ProjectSector
from tracker.services.exchange.iati.codes import CHILD, PARENT
from tracker.services.reference.dac_sectors import sector_label, sector_name

IN_CHUNK = 1_000


@dataclass(frozen=True)
class Sector:
    code: str  # five digits, DAC CRS
    percentage: Decimal | None

    @property
    def name(self) -> str | None:
        return sector_name(self.code)

    @property
    def label(self) -> str:
        return sector_label(self.code)


@dataclass(frozen=True)
class RelatedActivity:
    """An activity of the project's IATI hierarchy; `code` is set when it is (also) a project
    of the tracker, to link to."""

    relation: int  # PARENT or CHILD
    ref: str
    title: str | None
    code: str | None = None


@dataclass(frozen=True)
class Hierarchy:
    level: int | None
    parents: list[RelatedActivity]
    children: list[RelatedActivity]
    siblings: list[tuple[str, str]]  # (code, title): projects under the same parent

    @property
    def shown(self) -> bool:
        return bool(self.parents or self.children)


def sectors_by_project(*, session: Session, project_ids: list[int]) -> dict[int, list[Sector]]:
    """Each project's sectors, largest share first; a project without sectors is left out."""
    out: dict[int, list[Sector]] = {}
    ids = sorted(set(project_ids))
    for start in range(0, len(ids), IN_CHUNK):
        for row in session.exec(
            select(ProjectSector)
            .where(ProjectSector.project_id.in_(ids[start : start + IN_CHUNK]))
            .order_by(ProjectSector.project_id, ProjectSector.id)
        ):
            out.setdefault(row.project_id, []).append(Sector(row.code, row.percentage))
    for sectors in out.values():
        sectors.sort(key=lambda s: -(s.percentage or 0))
    return out


def project_sectors(*, session: Session, project_id: int) -> list[Sector]:
    return sectors_by_project(session=session, project_ids=[project_id]).get(project_id, [])


def sector_codes(*, session: Session, project_id: int) -> list[str]:
    """The project's DAC sector codes, largest share first: ['15130', '15210']."""
    return [s.code for s in project_sectors(session=session, project_id=project_id)]


def related_by_project(
    *, session: Session, project_ids: list[int]
) -> dict[int, list[RelatedActivity]]:
    out: dict[int, list[RelatedActivity]] = {}
    ids = sorted(set(project_ids))
    for start in range(0, len(ids), IN_CHUNK):
        for row in session.exec(
            select(ProjectRelatedActivity)
            .where(ProjectRelatedActivity.project_id.in_(ids[start : start + IN_CHUNK]))
            .order_by(ProjectRelatedActivity.relation, ProjectRelatedActivity.id)
        ):
            out.setdefault(row.project_id, []).append(
                RelatedActivity(row.relation, row.ref, row.title)
            )
    return out


def project_hierarchy(*, session: Session, project: Project) -> Hierarchy:
    """Where the project sits in its publisher's hierarchy: its parent activity and the other
    projects under it, or the child activities it brings together."""
    related = related_by_project(session=session, project_ids=[project.id]).get(project.id, [])
    refs = [r.ref for r in related]
    known = set(session.exec(select(Project.code).where(Project.code.in_(refs)))) if refs else set()
    linked = [
        RelatedActivity(r.relation, r.ref, r.title, r.ref if r.ref in known else None)
        for r in related
    ]
    parents = [r for r in linked if r.relation == PARENT]
    siblings: list[tuple[str, str]] = []
    if parents:
        siblings = list(
            session.exec(
                select(Project.code, Project.title)
                .join(ProjectRelatedActivity, ProjectRelatedActivity.project_id == Project.id)
                .where(
                    ProjectRelatedActivity.relation == PARENT,
                    ProjectRelatedActivity.ref.in_([p.ref for p in parents]),
                    Project.id != project.id,
                )
                .order_by(Project.code)
            )
        )
    return Hierarchy(
        level=project.iati_hierarchy,
        parents=parents,
        children=[r for r in linked if r.relation == CHILD],
        siblings=siblings,
    )
