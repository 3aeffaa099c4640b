"""Coverage kept pre-aggregated as projects change, so that the heatmap reads a few hundred
rows instead of joining every tag with every place."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel


class CoverageCell(SQLModel, table=True):
    """One cell of the coverage cube: the projects of one status and programme that reach one
    row (goal, objective or theme) in one column (region, programme or theme), at a
    significance floor. Row and column totals are cells whose other side is 0; budgets are in
    ten-thousandths of the reporting currency, so that adding and taking away stays exact."""

    __tablename__ = "coverage_cell"
    __table_args__ = (
        Index(
            "ix_coverage_cell_cell",
            "floor",
            "status",
            "programme_id",
            "rows",
            "cols",
            "row_id",
            "col_id",
        ),
    )

    # A cell may have several rows, which readers sum: writers append their differences
    # rather than update a row that another writer could be holding.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    floor: int = Field(sa_column=Column(SmallInteger, nullable=False))
    status: str = Field(sa_column=Column(String(20), nullable=False))
    programme_id: int = Field(sa_column=Column(Integer, nullable=False))
    rows: str = Field(sa_column=Column(String(12), nullable=False))
    cols: str = Field(sa_column=Column(String(12), nullable=False))
    row_id: int = Field(sa_column=Column(Integer, nullable=False))
    col_id: int = Field(sa_column=Column(Integer, nullable=False))
    projects: int = Field(sa_column=Column(Integer, nullable=False))
    principal: int = Field(sa_column=Column(Integer, nullable=False))
    budget: int = Field(sa_column=Column(BigInteger, nullable=False))


class CoverageTouch(SQLModel, table=True):
    """A project whose coverage changed, one row per project and changing transaction (no
    project: every project, as after a currency rate or framework change). Each process's
    attribution index reads the rows it has not seen and reloads those projects alone. On
    PostgreSQL `xid` is the writing transaction, so that a reader can tell exactly which
    transactions committed since it last looked, whatever order their ids were taken in."""

    __tablename__ = "coverage_touch"
    __table_args__ = (Index("ix_coverage_touch_xid", "xid"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    project_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    xid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
