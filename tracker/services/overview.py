"""Figures for the landing page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct
from sqlmodel import Session, func, select

from tracker.models import Framework, Goal, Objective, ObjectiveTag, Project, ProjectStatus


@dataclass(frozen=True)
class GoalCount:
    code: str
    short_name: str
    statement: str
    objectives: int
    projects: int
    active_projects: int


def goal_project_counts(*, session: Session) -> list[GoalCount]:
    """Each goal of the active framework with how many projects (and active ones) serve it."""
    objective_count = (
        select(Objective.goal_id, func.count().label("n")).group_by(Objective.goal_id).subquery()
    )
    tagged = (
        select(
            Objective.goal_id.label("goal_id"),
            func.count(distinct(ObjectiveTag.project_id)).label("projects"),
            func.count(
                distinct(case((Project.status == ProjectStatus.active, ObjectiveTag.project_id)))
            ).label("active_projects"),
        )
        .join(ObjectiveTag, ObjectiveTag.objective_id == Objective.id)
        .join(Project, Project.id == ObjectiveTag.project_id)
        .group_by(Objective.goal_id)
        .subquery()
    )
    rows = session.exec(
        select(
            Goal.code,
            Goal.short_name,
            Goal.statement,
            func.coalesce(objective_count.c.n, 0),
            func.coalesce(tagged.c.projects, 0),
            func.coalesce(tagged.c.active_projects, 0),
        )
        .join(Framework, Framework.id == Goal.framework_id)
        .outerjoin(objective_count, objective_count.c.goal_id == Goal.id)
        .outerjoin(tagged, tagged.c.goal_id == Goal.id)
        .where(Framework.active)
        .order_by(Goal.position)
    ).all()
    return [GoalCount(*row) for row in rows]


def active_framework(*, session: Session) -> Framework | None:
    return session.exec(select(Framework).where(Framework.active)).first()
