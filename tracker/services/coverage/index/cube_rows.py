"""The whole coverage cube summed from the columns at once: the same amounts, key for key and
to the unit, as adding every project's `cube.contribute`, in a few vectorised passes."""

from __future__ import annotations

import numpy as np

from tracker.services.coverage import sql
from tracker.services.coverage.index.columnar import FLOORS, STATUSES, Columns
from tracker.services.coverage.index.pairs import PRINCIPAL, Sums, cross, units, with_catch_all

TOTAL = 0
ANY_COLUMN = "*"


def cube_rows(columns: Columns) -> list[dict]:
    """Rows of coverage_cell (one per cell) for every live project of `columns`."""
    out: list[dict] = []
    everyone = columns.alive
    programmes = np.flatnonzero(everyone)
    for floor in FLOORS:
        rows = {
            "goals": columns.live(f"goal{floor}"),
            "objectives": columns.live(f"obj{floor}"),
            "themes": columns.live(f"theme{floor}"),
        }
        cols = {
            "regions": with_catch_all(
                columns, everyone, columns.live("region"), "item", sql.GLOBAL
            ),
            "programmes": {
                "pos": programmes,
                "col": columns.programme[programmes],
                "w": np.ones(len(programmes)),
            },
            "themes": with_catch_all(columns, everyone, rows["themes"], "item", sql.NO_THEME),
        }
        for kind, table in rows.items():
            principal = table["sig"] == PRINCIPAL
            _add(
                out,
                columns,
                floor,
                kind,
                ANY_COLUMN,
                table["pos"],
                table["item"],
                TOTAL,
                principal,
                units(columns, table["pos"], table["w"]),
            )
            for col_kind, col in cols.items():
                i, j = cross(table["pos"], col["pos"])
                pos = table["pos"][i]
                _add(
                    out,
                    columns,
                    floor,
                    kind,
                    col_kind,
                    pos,
                    table["item"][i],
                    col["col"][j],
                    principal[i],
                    units(columns, pos, table["w"][i], col["w"][j]),
                )
            if kind == "goals":
                continue
            significance = np.zeros(columns.size, dtype=np.int64)
            np.maximum.at(significance, table["pos"], table["sig"])
            aligned = np.flatnonzero(significance > 0)
            top = significance == PRINCIPAL
            _add(
                out,
                columns,
                floor,
                kind,
                ANY_COLUMN,
                aligned,
                TOTAL,
                TOTAL,
                top[aligned],
                units(columns, aligned),
            )
            for col_kind, col in cols.items():
                keep = significance[col["pos"]] > 0
                pos = col["pos"][keep]
                _add(
                    out,
                    columns,
                    floor,
                    kind,
                    col_kind,
                    pos,
                    TOTAL,
                    col["col"][keep],
                    top[pos],
                    units(columns, pos, col["w"][keep]),
                )
    return out


def _add(out, columns, floor, rows, cols, pos, row_id, col_id, principal, amount) -> None:
    """Sum by (status, programme, row, column) and append one row per cell to `out`."""
    n = len(pos)
    if not n:
        return
    row_id = np.broadcast_to(np.asarray(row_id, dtype=np.int64), (n,))
    col_id = np.broadcast_to(np.asarray(col_id, dtype=np.int64), (n,))
    status = columns.status[pos].astype(np.int64)
    programme = columns.programme[pos].astype(np.int64)
    parts = [status, programme, row_id, col_id + 16]
    bases = [int(p.max()) + 1 for p in parts]
    key = np.zeros(n, dtype=np.int64)
    for p, base in zip(parts, bases, strict=True):
        key = key * base + p
    for k, projects, top, budget in Sums(key, principal, amount).items():
        values = []
        for base in reversed(bases):
            k, value = divmod(k, base)
            values.append(value)
        col, row, prog, stat = values
        out.append(
            {
                "floor": floor,
                "status": STATUSES[stat],
                "programme_id": prog,
                "rows": rows,
                "cols": cols,
                "row_id": row,
                "col_id": col - 16,
                "projects": projects,
                "principal": top,
                "budget": budget,
            }
        )
