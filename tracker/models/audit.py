"""The append-only record of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from tracker.models._base import JSONDocument, UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    # The projects whose tags changed between two moments, read from the index alone.
    __table_args__ = (
        Index("ix_audit_event_kind_time", "entity_type", "occurred_at", "project_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    # Kept as text so the event still reads right after the account is renamed or removed.
    actor_label: str = Field(max_length=200)
    action: str = Field(max_length=40)
    entity_type: str = Field(max_length=40, index=True)
    entity_key: str = Field(max_length=120)
    # Set on every event about a project or its tags, for the project's own history.
    project_id: int | None = Field(default=None, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONDocument)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONDocument)
