"""The portfolio: projects, where they work, how they align with the framework, and targets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from tracker.models._base import Money, Percentage, UTCDateTime, utcnow


class ProjectKind(StrEnum):
    capacity_building = "capacity_building"
    operation = "operation"


class ProjectStatus(StrEnum):
    pipeline = "pipeline"
    active = "active"
    completed = "completed"
    suspended = "suspended"
    cancelled = "cancelled"


class Significance:
    """OECD DAC policy-marker practice: 2 principal, 1 significant."""

    significant = 1
    principal = 2
    labels = {1: "Significant", 2: "Principal"}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class Project(SQLModel, table=True):
    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint(_in("kind", ProjectKind), name="kind_allowed"),
        CheckConstraint(_in("status", ProjectStatus), name="status_allowed"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="end_not_before_start",
        ),
        CheckConstraint("budget_amount IS NULL OR budget_amount >= 0", name="budget_not_negative"),
        CheckConstraint(
            "budget_amount IS NULL OR budget_currency IS NOT NULL", name="budget_has_currency"
        ),
        CheckConstraint("length(code) > 0", name="code_not_empty"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=200)
    summary: str | None = Field(default=None, sa_type=Text)
    kind: str = Field(default=ProjectKind.capacity_building, max_length=20)
    status: str = Field(default=ProjectStatus.pipeline, max_length=20, index=True)
    start_date: date | None = None
    end_date: date | None = None
    budget_amount: Decimal | None = Field(default=None, sa_type=Money)
    budget_currency: str | None = Field(
        default=None,
        sa_column=Column(String(3), ForeignKey("currency.code", ondelete="RESTRICT")),
    )
    donor: str | None = Field(default=None, max_length=200)
    programme_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("programme.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    manager_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    screened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # From IATI files: the language (ISO 639) of the title and summary where the file gave
    # one, and the project's level in its publisher's hierarchy of activities (1 the top).
    title_language: str | None = Field(default=None, max_length=20)
    summary_language: str | None = Field(default=None, max_length=20)
    iati_hierarchy: int | None = Field(default=None, sa_type=SmallInteger)


class ProjectLocation(SQLModel, table=True):
    """A country or a whole region where a project works, with an optional share of it."""

    __tablename__ = "project_location"
    __table_args__ = (
        CheckConstraint("(country_id IS NULL) <> (region_id IS NULL)", name="country_or_region"),
        CheckConstraint(
            "percentage IS NULL OR (percentage >= 0 AND percentage <= 100)",
            name="percentage_range",
        ),
        UniqueConstraint("project_id", "country_id"),
        UniqueConstraint("project_id", "region_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    country_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("country.id", ondelete="RESTRICT"), index=True),
    )
    region_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("region.id", ondelete="RESTRICT"), index=True),
    )
    percentage: Decimal | None = Field(default=None, sa_type=Percentage)


_TAG_CHECKS = (
    ("significance IN (1, 2)", "significance_allowed"),
    ("budget_share IS NULL OR (budget_share >= 0 AND budget_share <= 100)", "share_range"),
)


class TagBase(SQLModel):
    """What an objective tag and a theme tag share: the project, how strongly it serves the
    item, the budget share and why, and who tagged it when."""

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", ondelete="CASCADE")
    significance: int = Field(sa_type=SmallInteger)
    budget_share: Decimal | None = Field(default=None, sa_type=Percentage)
    rationale: str | None = Field(default=None, sa_type=Text)
    tagged_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    tagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ObjectiveTag(TagBase, table=True):
    __tablename__ = "objective_tag"
    __table_args__ = (
        *(CheckConstraint(sql, name=name) for sql, name in _TAG_CHECKS),
        UniqueConstraint("project_id", "objective_id"),
    )

    objective_id: int = Field(foreign_key="objective.id", ondelete="RESTRICT", index=True)


class ThemeTag(TagBase, table=True):
    __tablename__ = "theme_tag"
    __table_args__ = (
        *(CheckConstraint(sql, name=name) for sql, name in _TAG_CHECKS),
        UniqueConstraint("project_id", "theme_id"),
    )

    theme_id: int = Field(foreign_key="theme.id", ondelete="RESTRICT", index=True)


class Target(SQLModel, table=True):
    """A minimum an administrator expects for a goal or an objective, optionally in one region."""

    __tablename__ = "target"
    __table_args__ = (
        CheckConstraint("(goal_id IS NULL) <> (objective_id IS NULL)", name="goal_or_objective"),
        CheckConstraint(
            "min_active_projects IS NOT NULL OR min_budget_eur IS NOT NULL", name="has_minimum"
        ),
        CheckConstraint(
            "min_active_projects IS NULL OR min_active_projects >= 0", name="projects_not_negative"
        ),
        CheckConstraint(
            "min_budget_eur IS NULL OR min_budget_eur >= 0", name="budget_not_negative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("goal.id", ondelete="CASCADE"), index=True),
    )
    objective_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("objective.id", ondelete="CASCADE"), index=True),
    )
    region_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("region.id", ondelete="CASCADE"))
    )
    min_active_projects: int | None = None
    min_budget_eur: Decimal | None = Field(default=None, sa_type=Money)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectSDGTag(SQLModel, table=True):
    """An SDG tag carried over from IATI: vocabulary 2 is a goal (16), 3 a target (16.4)."""

    __tablename__ = "project_sdg_tag"
    __table_args__ = (
        CheckConstraint("vocabulary IN (2, 3)", name="vocabulary_allowed"),
        UniqueConstraint("project_id", "vocabulary", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    vocabulary: int = Field(sa_type=SmallInteger)
    code: str = Field(max_length=10)


class ProjectSector(SQLModel, table=True):
    """A sector a project works in, as an OECD DAC CRS purpose code of five digits (IATI
    sector vocabulary 1, such as 15130 legal and judicial development), with its share where
    the file gave one. `tracker.services.projects.sectors` reads them off a project."""

    __tablename__ = "project_sector"
    __table_args__ = (
        CheckConstraint("length(code) = 5", name="code_five_digits"),
        CheckConstraint(
            "percentage IS NULL OR (percentage >= 0 AND percentage <= 100)",
            name="percentage_range",
        ),
        UniqueConstraint("project_id", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code: str = Field(max_length=5)
    percentage: Decimal | None = Field(default=None, sa_type=Percentage)


class ProjectRelatedActivity(SQLModel, table=True):
    """Another IATI activity in the same publisher's hierarchy: the project's parent
    (relation 1) or one of its children (2), by IATI identifier, with its title as the file
    gave it. The other activity is not a project itself: that would count its work twice."""

    __tablename__ = "project_related_activity"
    __table_args__ = (
        CheckConstraint("relation IN (1, 2)", name="relation_allowed"),
        CheckConstraint("length(ref) > 0", name="ref_not_empty"),
        UniqueConstraint("project_id", "relation", "ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    relation: int = Field(sa_type=SmallInteger)
    ref: str = Field(max_length=200, index=True)
    title: str | None = Field(default=None, max_length=200)
