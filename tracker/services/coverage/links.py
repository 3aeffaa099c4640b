"""The projects list behind a cell: its parameters mirror how the matrix counts."""

from __future__ import annotations

from tracker.services.coverage import sql
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.matrix import Column, Row

_SENTINELS = {
    sql.GLOBAL: ("located", "global"),
    sql.WHOLE_REGION: ("located", "whole-region"),
    sql.ELSEWHERE: ("located", "elsewhere"),
    sql.UNDATED: ("year", "undated"),
    sql.NO_THEME: ("theme", "none"),
}


def cell_params(
    query: CoverageQuery, row: Row | None, column: Column | None
) -> list[tuple[str, str]]:
    """Projects-list parameters for a cell; None for a total across rows or columns."""
    # The day compared with is the heatmap's own: a list of projects has no change to show.
    base = [(k, v) for k, v in query.url_params() if k not in ("rows", "cols", "metric", "compare")]
    if row is not None:
        base.append((row.level, row.code))
    if column is None:
        return base
    if column.key in _SENTINELS:
        base.append(_SENTINELS[column.key])
    elif query.columns in ("regions", "countries"):
        base.append(("located", column.code))
    elif query.columns == "programmes":
        base = [p for p in base if p[0] != "programme"] + [("programme", column.code)]
    elif query.columns == "themes":
        base.append(("theme", column.code))
    elif query.columns == "years":
        base.append(("year", column.code))
    return base
