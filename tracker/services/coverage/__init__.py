"""Coverage: which objectives, themes, regions and programmes the portfolio reaches, and how
much money reaches them. All aggregation happens in SQL."""

from tracker.services.coverage.filters import CoverageQuery, coverage_query, parse_coverage_query
from tracker.services.coverage.matrix import Cell, Column, Matrix, Row, compute_matrix
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
    "compute_matrix",
    "coverage_query",
    "parse_coverage_query",
]
