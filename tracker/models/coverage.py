"""Coverage kept pre-aggregated as projects change, so that the heatmap reads a few hundred
rows instead of joining every tag with every place."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel


class CoverageCell(SQLModel, table=True):
    """One cell of the coverage cube: the projects of one status and programme that reach one
    row (goal, objective or theme) in one column (region, programme or theme), at a
    significance floor. Row and column totals are cells whose other side is 0; budgets are in
    ten-thousandths of the reporting currency, so that adding and taking away stays exact."""

    __tablename__ = "coverage_cell"

    floor: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    status: str = Field(sa_column=Column(String(20), primary_key=True))
    programme_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    rows: str = Field(sa_column=Column(String(12), primary_key=True))
    cols: str = Field(sa_column=Column(String(12), primary_key=True))
    row_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    col_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    projects: int = Field(sa_column=Column(Integer, nullable=False))
    principal: int = Field(sa_column=Column(Integer, nullable=False))
    budget: int = Field(sa_column=Column(BigInteger, nullable=False))
