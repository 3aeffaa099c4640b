"""The coverage cube: coverage kept pre-aggregated as projects change.

The cube holds, for each significance floor, status and programme, every cell, row total,
column total and grand total of the views that most people open: goals, objectives or themes
against regions, programmes or themes. A heatmap of those views sums a few hundred cube rows
instead of joining every tag with every place. The cube is only ever a faster way to the same
figures: while it is stale every view is computed from the tables.

- `contribute`: what one project brings to the cube (its `Member`), read from the tables.
- `read`: which views the cube serves and their cells and totals.
- `sync`: keeping it in step with each change, rebuilding and compacting it.
"""

from tracker.services.coverage.cube.contribute import Member, contribute, members
from tracker.services.coverage.cube.read import Figures, is_fresh, read, read_statement, serves
from tracker.services.coverage.cube.sync import (
    compact,
    differences,
    mark_stale,
    rebuild,
    refresh,
)

__all__ = [
    "Figures",
    "Member",
    "compact",
    "contribute",
    "differences",
    "is_fresh",
    "mark_stale",
    "members",
    "read",
    "read_statement",
    "rebuild",
    "refresh",
    "serves",
]
