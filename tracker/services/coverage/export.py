"""A coverage matrix as a CSV file, as the heatmap shows it."""

from __future__ import annotations

import csv
import io

from tracker.services.coverage.matrix import Matrix
from tracker.services.exchange.spreadsheet.write import neutralise


def matrix_csv(matrix: Matrix, metric: str) -> str:
    """One line per row (level, code, name, a value per column, the row's total), then the
    column totals. Text that a spreadsheet would run as a formula is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)

    def value(cell) -> str:
        return f"{cell.budget:.2f}" if metric == "budget" else str(cell.value(metric))

    writer.writerow(
        ["level", "code", "name", *[neutralise(c.label) for c in matrix.columns], "Total"]
    )
    for row in matrix.rows:
        writer.writerow(
            [
                row.level,
                row.code,
                neutralise(row.label),
                *[value(matrix.cell(row, c)) for c in matrix.columns],
                value(matrix.row_total(row)),
            ]
        )
    writer.writerow(
        [
            "total",
            "",
            "All",
            *[value(matrix.column_total(c)) for c in matrix.columns],
            value(matrix.total),
        ]
    )
    return out.getvalue()
