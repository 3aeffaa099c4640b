"""Any view of goals, objectives or themes (against regions, a region's countries, programmes,
themes or years; any status, programme, region, dates and significance) from the columns.

The same pairs as the SQL of `sql.py` (each project's rows and columns with their shares),
made and summed with numpy: a view of 100,000 projects is a few passes over arrays of a few
hundred thousand numbers. Budgets are summed in ten-thousandths, each project's part rounded
as the coverage cube rounds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
from sqlmodel import Session

from tracker.services.coverage import sql
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.index.columnar import NO_DAY, STATUSES, Columns
from tracker.services.coverage.index.pairs import (
    PRINCIPAL,
    UNIT,
    Sums,
    cross,
    pair_key,
    part,
    summed_by,
    units,
    with_catch_all,
)
from tracker.services.coverage.index.sdg_rows import sdg_tables

ROWS = {"goals": "goal", "objectives": "obj", "themes": "theme"}
SDG_ROWS = ("sdgs", "sdg_targets")
LEVEL = {"goal": "goal", "obj": "objective", "theme": "theme"}


@dataclass
class IndexFigures:
    cells: dict
    row_totals: dict
    column_totals: dict
    total: tuple[int, int, Decimal]
    years: list[int] | None = None


def serves(query: CoverageQuery) -> bool:
    """Any view of goals, objectives, themes, SDGs or SDG targets, now or as of a day."""
    return (query.rows in ROWS or query.rows in SDG_ROWS) and query.floor in (1, 2)


def in_filter(columns: Columns, query: CoverageQuery) -> np.ndarray:
    """Which projects the view's filters keep: live positions only, so that entry tables are
    used whole (retired positions too) wherever their entries are then kept by this mask."""
    mask = columns.alive.copy()
    if query.as_of is not None and "valid_from" in columns.meta:
        day = query.as_of.toordinal()
        mask &= (columns.meta["valid_from"] <= day) & (columns.meta["valid_to"] > day)
    if query.statuses:
        wanted = [STATUSES.index(s) for s in query.statuses if s in STATUSES]
        mask &= np.isin(columns.status, wanted)
    if query.programme_ids:
        mask &= np.isin(columns.programme, list(query.programme_ids))
    if query.date_from:
        mask &= (columns.end != NO_DAY) & (columns.end >= query.date_from.toordinal())
    if query.date_to:
        mask &= (columns.start != NO_DAY) & (columns.start <= query.date_to.toordinal())
    if query.region_id is not None:
        places = columns.entries["place"]
        there = (places["region"] == query.region_id) | (places["own"] == query.region_id)
        reaches = np.zeros(columns.size, dtype=bool)
        reaches[places["pos"][there]] = True
        mask &= reaches
    return mask


def figures(
    columns: Columns, query: CoverageQuery, session: Session, *, project_id: int | None = None
) -> IndexFigures:
    """The view's figures; with `project_id`, what that one project adds to them."""
    mask = in_filter(columns, query)
    if project_id is not None:
        mask &= columns.pid == project_id
    years = _years(columns, mask) if query.columns == "years" else None
    cols = _columns(columns, query, mask, years)
    out = IndexFigures({}, {}, {}, (0, 0, Decimal(0)), years)
    if query.rows in SDG_ROWS:
        by_sdg, by_target, targets = sdg_tables(session, columns, query, mask)
        _cells(columns, by_sdg, cols, lambda n: f"sdg:{n}", out)
        if query.rows == "sdg_targets":
            _cells(columns, by_target, cols, lambda t: f"sdg_target:{targets.codes[t]}", out)
        _totals(columns, by_target, cols, out)
        return out
    leaf = ROWS[query.rows]
    floor = query.floor
    levels = [leaf, "goal"] if leaf == "obj" else [leaf]
    for level in levels:
        rows = _keep(columns.entries[f"{level}{floor}"], mask)
        _cells(columns, rows, cols, lambda i, level=LEVEL[level]: f"{level}:{i}", out)
    rows = _keep(columns.entries[f"{leaf}{floor}"], mask)
    _totals(columns, rows, cols, out)
    return out


def _keep(table: dict, mask: np.ndarray) -> dict:
    keep = mask[table["pos"]]
    return {k: v[keep] for k, v in table.items()}


def _money(amount: int) -> Decimal:
    return Decimal(int(amount)) / UNIT


def _numbered(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, and each value's place among them."""
    if not len(values):
        return values, values
    low = int(values.min())
    seen = np.bincount(values - low)
    present = np.flatnonzero(seen)
    place = np.zeros(len(seen), dtype=np.int64)
    place[present] = np.arange(len(present))
    return present + low, place[values - low]


def _cells(columns: Columns, rows: dict, cols: dict, name, out: IndexFigures) -> None:
    """Each cell's projects, principal projects and budget: sparse products of the projects'
    rows and columns (every project's pairs, summed without being listed one by one)."""
    from scipy import sparse  # with the first view outside the cube, not when the app starts

    row_ids, row_of = _numbered(rows["item"])
    col_ids, col_of = _numbered(cols["col"])
    if len(row_ids) and len(col_ids):
        shape = (columns.size, len(row_ids))

        def by_row(values):
            return sparse.csr_matrix((values, (rows["pos"], row_of)), shape=shape).T.tocsr()

        by_col = sparse.csr_matrix(
            (np.ones(len(col_of)), (cols["pos"], col_of)), shape=(columns.size, len(col_ids))
        )
        weighted = sparse.csr_matrix(
            (cols["w"], (cols["pos"], col_of)), shape=(columns.size, len(col_ids))
        )
        budget = columns.budget[rows["pos"]] * UNIT * rows["w"]
        projects = (by_row(np.ones(len(row_of))) @ by_col).toarray()
        principal = (by_row((rows["sig"] == PRINCIPAL).astype(np.float64)) @ by_col).toarray()
        amount = (by_row(budget) @ weighted).toarray()
        for r, c in zip(*np.nonzero(projects), strict=True):
            out.cells[(name(int(row_ids[r])), int(col_ids[c]))] = (
                round(projects[r, c]),
                round(principal[r, c]),
                _money(round(amount[r, c])),
            )
    sums = Sums(rows["item"], rows["sig"] == PRINCIPAL, units(columns, rows["pos"], rows["w"]))
    for row, n, p, b in sums.items():
        out.row_totals[name(row)] = (n, p, _money(b))


def _totals(columns: Columns, rows: dict, cols: dict, out: IndexFigures) -> None:
    """Column totals and the grand total, of the projects with a row at the floor."""
    significance = np.zeros(columns.size, dtype=np.int64)
    np.maximum.at(significance, rows["pos"], rows["sig"])
    aligned = significance > 0
    keep = aligned[cols["pos"]]
    pos, col, w = cols["pos"][keep], cols["col"][keep], cols["w"][keep]
    sums = Sums(col, significance[pos] == PRINCIPAL, units(columns, pos, w))
    for col_id, n, p, b in sums.items():
        out.column_totals[int(col_id)] = (n, p, _money(b))
    everyone = np.flatnonzero(aligned)
    out.total = (
        len(everyone),
        int((significance[everyone] == PRINCIPAL).sum()),
        _money(int(units(columns, everyone).sum())),
    )


def _columns(columns: Columns, query: CoverageQuery, mask, years) -> dict[str, np.ndarray]:
    """(pos, col, w) of the projects in the filter, sorted by pos; one per (pos, col)."""
    kind = query.columns
    if kind == "programmes":
        pos = np.flatnonzero(mask)
        return {"pos": pos, "col": columns.programme[pos], "w": np.ones(len(pos))}
    if kind == "themes":
        table = columns.entries[f"theme{query.floor}"]
        return with_catch_all(columns, mask, table, "item", sql.NO_THEME)
    if kind == "years":
        return _year_pairs(columns, mask, years or [])
    if kind == "regions":
        return with_catch_all(columns, mask, columns.entries["region"], "item", sql.GLOBAL)
    places = _keep(columns.entries["place"], mask)
    region = query.region_id
    col = np.where(
        (places["country"] != 0) & (places["region"] == region),
        places["country"],
        np.where(places["own"] == region, sql.WHOLE_REGION, sql.ELSEWHERE),
    )
    located = summed_by(places["pos"], col, places["w"])
    located["item"] = located.pop("col")
    return with_catch_all(columns, mask, located, "item", sql.GLOBAL)


def _dated(columns: Columns, mask) -> np.ndarray:
    return mask & (columns.start != NO_DAY) & (columns.end != NO_DAY)


def _years(columns: Columns, mask) -> list[int]:
    dated = _dated(columns, mask)
    if not dated.any():
        return []
    low = date.fromordinal(int(columns.start[dated].min())).year
    high = date.fromordinal(int(columns.end[dated].max())).year
    return list(range(low, high + 1))


def _year_pairs(columns: Columns, mask, years: list[int]) -> dict[str, np.ndarray]:
    """Each dated project's share of days in each year it runs; undated ones apart."""
    dated = np.flatnonzero(_dated(columns, mask))
    undated = np.flatnonzero(mask & ~_dated(columns, mask))
    if years:
        firsts = np.array([date(y, 1, 1).toordinal() for y in [*years, years[-1] + 1]])
        start, end = columns.start[dated], columns.end[dated]
        y0 = np.searchsorted(firsts, start, "right") - 1
        y1 = np.searchsorted(firsts, end, "right") - 1
        count = y1 - y0 + 1
        pos = np.repeat(dated, count)
        index = np.repeat(y0, count) + (
            np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        )
        s, e = columns.start[pos], columns.end[pos]
        overlap = np.minimum(e, firsts[index + 1] - 1) - np.maximum(s, firsts[index]) + 1
        w = overlap / (e - s + 1)
        col = np.array(years)[index]
    else:
        pos, col, w = (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
    pos = np.concatenate([pos, undated])
    order = np.argsort(pos, kind="stable")
    return {
        "pos": pos[order],
        "col": np.concatenate([col, np.full(len(undated), sql.UNDATED)])[order],
        "w": np.concatenate([w, np.ones(len(undated))])[order],
    }


def alone(columns: Columns, query: CoverageQuery) -> list[tuple[int, int, int, int]]:
    """(objective, region, project, its end as an ordinal) for every objective-by-region cell
    of the view that exactly one project covers."""
    mask = in_filter(columns, query)
    rows = _keep(columns.entries[f"obj{query.floor}"], mask)
    cols = _columns(columns, query.with_view(columns="regions"), mask, None)
    i, j = cross(rows["pos"], cols["pos"])
    placed = cols["col"][j] > 0
    i, j = i[placed], j[placed]
    key, base = pair_key(rows["item"][i], cols["col"][j])
    keys, first = _once(key)
    pos = rows["pos"][i][first]
    owner = columns.meta.get("project", columns.pid)[pos]
    return [
        (*part(k, base), int(p), int(end))
        for k, p, end in zip(keys.tolist(), owner.tolist(), columns.end[pos].tolist(), strict=True)
    ]


def _once(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The keys found exactly once, in order, and where each is."""
    if len(key) and int(key.max()) - int(key.min()) < Sums.DENSE:  # counted in place
        low = int(key.min())
        count = np.bincount(key - low)
        where = np.zeros(len(count), dtype=np.int64)
        where[key - low] = np.arange(len(key))  # of a key found once, its one place
        single = np.flatnonzero(count == 1)
        return single + low, where[single]
    keys, first, count = np.unique(key, return_index=True, return_counts=True)
    return keys[count == 1], first[count == 1]
