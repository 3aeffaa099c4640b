"""The strategic framework: goals and their objectives, themes and their statements, SDGs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from tracker.models._base import JSONDocument, Percentage, UTCDateTime, utcnow


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
    # Per language other than English (the official text), where its translation comes from:
    # {"fr": {"name": ..., "official": false, "source": ..., "note": ..., "loaded_at": ...}}.
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


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
    # In other languages: {"fr": {"short_name": ..., "statement": ..., "official": false}}.
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


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
    # In other languages: {"fr": {"short_name": ..., "statement": ..., "official": false}}.
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


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
    # Its name in other languages: {"fr": {"name": ..., "official": false}}.
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


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
    # Its words in other languages: {"fr": {"statement": ..., "official": false}}.
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


class SDG(SQLModel, table=True):
    """A Sustainable Development Goal: its short name and official title (English), with the
    other languages' in `translations` ({"fr": {"short": ..., "title": ...}, ...})."""

    __tablename__ = "sdg"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 17", name="number_range"),)

    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=120)
    title: str = Field(default="", sa_type=Text)
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


class SDGTarget(SQLModel, table=True):
    """One of the 169 SDG targets ("16.4", "16.a"): the official text (English, and the other
    languages' in `translations`) and a short title of the tracker's."""

    __tablename__ = "sdg_target"

    code: str = Field(primary_key=True, max_length=8)
    sdg_number: int = Field(
        sa_column=Column(
            Integer, ForeignKey("sdg.number", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    position: int = Field(default=0)
    short_title: str = Field(max_length=200)
    title: str = Field(sa_type=Text)
    translations: dict = Field(default_factory=dict, sa_type=JSONDocument)


class SDGLink(SQLModel, table=True):
    """A goal or an objective of the framework linked to an SDG target, or to an SDG as a whole
    (no target): the way its projects' budget reaches the SDGs. An objective without links of
    its own takes its goal's. `weight` is a percentage of the item's budget (the rest is split
    equally over the links without one); `proposed` marks a link the tracker proposed and an
    administrator has not yet confirmed."""

    __tablename__ = "sdg_link"
    __table_args__ = (
        CheckConstraint("(goal_id IS NULL) <> (objective_id IS NULL)", name="goal_or_objective"),
        CheckConstraint("weight IS NULL OR (weight >= 0 AND weight <= 100)", name="weight_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("framework.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    goal_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("goal.id", ondelete="CASCADE"), index=True),
    )
    objective_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("objective.id", ondelete="CASCADE"), index=True),
    )
    sdg_number: int = Field(
        sa_column=Column(Integer, ForeignKey("sdg.number", ondelete="RESTRICT"), nullable=False)
    )
    target_code: str | None = Field(
        default=None,
        sa_column=Column(String(8), ForeignKey("sdg_target.code", ondelete="RESTRICT")),
    )
    weight: Decimal | None = Field(default=None, sa_type=Percentage)
    note: str | None = Field(default=None, max_length=500)
    proposed: bool = Field(default=False)
