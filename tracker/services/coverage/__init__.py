"""Coverage: which objectives, themes, regions and programmes the portfolio reaches, and how
much money reaches them. All aggregation happens in SQL."""

from tracker.services.coverage.filters import (
    COLUMN_KINDS,
    METRICS,
    ROW_KINDS,
    CoverageQuery,
    parse_coverage_query,
)
from tracker.services.coverage.matrix import Cell, Column, Matrix, Row, compute_matrix

__all__ = [
    "COLUMN_KINDS",
    "METRICS",
    "ROW_KINDS",
    "Cell",
    "Column",
    "CoverageQuery",
    "Matrix",
    "Row",
    "compute_matrix",
    "parse_coverage_query",
]
