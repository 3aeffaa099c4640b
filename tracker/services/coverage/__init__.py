"""Coverage: which objectives, themes, regions and programmes the portfolio reaches, and how
much money reaches them: summed in the coverage cube (the views it holds), in the process's
attribution index (every other view of now), or in SQL from the tables (the reference the
others are tested against)."""

from tracker.services.coverage.filters import CoverageQuery, coverage_query, parse_coverage_query
from tracker.services.coverage.matrix import (
    Cell,
    Column,
    Matrix,
    Row,
    compute_for_project,
    compute_matrix,
)
from tracker.services.coverage.params import COLUMN_KINDS, METRICS, ROW_KINDS, CoverageParams

__all__ = [
    "COLUMN_KINDS",
    "METRICS",
    "ROW_KINDS",
    "Cell",
    "Column",
    "CoverageParams",
    "CoverageQuery",
    "Matrix",
    "Row",
    "compute_for_project",
    "compute_matrix",
    "coverage_query",
    "parse_coverage_query",
]
