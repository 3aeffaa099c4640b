"""Writing audit events. Every change to projects, tags, targets, users and the framework
goes through here, in the same transaction as the change itself.

The shape of an event is decided once, in `event_values`: `record` writes one event,
`record_project` and `record_tag` say which action a change of a project or of one of its tags
was (and write nothing when nothing changed), and `EventBatch` collects the same events for a
writer of many rows and inserts them in a few statements. What such an event holds before and
after the change is shaped here too: `project_state` for a project, `tag_state` for a tag,
`place_label` for each of a project's places."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from tracker.models import AuditEvent, Project, User
from tracker.models._base import utcnow
from tracker.services.rows import insert_rows

SYSTEM_ACTOR = "System"
# A project's own fields in its events; then come its programme, manager and places.
PROJECT_FIELDS = (
    "code",
    "title",
    "summary",
    "kind",
    "status",
    "start_date",
    "end_date",
    "budget_amount",
    "budget_currency",
    "donor",
)


def _jsonable(value: Any) -> Any:
    """As the audit trail stores values: decimals as text, dates in ISO form."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def event_values(
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    project_id: int | None = None,
    actor_label: str | None = None,
) -> dict[str, Any]:
    """The columns of one audit event."""
    return {
        "actor_id": actor.id if actor else None,
        "actor_label": actor_label or (actor.full_name if actor else SYSTEM_ACTOR),
        "action": action,
        "entity_type": entity_type,
        "entity_key": entity_key,
        "project_id": project_id,
        "before": _jsonable(before) if before is not None else None,
        "after": _jsonable(after) if after is not None else None,
    }


def record(
    *,
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    project_id: int | None = None,
    actor_label: str | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        **event_values(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_key=entity_key,
            before=before,
            after=after,
            project_id=project_id,
            actor_label=actor_label,
        )
    )
    if occurred_at is not None:  # back-dated rows, such as a demo portfolio's history
        event.occurred_at = occurred_at
    session.add(event)
    return event


def place_label(code: str, percentage: Decimal | None) -> str:
    """A place of a project as its events show it: KE 60%, or KE when it has no share."""
    if percentage is None:
        return code
    return f"{code} {format(Decimal(percentage).normalize(), 'f')}%"


def project_state(project: Project, *, programme: str | None, places: list[str]) -> dict[str, Any]:
    """A project as its events show it, before or after a change: its own fields, the code of
    its programme, its manager and its places (`place_label`, in the order they were given)."""
    return {
        **{name: getattr(project, name) for name in PROJECT_FIELDS},
        "programme": programme,
        "manager_id": project.manager_id,
        "locations": places,
    }


def tag_state(
    *, code: str, name: str, significance: int, budget_share: Decimal | None, rationale
) -> dict[str, Any]:
    """A project's tag (of an objective or theme, by its code and name) as its events show it."""
    return {
        "code": code,
        "name": name,
        "significance": significance,
        "budget_share": budget_share,
        "rationale": rationale,
    }


def project_change(
    project: Project,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    action: str | None = None,
) -> dict[str, Any] | None:
    """The event's subject and action for a change of a project's own fields, `before` and
    `after` being its snapshots (None when it did not exist, or no longer does): create,
    delete, or update with only the fields that changed. None when nothing changed. `action`
    names another kind of change (such as "screen")."""
    if action is None and before is not None and after is not None:
        changed = [k for k in after if after[k] != before.get(k)]
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    if action is None:
        action = "create" if before is None else "delete" if after is None else "update"
    return {
        "action": action,
        "entity_type": "project",
        "entity_key": project.code,
        "project_id": project.id,
        "before": before,
        "after": after,
    }


def tag_change(
    project: Project,
    kind: str,
    item_code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """The event's subject and action for one tag of a project (`kind` objective or theme):
    tag, retag or untag; None when the tag is as it was."""
    if before == after:
        return None
    return {
        "action": "tag" if before is None else "untag" if after is None else "retag",
        "entity_type": f"{kind}_tag",
        "entity_key": f"{project.code} {item_code}",
        "project_id": project.id,
        "before": before,
        "after": after,
    }


def record_project(
    *,
    session: Session,
    actor: User | None,
    project: Project,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    action: str | None = None,
) -> AuditEvent | None:
    change = project_change(project, before, after, action)
    return record(session=session, actor=actor, **change) if change else None


def record_tag(
    *,
    session: Session,
    actor: User | None,
    project: Project,
    kind: str,
    item_code: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent | None:
    change = tag_change(project, kind, item_code, before, after)
    return record(session=session, actor=actor, **change) if change else None


class EventBatch:
    """Events of many changes by one actor at one moment, collected and then inserted in a few
    statements: the same events as `record_project` and `record_tag` write one at a time."""

    def __init__(self, actor: User | None, occurred_at: datetime | None = None):
        self.actor = actor
        self.occurred_at = occurred_at or utcnow()
        self.rows: list[dict[str, Any]] = []

    def add(self, change: dict[str, Any] | None) -> None:
        if change is not None:
            values = event_values(actor=self.actor, **change)
            self.rows.append({**values, "occurred_at": self.occurred_at})

    def project(self, project: Project, before, after, action: str | None = None) -> None:
        self.add(project_change(project, before, after, action))

    def tag(self, project: Project, kind: str, item_code: str, before, after) -> None:
        self.add(tag_change(project, kind, item_code, before, after))

    def write(self, session: Session) -> None:
        insert_rows(session, AuditEvent.__table__, self.rows)
        self.rows = []
