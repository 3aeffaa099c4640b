"""The strategic framework: goals and their objectives, themes and their statements, SDGs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from tracker.models._base import UTCDateTime, utcnow


class Framework(SQLModel, table=True):
    __tablename__ = "framework"
    __table_args__ = (
        # At most one framework is active at a time.
        Index(
            "uq_framework_one_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    version: str = Field(max_length=40)
    source: str | None = Field(default=None, max_length=500)
    active: bool = Field(default=False)
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Goal(SQLModel, table=True):
    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False)
    )
    code: str = Field(max_length=20)
    short_name: str = Field(max_length=120)
    statement: str = Field(sa_type=Text)
    position: int = Field(default=0)


class Objective(SQLModel, table=True):
    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False)
    )
    goal_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("goal.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code: str = Field(max_length=20)
    short_name: str | None = Field(default=None, max_length=120)
    statement: str = Field(sa_type=Text)
    position: int = Field(default=0)


class Theme(SQLModel, table=True):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False)
    )
    code: str = Field(max_length=20)
    name: str = Field(max_length=200)
    position: int = Field(default=0)


class ThemeStatement(SQLModel, table=True):
    __tablename__ = "theme_statement"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False)
    )
    theme_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("theme.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code: str = Field(max_length=20)
    statement: str = Field(sa_type=Text)
    position: int = Field(default=0)


class SDG(SQLModel, table=True):
    __tablename__ = "sdg"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 17", name="number_range"),)

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=120)


class GoalSDG(SQLModel, table=True):
    __tablename__ = "goal_sdg"

    goal_id: int = Field(
        sa_column=Column(Integer, ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True)
    )
    sdg_number: int = Field(
        sa_column=Column(Integer, ForeignKey("sdg.number", ondelete="RESTRICT"), primary_key=True)
    )
