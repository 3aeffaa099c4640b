"""Writing audit events. Every change to projects, tags, targets, users and the framework
goes through `record`, in the same transaction as the change itself."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from tracker.models import AuditEvent, User

SYSTEM_ACTOR = "System"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


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
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.full_name if actor else SYSTEM_ACTOR),
        action=action,
        entity_type=entity_type,
        entity_key=entity_key,
        project_id=project_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    if occurred_at is not None:  # back-dated rows, such as a demo portfolio's history
        event.occurred_at = occurred_at
    session.add(event)
    return event
