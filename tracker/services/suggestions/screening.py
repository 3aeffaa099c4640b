"""The screening queue: a manager's unscreened projects, one after another, with suggestions.

The queue holds the active and pipeline projects that the person may edit (a manager's
programmes; every programme for an administrator) and that nobody has marked screened, in
order of code. Next skips a project (it stays in the queue); marking it screened takes it out.
Progress counts the screened projects among all the active and pipeline projects in scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.models import Project, ProjectStatus
from tracker.services.accounts.permissions import Principal

STATUSES = (ProjectStatus.active.value, ProjectStatus.pipeline.value)


@dataclass(frozen=True)
class Queue:
    project: Project | None  # the project to screen now; None when none is waiting
    position: int  # its place among the waiting projects, from 1
    waiting: int  # unscreened projects in scope
    screened: int  # screened projects in scope
    total: int  # active and pipeline projects in scope

    @property
    def percent_screened(self) -> int:
        return round(100 * self.screened / self.total) if self.total else 100


def _in_scope(principal: Principal):
    conditions = [Project.status.in_(STATUSES)]
    if not principal.is_admin:
        conditions.append(Project.programme_id.in_(sorted(principal.programme_ids) or [-1]))
    return conditions


def in_queue(*, principal: Principal, project: Project) -> bool:
    return (
        project.status in STATUSES
        and project.screened_at is None
        and principal.can_edit_project(project)
    )


def screening_queue(
    *, session: Session, principal: Principal, at: str | None = None, after: str | None = None
) -> Queue:
    """The queue at project `at` when it is waiting, else at the first waiting project after
    `after` (from the start again past the end), else at the first."""
    scope = _in_scope(principal)
    waiting_filter = [*scope, Project.screened_at.is_(None)]
    total, screened = session.execute(
        select(func.count(), func.count(Project.screened_at)).where(*scope)
    ).one()
    waiting = total - screened
    project = None
    if at:
        project = session.execute(
            select(Project).where(*waiting_filter, Project.code == at)
        ).scalar()
    if project is None and after:
        project = (
            session.execute(
                select(Project).where(*waiting_filter, Project.code > after).order_by(Project.code)
            )
            .scalars()
            .first()
        )
    if project is None:
        project = (
            session.execute(select(Project).where(*waiting_filter).order_by(Project.code))
            .scalars()
            .first()
        )
    position = 0
    if project is not None:
        position = (
            1
            + session.execute(
                select(func.count()).where(*waiting_filter, Project.code < project.code)
            ).scalar_one()
        )
    return Queue(project, position, waiting, screened, total)
