"""The project, tag and place tables as they stood at the end of a day, with the same columns,
so that the coverage SQL reads the past as it reads the present."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import aliased

from tracker.models import (
    LocationVersion,
    ObjectiveTag,
    ObjectiveTagVersion,
    Project,
    ProjectLocation,
    ProjectVersion,
    ThemeTag,
    ThemeTagVersion,
)
from tracker.services.coverage.tables import Tables

V = ProjectVersion


def valid_on(day: date):
    """The versions that held at the end of `day`."""
    return and_(V.valid_from <= day, or_(V.valid_to.is_(None), V.valid_to > day))


def _project_columns(id_column):
    return (
        id_column.label("id"),
        V.code.label("code"),
        V.status.label("status"),
        V.programme_id.label("programme_id"),
        V.start_date.label("start_date"),
        V.end_date.label("end_date"),
        V.budget_amount.label("budget_amount"),
        V.budget_currency.label("budget_currency"),
        # Only ever compared with NULL: screened or not.
        case((V.screened, V.valid_from), else_=None).label("screened_at"),
    )


def _children(versions, key):
    """Tags and places of the given versions, their project named by `key` of `versions`."""

    def of(model, *columns):
        return (
            select(model.id.label("id"), key.label("project_id"), *columns)
            .join(versions, versions.c.id == model.version_id)
            .subquery()
        )

    t, h, loc = ObjectiveTagVersion, ThemeTagVersion, LocationVersion
    return (
        of(t, t.objective_id.label("objective_id"), t.significance, t.budget_share),
        of(h, h.theme_id.label("theme_id"), h.significance, h.budget_share),
        of(loc, loc.country_id, loc.region_id, loc.percentage),
    )


def tables_at(day: date) -> Tables:
    """Projects (by their ids), tags and places as they stood at the end of `day`."""
    versions = select(V.id, V.project_id).where(valid_on(day)).subquery("versions_at")
    project = select(*_project_columns(V.project_id)).where(valid_on(day)).subquery("project_at")
    objective, theme, location = _children(versions, versions.c.project_id)
    return _tables(project, objective, theme, location)


def tables_of_versions(ids: list[int] | None = None) -> Tables:
    """Every version (or those of `ids`) as a project of its own (its id the version's), with
    its tags and places: what each version contributes is computed as for projects."""
    versions = select(V.id)
    project = select(*_project_columns(V.id))
    if ids is not None:  # the few asked for, without joining every version's tags first
        versions, project = versions.where(V.id.in_(ids)), project.where(V.id.in_(ids))
    versions = versions.subquery("all_versions")
    project = project.subquery("project_versions")
    objective, theme, location = _children(versions, versions.c.id)
    return _tables(project, objective, theme, location)


def _tables(project, objective, theme, location) -> Tables:
    return Tables(
        project=aliased(Project, project, adapt_on_names=True),
        objective_tag=aliased(ObjectiveTag, objective, adapt_on_names=True),
        theme_tag=aliased(ThemeTag, theme, adapt_on_names=True),
        location=aliased(ProjectLocation, location, adapt_on_names=True),
    )
