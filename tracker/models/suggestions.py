"""Tag suggestions: the trained suggestion model, kept for every process to load, and the
suggestions people dismissed for a project, never offered for it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models._base import UTCDateTime, utcnow


class SuggestionModel(SQLModel, table=True):
    """A trained model (numpy arrays in one npz file, never a pickle), with a fingerprint of
    the framework, projects and tags it learned from. Only the newest row is used."""

    __tablename__ = "suggestion_model"

    id: int | None = Field(default=None, primary_key=True)
    trained_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fingerprint: str = Field(max_length=64)
    framework_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE")),
    )
    projects: int = Field(default=0)  # tagged projects it learned from
    size_bytes: int = Field(default=0)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SuggestionDismissal(SQLModel, table=True):
    """An objective or theme someone dismissed as a suggestion for a project."""

    __tablename__ = "suggestion_dismissal"
    __table_args__ = (
        CheckConstraint("(objective_id IS NULL) <> (theme_id IS NULL)", name="objective_or_theme"),
        UniqueConstraint("project_id", "objective_id"),
        UniqueConstraint("project_id", "theme_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    objective_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("objective.id", ondelete="CASCADE")),
    )
    theme_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("theme.id", ondelete="CASCADE"))
    )
    dismissed_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    dismissed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
