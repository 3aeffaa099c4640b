"""Imports in progress: the file, how far the check or the commit has got, and its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from tracker.models._base import JSONDocument, UTCDateTime, utcnow


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    __table_args__ = (
        CheckConstraint("kind IN ('spreadsheet', 'iati')", name="kind_allowed"),
        CheckConstraint(
            "status IN ('checking', 'checked', 'committing', 'committed', 'refused', 'failed')",
            name="status_allowed",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    kind: str = Field(max_length=20)
    filename: str = Field(max_length=255)
    programme: str | None = Field(default=None, max_length=20)  # for IATI activities
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="checking", max_length=20)
    total: int = Field(default=0)
    done: int = Field(default=0)
    report: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDocument)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
