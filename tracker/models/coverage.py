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
