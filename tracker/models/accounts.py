"""People who use the tracker and what they may do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from tracker.models._base import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    viewer = "viewer"


class User(SQLModel, table=True):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_allowed"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(default=Role.viewer, max_length=20)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserProgramme(SQLModel, table=True):
    """A programme whose projects a manager may edit."""

    __tablename__ = "user_programme"

    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
        )
    )
    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    )
