"""What a manager decides about a suggestion: accept it (the project is tagged, with the
significance chosen) or dismiss it (it is never offered for that project again). Both are
written to the audit trail in the same transaction, as "suggestion" events beside the tag's
own event."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import Project, SuggestionDismissal
from tracker.services.accounts.permissions import Principal, require_can_edit
from tracker.services.audit.record import record
from tracker.services.errors import InputError
from tracker.services.projects.tagging import SIGNIFICANCE, TagChange, _item, item_name, set_tag
from tracker.services.suggestions.suggest import _own_tags, dismissed

KINDS = ("objective", "theme")


def _checked_item(session: Session, kind: str, code: str):
    if kind not in KINDS:
        raise InputError({"kind": "must be objective or theme"})
    code = (code or "").strip()
    item = _item(session, kind, code) if code else None
    if item is None:
        example = "4.2" if kind == "objective" else "III"
        raise InputError(
            {
                "code": f'unknown {kind} "{code[:20]}"; use a code of the framework such as '
                f"{example}"
                if code
                else f"choose the {kind}"
            }
        )
    return item


def _event(session, principal, project, action, kind, item, **after) -> None:
    record(
        session=session,
        actor=principal.user,
        action=action,
        entity_type="suggestion",
        entity_key=f"{project.code} {item.code}",
        project_id=project.id,
        after={"kind": kind, "code": item.code, "name": item_name(item), **after},
    )


def accept_suggestion(
    *,
    session: Session,
    project: Project,
    kind: str,
    code: str,
    significance: str = "significant",
    expected_version: int | None,
    principal: Principal,
) -> None:
    """Tag the project with the suggested objective or theme (significant unless said)."""
    require_can_edit(principal, project)
    item = _checked_item(session, kind, code)
    if significance not in SIGNIFICANCE:
        raise InputError({"significance": "must be principal or significant"})
    if (kind, item.code) in _own_tags(session, project.id):
        raise InputError(
            {"code": f"{project.code} is already tagged with {item.code}; change it in the editor"}
        )
    set_tag(
        session=session,
        project=project,
        change=TagChange(kind, item.code, significance),
        expected_version=expected_version,
        principal=principal,
    )
    _event(
        session,
        principal,
        project,
        "accept",
        kind,
        item,
        significance=SIGNIFICANCE[significance],
    )


def dismiss_suggestion(
    *, session: Session, project: Project, kind: str, code: str, principal: Principal
) -> bool:
    """Never offer this objective or theme for the project again. False when it was
    dismissed already (nothing is written then)."""
    require_can_edit(principal, project)
    item = _checked_item(session, kind, code)
    if (kind, item.code) in dismissed(session, project.id):
        return False
    column = "objective_id" if kind == "objective" else "theme_id"
    session.add(
        SuggestionDismissal(
            project_id=project.id, **{column: item.id}, dismissed_by_id=principal.user.id
        )
    )
    session.flush()
    _event(session, principal, project, "dismiss", kind, item)
    return True


def dismissals(*, session: Session, project: Project) -> list[SuggestionDismissal]:
    return list(
        session.execute(
            select(SuggestionDismissal).where(SuggestionDismissal.project_id == project.id)
        ).scalars()
    )
