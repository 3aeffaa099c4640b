"""Coverage over time: each project's state over runs of days, and coverage's daily changes.

A project version holds what coverage needs of one project (its own fields, its tags and its
places) over the days `valid_from` <= day < `valid_to` (open while `valid_to` is empty), as it
stood at the end of each of those days (UTC). Versions keep the project's id and code without a
foreign key, so that a deleted project's past stays. Coverage history holds, per day, how the
figures of active projects (at any significance, by region) moved that day; a day's figures are
the sum of every change up to it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from tracker.models._base import Money, Percentage


class ProjectVersion(SQLModel, table=True):
    __tablename__ = "project_version"
    __table_args__ = (
        Index("ix_project_version_project_valid", "project_id", "valid_to"),
        Index("ix_project_version_days", "valid_from", "valid_to"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(Integer, nullable=False))
    code: str = Field(max_length=40)
    valid_from: date
    valid_to: date | None = None
    status: str = Field(max_length=20)
    programme_id: int = Field(sa_column=Column(Integer, nullable=False))
    start_date: date | None = None
    end_date: date | None = None
    budget_amount: Decimal | None = Field(default=None, sa_type=Money)
    budget_currency: str | None = Field(default=None, max_length=3)
    screened: bool = Field(default=False)


def _version_id() -> Column:
    return Column(
        Integer,
        ForeignKey("project_version.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


class ObjectiveTagVersion(SQLModel, table=True):
    __tablename__ = "objective_tag_version"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_version_id())
    objective_id: int = Field(sa_column=Column(Integer, nullable=False))
    significance: int = Field(sa_type=SmallInteger)
    budget_share: Decimal | None = Field(default=None, sa_type=Percentage)


class ThemeTagVersion(SQLModel, table=True):
    __tablename__ = "theme_tag_version"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_version_id())
    theme_id: int = Field(sa_column=Column(Integer, nullable=False))
    significance: int = Field(sa_type=SmallInteger)
    budget_share: Decimal | None = Field(default=None, sa_type=Percentage)


class LocationVersion(SQLModel, table=True):
    __tablename__ = "location_version"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(sa_column=_version_id())
    country_id: int | None = Field(default=None, sa_column=Column(Integer))
    region_id: int | None = Field(default=None, sa_column=Column(Integer))
    percentage: Decimal | None = Field(default=None, sa_type=Percentage)


class CoverageChange(SQLModel, table=True):
    """How one figure of active projects moved on one day: a row (goal, objective, theme, or
    "projects" for every active project) in a region (0: everywhere), for one programme.
    Budgets are in ten-thousandths of the reporting currency; `id_sum` adds up the projects'
    ids, so that a figure of one project names it."""

    __tablename__ = "coverage_change"
    __table_args__ = (
        Index("ix_coverage_change_rows_day", "rows", "day"),
        Index("ix_coverage_change_xid", "xid"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    day: date
    programme_id: int = Field(sa_column=Column(Integer, nullable=False))
    rows: str = Field(sa_column=Column(String(12), nullable=False))
    row_id: int = Field(sa_column=Column(Integer, nullable=False))
    col_id: int = Field(sa_column=Column(Integer, nullable=False))
    projects: int = Field(sa_column=Column(Integer, nullable=False))
    principal: int = Field(sa_column=Column(Integer, nullable=False))
    budget: int = Field(sa_column=Column(BigInteger, nullable=False))
    id_sum: int = Field(sa_column=Column(BigInteger, nullable=False))
    # PostgreSQL: the writing transaction, so that each process's copy of the changes reads
    # exactly the rows committed since it last looked (tracker.services.history.running).
    xid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
