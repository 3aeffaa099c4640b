"""Who may do what: the one place where permission is decided.

Viewers read everything and change nothing; managers change projects of the programmes
assigned to them; administrators do everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, select

from tracker.models import Role, User, UserProgramme
from tracker.services.errors import NotAllowed


@dataclass(frozen=True)
class Principal:
    """The person behind a request, and how they proved it."""

    user: User
    programme_ids: frozenset[int]
    via: Literal["session", "token"]

    @property
    def is_admin(self) -> bool:
        return self.user.role == Role.admin

    @property
    def is_manager(self) -> bool:
        return self.user.role == Role.manager

    @property
    def can_edit_some_projects(self) -> bool:
        return self.is_admin or (self.is_manager and bool(self.programme_ids))

    def can_edit_programme(self, programme_id: int) -> bool:
        return self.is_admin or (self.is_manager and programme_id in self.programme_ids)

    def can_edit_project(self, project) -> bool:
        return self.can_edit_programme(project.programme_id)


def require_can_edit(principal: Principal, target) -> None:
    """Refuse (NotAllowed, answered 403) unless the person may change `target`: a project, a
    programme, or a programme's id. Services and forms alike ask here."""
    programme_id = getattr(target, "programme_id", None)
    if programme_id is None:
        programme_id = getattr(target, "id", target)
    if principal.can_edit_programme(programme_id):
        return
    code = getattr(target, "code", None)
    what = f"{code}: only" if code else "Only"
    raise NotAllowed(f"{what} managers of its programme and administrators can change it.")


def principal_for(*, session: Session, user: User, via: Literal["session", "token"]) -> Principal:
    programme_ids = frozenset(
        session.exec(select(UserProgramme.programme_id).where(UserProgramme.user_id == user.id))
    )
    return Principal(user=user, programme_ids=programme_ids, via=via)
