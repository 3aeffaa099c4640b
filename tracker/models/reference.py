"""Reference data: regions, countries, programmes and currencies with their rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from tracker.models._base import Rate


class Region(SQLModel, table=True):
    __tablename__ = "region"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=100, unique=True)
    position: int = Field(default=0)


class Country(SQLModel, table=True):
    __tablename__ = "country"
    __table_args__ = (CheckConstraint("length(code) = 2", name="code_alpha2"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=2, unique=True)
    alpha3: str = Field(max_length=3, unique=True)
    name: str = Field(max_length=120)
    region_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("region.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )


class Programme(SQLModel, table=True):
    __tablename__ = "programme"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120, unique=True)
    active: bool = Field(default=True)


class Currency(SQLModel, table=True):
    """A currency and the value of one unit in the reporting currency."""

    __tablename__ = "currency"
    __table_args__ = (
        CheckConstraint("length(code) = 3", name="code_iso4217"),
        CheckConstraint("rate_to_reporting > 0", name="rate_positive"),
    )

    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=80)
    rate_to_reporting: Decimal = Field(sa_type=Rate)
    as_of: date


class CacheState(SQLModel, table=True):
    """A token that changes with every write that can change coverage, so that every worker and
    instance knows when its cached figures are stale."""

    __tablename__ = "cache_state"

    key: str = Field(primary_key=True, max_length=40)
    token: str = Field(max_length=40)
