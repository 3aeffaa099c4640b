"""Each process's copy of coverage's daily changes, as columns of numbers, so that the figures
of any day, or of every point of a trend at once, are running sums over arrays instead of a
scan of the whole table for each.

Changes are only ever appended (a rebuild of coverage over time replaces them all and gives
the indexes a new epoch). The copy reads the rows appended since it last looked, in the same
statement as its new position, so no row is read twice or missed: on SQLite by id (one writer
at a time: ids grow in the order transactions commit), on PostgreSQL by the writing
transaction against the snapshot last read at.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import text
from sqlmodel import Session

from tracker.services.coverage import cache
from tracker.services.coverage.index.columnar import OWN
from tracker.services.coverage.index.store import EPOCH_KEY, newest, still_there

ROWS = ("goals", "objectives", "themes", "projects")
FIELDS = ("day", "programme", "rows", "row_id", "col_id", "projects", "principal", "budget")
FIELDS += ("id_sum",)
OFFSET = 16


MEMO_ENTRIES = 64


@dataclass
class _Copy:
    epoch: str
    position: object
    columns: dict[str, np.ndarray]
    anchor: tuple | None = None
    # sums_at's answers, by its arguments: (rows summed, {figure key: [n, p, b, id sum]}).
    # Rows are only appended to a copy, so an answer is brought up to date with the new ones.
    memo: OrderedDict = field(default_factory=OrderedDict)
    # The arrays that the columns are the beginning of, with room for rows to come.
    room: dict[str, np.ndarray] | None = None


def _figure_keys(columns: dict[str, np.ndarray]) -> np.ndarray:
    return (columns["rows"] * ROW_IDS + columns["row_id"]) * COLUMNS + columns["col_id"] + OFFSET


def _with_figures(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The columns with `figure`: a small whole number per (rows, row id, column), numbering
    the sorted `figures` (kept as an array of their full keys)."""
    key = _figure_keys(columns)
    figures = np.unique(key)
    return {**columns, "figure": np.searchsorted(figures, key), "figures": figures}


def _appended(copy: _Copy, more: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`_with_figures` of the copy's columns with `more` after them, numbering only the new
    rows (and renumbering the old ones where new figures come between). Columns are views of
    longer arrays, filled further as rows come: the rows before stay as they are, for readers
    still holding them."""
    columns = copy.columns
    key = _figure_keys(more)
    old = columns["figures"]
    figures = np.union1d(old, key)
    used, extra = len(columns["day"]), len(key)
    more = {**more, "figure": np.searchsorted(figures, key)}
    room = copy.room
    if room is None or len(room["day"]) < used + extra:
        size = used + extra + max(used // 4, 1_024)
        room = copy.room = {k: np.empty(size, dtype=np.int64) for k in more}
        for k in more:
            room[k][:used] = columns[k]
    if len(figures) != len(old):  # a new array: readers keep the old numbering
        figure = np.empty(len(room["figure"]), dtype=np.int64)
        figure[:used] = np.searchsorted(figures, old)[columns["figure"]]
        room["figure"] = figure
    for k, v in more.items():
        room[k][used : used + extra] = v
    return {**{k: v[: used + extra] for k, v in room.items()}, "figures": figures}


_copies: dict[str, _Copy] = {}
_lock = threading.Lock()


def _day(postgresql: bool) -> str:
    if postgresql:
        return "(c.day - DATE '0001-01-01' + 1)"
    return "(CAST(julianday(c.day) AS INTEGER) - 1721424)"


def _rows_code() -> str:
    return "CASE c.rows " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(ROWS)) + " END"


def _read(session: Session, since) -> tuple[object, dict[str, np.ndarray]]:
    """The rows appended after `since` (None: every row) and the new position, read at once."""
    postgresql = cache.is_postgresql(session)
    values = (
        f"{_day(postgresql)}, c.programme_id, {_rows_code()}, c.row_id, c.col_id, "
        "c.projects, c.principal, c.budget, c.id_sum"
    )
    if postgresql:
        condition = (
            "c.xid >= txid_snapshot_xmin(CAST(:since AS txid_snapshot)) "
            "AND NOT txid_visible_in_snapshot(c.xid, CAST(:since AS txid_snapshot))"
            if since is not None
            else "TRUE"
        )
        statement = (
            "WITH now AS (SELECT txid_current_snapshot()::text AS position) "
            f"SELECT now.position, {values} FROM now "
            f"LEFT JOIN coverage_change c ON {condition}"
        )
    else:
        statement = (
            f"SELECT c.id, {values} FROM coverage_change c WHERE c.id > :since ORDER BY c.id"
        )
    found = session.execute(
        text(statement), {"since": since if since is not None else 0}, execution_options=OWN
    ).all()
    if postgresql:
        position = found[0][0] if found else since
        found = [row for row in found if row[1] is not None]
    else:
        position = found[-1][0] if found else since
    array = np.array([row[1:] for row in found], dtype=np.int64).reshape(len(found), len(FIELDS))
    return position, {name: array[:, i] for i, name in enumerate(FIELDS)}


def changes(session: Session) -> dict[str, np.ndarray]:
    """Every change of coverage over time, as columns (day as an ordinal)."""
    return _current(session)[0]


def _current(session: Session) -> tuple[dict[str, np.ndarray], _Copy | None]:
    """Every change as columns, and the process's copy that holds them (None: read afresh)."""
    url = str(session.get_bind().url)
    epoch = session.execute(
        text("SELECT token FROM cache_state WHERE key = :key"),
        {"key": EPOCH_KEY},
        execution_options=OWN,
    ).scalar()
    with _lock:
        copy = _copies.get(url)
        if epoch is None:
            return _read(session, None)[1], None
        if (
            copy is None
            or copy.epoch != epoch
            or not still_there(session, "coverage_change", "budget", copy.anchor)
        ):
            anchor = newest(session, "coverage_change", "budget")
            position, columns = _read(session, None)
            copy = _copies[url] = _Copy(epoch, position, _with_figures(columns), anchor)
        else:
            copy.anchor = newest(session, "coverage_change", "budget")
            position, more = _read(session, copy.position)
            if len(more["day"]):
                copy.columns = _appended(copy, more)
            copy.position = position
        return copy.columns, copy


def _selected(columns, rows, programme_ids, until: int, start: int = 0) -> np.ndarray:
    """Positions (from `start` on) of the changes of `rows` up to `until`."""
    if start:
        columns = {k: columns[k][start:] for k in ("rows", "day", "programme")}
    keep = np.isin(columns["rows"], [ROWS.index(r) for r in rows]) & (columns["day"] <= until)
    programme_ids = list(programme_ids)
    if programme_ids:
        keep &= np.isin(columns["programme"], programme_ids)
    return np.flatnonzero(keep) + start


ROW_IDS = 1 << 14
COLUMNS = 1 << 8
PROGRAMMES = 1 << 12


def _dense(columns, chosen, by_programme: bool) -> tuple[np.ndarray, list[tuple]]:
    """A small whole number per figure of the chosen rows, and each number's figure."""
    if not by_programme and "figure" in columns:
        figure = columns["figure"][chosen]
        present = np.flatnonzero(np.bincount(figure, minlength=len(columns["figures"])))
        lookup = np.zeros(len(columns["figures"]), dtype=np.int64)
        lookup[present] = np.arange(len(present))
        names = []
        for k in columns["figures"][present].tolist():
            k, col = divmod(k, COLUMNS)
            rows, row = divmod(k, ROW_IDS)
            names.append((ROWS[rows], row, col - OFFSET))
        return lookup[figure], names
    row_id, col_id = columns["row_id"][chosen], columns["col_id"][chosen] + OFFSET
    key = (columns["rows"][chosen] * ROW_IDS + row_id) * COLUMNS + col_id
    if by_programme:
        key = key * PROGRAMMES + columns["programme"][chosen]
    fits = len(key) == 0 or (
        row_id.max() < ROW_IDS
        and col_id.max() < COLUMNS
        and (not by_programme or columns["programme"][chosen].max() < PROGRAMMES)
    )
    if fits and len(key) and key.max() < (1 << 22):  # few enough to count in place
        seen = np.bincount(key)
        present = np.flatnonzero(seen)
        lookup = np.zeros(len(seen), dtype=np.int64)
        lookup[present] = np.arange(len(present))
        inverse = lookup[key]
    else:
        present, inverse = np.unique(key, return_inverse=True)
    names = []
    for k in present.tolist():
        programme = None
        if by_programme:
            k, programme = divmod(k, PROGRAMMES)
        k, col = divmod(k, COLUMNS)
        rows, row = divmod(k, ROW_IDS)
        name = (ROWS[rows], row, col - OFFSET)
        names.append((*name, programme) if by_programme else name)
    return inverse, names


def _sum(values: np.ndarray, inverse: np.ndarray, size: int) -> np.ndarray:
    # Whole numbers below 2**53 add exactly in floating point.
    return np.bincount(inverse, weights=values, minlength=size).astype(np.int64)


def sums_at(
    session: Session, day: date, *, rows, programme_ids=(), by_programme: bool = False
) -> dict[tuple, tuple[int, int, int, int]]:
    """As `changes.sums_at`: each figure at the end of `day`, where there are projects.

    The process's copy remembers its answers: asked again after changes were appended, it adds
    the new ones alone."""
    columns, copy = _current(session)
    if copy is None:
        return _named(_summed(columns, day, rows, programme_ids, by_programme, 0), by_programme)
    size = len(columns["day"])
    key = (day, tuple(sorted(set(rows))), tuple(sorted(set(programme_ids))), by_programme)
    with _lock:
        seen, sums = copy.memo.get(key, (0, None))
    if sums is None or seen > size:
        seen, sums = 0, {}
    else:
        sums = {k: list(v) for k, v in sums.items()}
    for k, value in _summed(columns, day, rows, programme_ids, by_programme, seen).items():
        entry = sums.get(k)
        if entry is None:
            sums[k] = list(value)
        else:
            for i in range(4):
                entry[i] += value[i]
    with _lock:
        if copy.columns is columns:  # the copy has not moved on meanwhile
            copy.memo[key] = (size, sums)
            copy.memo.move_to_end(key)
            while len(copy.memo) > MEMO_ENTRIES:
                copy.memo.popitem(last=False)
    return _named(sums, by_programme)


def _summed(columns, day: date, rows, programme_ids, by_programme: bool, start: int) -> dict:
    """{figure key: (n, p, b, id sum)} of the changes from position `start` on (every figure
    they touch, whatever its sum)."""
    chosen = _selected(columns, rows, programme_ids, day.toordinal(), start)
    if not len(chosen):
        return {}
    key = _figure_keys({k: columns[k][chosen] for k in ("rows", "row_id", "col_id")})
    if by_programme:
        key = key * PROGRAMMES + columns["programme"][chosen]
    present, inverse = np.unique(key, return_inverse=True)
    sums = [
        _sum(columns[f][chosen], inverse, len(present))
        for f in ("projects", "principal", "budget", "id_sum")
    ]
    return dict(zip(present.tolist(), zip(*(s.tolist() for s in sums), strict=True), strict=True))


def _named(sums: dict, by_programme: bool) -> dict[tuple, tuple[int, int, int, int]]:
    """The figures with projects, by name, in the order of their keys."""
    out = {}
    for k in sorted(sums):
        n, p, b, i = sums[k]
        if n <= 0:
            continue
        programme = None
        if by_programme:
            k, programme = divmod(k, PROGRAMMES)
        k, col = divmod(k, COLUMNS)
        kind, row = divmod(k, ROW_IDS)
        name = (ROWS[kind], row, col - OFFSET)
        out[(*name, programme) if by_programme else name] = (n, p, b, i)
    return out


def running(session: Session, days: list[date], *, rows, programme_ids=()) -> list[dict]:
    """Each day's figures, keyed (rows, row id, column), summed in one pass."""
    columns = changes(session)
    chosen = _selected(columns, rows, programme_ids, days[-1].toordinal())
    inverse, names = _dense(columns, chosen, False)
    # Which point each change counts from: the first day at or after it.
    point = np.searchsorted(np.array([d.toordinal() for d in days]), columns["day"][chosen])
    size = len(names)
    by_point = [
        np.bincount(
            point * size + inverse, weights=columns[f][chosen], minlength=size * len(days)
        ).reshape(len(days), size)
        for f in ("projects", "principal", "budget")
    ]
    totals = [np.cumsum(b, axis=0).astype(np.int64) for b in by_point]
    out = []
    for k in range(len(days)):
        out.append(
            {
                name: (n, p, b)
                for name, n, p, b in zip(names, *(t[k].tolist() for t in totals), strict=True)
                if n or p or b
            }
        )
    return out
