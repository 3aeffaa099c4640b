"""The attribution of projects as columns of numbers: one array per field, so that any view of
coverage is a few vectorised passes over them.

`read_columns` reads projects, their tags and places in four plain scans (all of them, or some
by id) and splits each project's budget over its tags and places by the rules of `sql._split`.
Every share is one division of two whole numbers (percentages are kept in hundredths), so the
same project gives the same floating-point shares wherever and however many at a time it is
read: the cube's upkeep, its rebuild, its check and the views agree to the last bit.

A `Columns` holds:

- per project (by position): `pid`, `status` (index into STATUSES), `programme`, `start` and
  `end` (proleptic ordinals, NO_DAY when missing), `budget` (reporting currency), `alive`;
- entry tables, each with `pos` (the project's position) sorted by it: `obj1`/`obj2` (objective
  tags at or above each floor: `item`, `goal`, `sig`, `w`), `goal1`/`goal2` (their goals:
  `item`, `sig`, `w`), `theme1`/`theme2` (`item`, `sig`, `w`), `place` (`country` or 0,
  `region`, `own` region or 0, `w`) and `region` (`item`, `w`: places summed by region).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import Float, Integer, cast, func, literal, select, type_coerce
from sqlmodel import Session

from tracker.models import Country, Currency, Objective, ProjectVersion, Theme
from tracker.models.portfolio import ProjectStatus
from tracker.services.coverage import sql
from tracker.services.history.tables import tables_of_versions

FLOORS = (1, 2)
STATUSES = tuple(s.value for s in ProjectStatus)
NO_DAY = -1
NO_SHARE = -1
OPEN = 10**8  # the end of a version that still holds
CHUNK = 500
OWN = {"coverage_cube": True}  # coverage's own reads, which its hooks let pass
ENTRY_TABLES = ("obj1", "obj2", "goal1", "goal2", "theme1", "theme2", "place", "region")


@dataclass
class Columns:
    pid: np.ndarray
    status: np.ndarray
    programme: np.ndarray
    start: np.ndarray
    end: np.ndarray
    budget: np.ndarray
    alive: np.ndarray
    entries: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # Per position, for versions of projects: `project`, `valid_from`, `valid_to` (ordinals;
    # OPEN while a version holds) and `code` (the project's code in that version).
    meta: dict[str, np.ndarray] = field(default_factory=dict)
    # Entry tables without retired positions, made once: columns are not changed in place
    # once read (a patch makes new ones), and `replace` starts this afresh.
    _live: dict[str, tuple] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Longer arrays whose beginnings some of these arrays are, by path: room to append to
    # (`_extended`).
    _room: dict[tuple, tuple] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.pid)

    def live(self, name: str) -> dict[str, np.ndarray]:
        """An entry table without the entries of retired positions."""
        table = self.entries[name]
        if self.alive.all():
            return table
        made = self._live.get(name)
        if made is None or made[0] is not table or made[1] is not self.alive:
            keep = self.alive[table["pos"]]
            made = (table, self.alive, {k: v[keep] for k, v in table.items()})
            self._live[name] = made
        return dict(made[2])


def _ordinal(dialect: sql.Dialect, column):
    """A date as its proleptic ordinal (date.toordinal), NO_DAY when missing."""
    if dialect.sqlite:
        day = cast(func.julianday(column), Integer) - 1721424
    else:
        day = cast(column - literal(date(1, 1, 1)), Integer) + 1
    return func.coalesce(day, NO_DAY)


def _hundredths(column):
    return func.coalesce(cast(func.round(column * 100), Integer), NO_SHARE)


def _fetch(session: Session, statement, column, ids) -> list[tuple]:
    if ids is not None:
        statement = statement.where(column.in_(ids))
    # Plain tuples from the connection: no ORM rows, which numpy would probe one key at a time.
    result = session.connection().execute(statement, execution_options=OWN)
    return [tuple(row) for row in result]


def read_columns(
    session: Session, framework_id: int, ids=None, tables: sql.Tables = sql.LIVE
) -> Columns:
    """The projects' columns: every project's, or those of `ids` (in chunks)."""
    if ids is None:
        return _read(session, framework_id, None, tables)
    ids = sorted(i for i in ids if i is not None)
    parts = [
        _read(session, framework_id, ids[s : s + CHUNK], tables) for s in range(0, len(ids), CHUNK)
    ]
    return concat(parts) if parts else _read(session, framework_id, [], tables)


def _read(session: Session, framework_id: int, ids, tables: sql.Tables) -> Columns:
    dialect = sql.Dialect(session.get_bind().dialect.name)
    Project, Location = tables.project, tables.location
    ObjectiveTag, ThemeTag = tables.objective_tag, tables.theme_tag
    budget = type_coerce(
        func.coalesce(Project.budget_amount * Currency.rate_to_reporting, 0), Float
    )
    projects = _fetch(
        session,
        select(
            Project.id,
            Project.status,
            Project.programme_id,
            _ordinal(dialect, Project.start_date),
            _ordinal(dialect, Project.end_date),
            budget,
        )
        .outerjoin(Currency, Currency.code == Project.budget_currency)
        .order_by(Project.id),
        Project.id,
        ids,
    )
    places = _fetch(
        session,
        select(
            Location.project_id,
            func.coalesce(Location.country_id, 0),
            func.coalesce(Location.region_id, Country.region_id),
            func.coalesce(Location.region_id, 0),
            _hundredths(Location.percentage),
        )
        .outerjoin(Country, Country.id == Location.country_id)
        .order_by(Location.project_id, Location.id),
        Location.project_id,
        ids,
    )
    objectives = _fetch(
        session,
        select(
            ObjectiveTag.project_id,
            ObjectiveTag.objective_id,
            Objective.goal_id,
            ObjectiveTag.significance,
            _hundredths(ObjectiveTag.budget_share),
        )
        .join(Objective, Objective.id == ObjectiveTag.objective_id)
        .where(Objective.framework_id == framework_id)
        .order_by(ObjectiveTag.project_id, ObjectiveTag.objective_id),
        ObjectiveTag.project_id,
        ids,
    )
    themes = _fetch(
        session,
        select(
            ThemeTag.project_id,
            ThemeTag.theme_id,
            literal(0),
            ThemeTag.significance,
            _hundredths(ThemeTag.budget_share),
        )
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(Theme.framework_id == framework_id)
        .order_by(ThemeTag.project_id, ThemeTag.theme_id),
        ThemeTag.project_id,
        ids,
    )
    return build(projects, places, objectives, themes)


def _array(rows: list[tuple], width: int, dtype) -> np.ndarray:
    if not rows:
        return np.zeros((0, width), dtype=dtype)
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=dtype, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def build(projects, places, objectives, themes) -> Columns:
    """Columns from rows as `_read` gives them (each list sorted by project id)."""
    status_index = {s: i for i, s in enumerate(STATUSES)}
    p = _array([(r[0], status_index.get(r[1], 0), r[2], r[3], r[4]) for r in projects], 5, np.int64)
    pid = p[:, 0]
    budget = np.array([float(r[5] or 0) for r in projects], dtype=np.float64)
    columns = Columns(
        pid=pid,
        status=p[:, 1].astype(np.int8),
        programme=p[:, 2],
        start=p[:, 3],
        end=p[:, 4],
        budget=budget,
        alive=np.ones(len(pid), dtype=bool),
    )
    columns.entries = {}
    loc = _array(places, 5, np.int64)
    loc = loc[np.isin(loc[:, 0], pid)]
    pos = np.searchsorted(pid, loc[:, 0])
    w = _split(pos, loc[:, 4], None)
    columns.entries["place"] = {
        "pos": pos,
        "country": loc[:, 1],
        "region": loc[:, 2],
        "own": loc[:, 3],
        "w": w,
    }
    columns.entries["region"] = summed(pos, loc[:, 2], w, None)
    for name, rows in (("obj", objectives), ("theme", themes)):
        tags = _array(rows, 5, np.int64)
        tags = tags[np.isin(tags[:, 0], pid)]
        for floor in FLOORS:
            kept = tags[tags[:, 3] >= floor]
            tpos = np.searchsorted(pid, kept[:, 0])
            table = {
                "pos": tpos,
                "item": kept[:, 1],
                "sig": kept[:, 3],
                "w": _split(tpos, kept[:, 4], kept[:, 3] == sql.PRINCIPAL),
            }
            if name == "obj":
                table["goal"] = kept[:, 2]
                columns.entries[f"goal{floor}"] = _goals(table)
            columns.entries[f"{name}{floor}"] = table
    return columns


def _split(pos: np.ndarray, share: np.ndarray, principal: np.ndarray | None) -> np.ndarray:
    """Each item's share of 1 within its project (`pos`), as `sql._split`; `share` in
    hundredths of a percent point, NO_SHARE where none is given."""
    if not len(pos):
        return np.zeros(0, dtype=np.float64)
    size = int(pos.max()) + 1
    given = share != NO_SHARE
    shares = np.where(given, share, 0)

    def per_project(values) -> np.ndarray:
        return np.bincount(pos, weights=values, minlength=size)[pos]

    n = per_project(np.ones(len(pos)))
    n_given = per_project(given.astype(np.float64))
    total = per_project(shares.astype(np.float64))  # whole hundredths: exact
    if principal is None:
        n_principal = np.zeros(len(pos))
        n_principal_unshared = np.zeros(len(pos))
        principal = np.zeros(len(pos), dtype=bool)
    else:
        n_principal = per_project(principal.astype(np.float64))
        n_principal_unshared = per_project((principal & ~given).astype(np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        rest = 10_000.0 - total
        unshared = np.where(
            n_principal_unshared > 0,
            np.where(principal, rest / (10_000.0 * n_principal_unshared), 0.0),
            rest / (10_000.0 * (n - n_given)),
        )
        some = np.where(given, shares / 10_000.0, unshared)
        scaled = shares / total
        all_zero = np.where(n_principal > 0, np.where(principal, 1.0 / n_principal, 0.0), 1.0 / n)
        return np.where(n_given < n, some, np.where(total > 0, scaled, all_zero))


def summed(pos, key, w, sig) -> dict[str, np.ndarray]:
    """Entries summed by (project, key), in the entries' order within each: weights added one
    after another, the highest significance kept."""
    if not len(pos):
        out = {"pos": pos, "item": key, "w": w}
        if sig is not None:
            out["sig"] = sig
        return out
    order = np.lexsort((key, pos))
    pos, key, w = pos[order], key[order], w[order]
    first = np.ones(len(pos), dtype=bool)
    first[1:] = (pos[1:] != pos[:-1]) | (key[1:] != key[:-1])
    starts = np.flatnonzero(first)
    out = {"pos": pos[starts], "item": key[starts], "w": _sequential_sums(w, starts)}
    if sig is not None:
        out["sig"] = np.maximum.reduceat(sig[order], starts)
    return out


def _sequential_sums(w: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sums of runs of `w` beginning at `starts`, each added left to right as Python would
    (numpy's own reductions add in pairs, which may round differently)."""
    ends = np.append(starts[1:], len(w))
    sums = w[starts].copy()
    length = ends - starts
    for k in range(1, int(length.max()) if len(length) else 0):
        more = length > k
        sums[more] += w[starts[more] + k]
    return sums


def _goals(objectives: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return summed(objectives["pos"], objectives["goal"], objectives["w"], objectives["sig"])


def concat(parts: list[Columns]) -> Columns:
    """Columns one after another (their positions renumbered)."""
    offsets = np.cumsum([0] + [c.size for c in parts[:-1]])
    out = Columns(
        pid=np.concatenate([c.pid for c in parts]),
        status=np.concatenate([c.status for c in parts]),
        programme=np.concatenate([c.programme for c in parts]),
        start=np.concatenate([c.start for c in parts]),
        end=np.concatenate([c.end for c in parts]),
        budget=np.concatenate([c.budget for c in parts]),
        alive=np.concatenate([c.alive for c in parts]),
    )
    for key in parts[0].meta:
        out.meta[key] = np.concatenate([c.meta[key] for c in parts])
    for name in ENTRY_TABLES:
        out.entries[name] = {
            key: np.concatenate(
                [
                    c.entries[name][key] + (offset if key == "pos" else 0)
                    for c, offset in zip(parts, offsets, strict=True)
                ]
            )
            for key in parts[0].entries[name]
        }
    return out


def patched(columns: Columns, changed: Columns, ids) -> Columns:
    """`columns` with the projects of `ids` replaced by what `changed` holds of them (missing
    there: deleted). Positions of replaced projects are retired, and dropped once they are a
    quarter of all."""
    owner = columns.meta.get("project", columns.pid)
    retire = np.isin(owner, np.fromiter(ids, dtype=np.int64))
    out = _extended(columns, changed, columns.alive & ~retire)
    if out.alive.sum() < 0.75 * out.size:
        out = compacted(out)
    return out


PROJECT_FIELDS = ("pid", "status", "programme", "start", "end", "budget")


def _extended(columns: Columns, more: Columns, alive: np.ndarray) -> Columns:
    """`concat` of `columns` (with `alive`) and `more`, written after the end of arrays kept
    longer than `columns`' own, where they have room: a few changed projects are appended
    without copying every project's entries. The room passes to the new columns: `columns`
    keeps its arrays as they are (readers may hold them), and is never extended in place
    again."""
    room = columns._room
    columns._room = {}
    kept: dict[tuple, tuple] = {}

    def joined(path: tuple, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        used, extra = len(old), len(new)
        dtype = np.result_type(old, new)
        buffer, view = room.get(path, (None, None))
        if view is not old or buffer.dtype != dtype or len(buffer) < used + extra:
            buffer = np.empty(used + extra + max(used // 8, 1_024), dtype=dtype)
            buffer[:used] = old
        buffer[used : used + extra] = new
        view = buffer[: used + extra]
        kept[path] = (buffer, view)
        return view

    fields = {
        name: joined((name,), getattr(columns, name), getattr(more, name))
        for name in PROJECT_FIELDS
    }
    out = Columns(**fields, alive=np.concatenate([alive, more.alive]))
    for key in columns.meta:
        out.meta[key] = joined(("meta", key), columns.meta[key], more.meta[key])
    for name in ENTRY_TABLES:
        table, extra = columns.entries[name], more.entries[name]
        out.entries[name] = {
            key: joined(
                ("entries", name, key),
                table[key],
                extra[key] + columns.size if key == "pos" else extra[key],
            )
            for key in table
        }
    out._room = kept
    return out


def compacted(columns: Columns) -> Columns:
    keep = np.flatnonzero(columns.alive)
    renumber = np.full(columns.size, -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    out = Columns(
        pid=columns.pid[keep],
        status=columns.status[keep],
        programme=columns.programme[keep],
        start=columns.start[keep],
        end=columns.end[keep],
        budget=columns.budget[keep],
        alive=np.ones(len(keep), dtype=bool),
        meta={key: value[keep] for key, value in columns.meta.items()},
    )
    for name in ENTRY_TABLES:
        table = columns.live(name)
        out.entries[name] = {**table, "pos": renumber[table["pos"]]}
    return out


def read_versions(session: Session, framework_id: int, project_ids=None) -> Columns:
    """Every version of every project (or of `project_ids`) as columns of its own, with the
    project it belongs to, the days it held and its code."""
    V = ProjectVersion
    dialect = sql.Dialect(session.get_bind().dialect.name)
    statement = select(
        V.id,
        V.project_id,
        _ordinal(dialect, V.valid_from),
        func.coalesce(_ordinal(dialect, V.valid_to), NO_DAY),
        V.code,
    ).order_by(V.id)
    found_rows = _fetch(session, statement, V.project_id, project_ids)
    meta = _array([row[:4] for row in found_rows], 4, np.int64)
    codes = np.array([row[4] for row in found_rows] or [], dtype=object)
    ids = None if project_ids is None else meta[:, 0].tolist()
    tables = tables_of_versions(ids if ids is None or len(ids) <= CHUNK else None)
    columns = read_columns(session, framework_id, ids, tables)
    found = np.searchsorted(meta[:, 0], columns.pid) if len(meta) else columns.pid * 0
    known = (found < len(meta)) & (meta[np.minimum(found, len(meta) - 1), 0] == columns.pid)
    if not len(meta):
        known = np.zeros(columns.size, dtype=bool)
    found = np.minimum(found, max(len(meta) - 1, 0))
    columns.alive = columns.alive & known
    rows = meta[found] if len(meta) else np.zeros((columns.size, 4), dtype=np.int64)
    code = codes[found] if len(meta) else np.full(columns.size, "", dtype=object)
    valid_to = rows[:, 3]
    columns.meta = {
        "project": np.where(known, rows[:, 1], -1),
        "valid_from": rows[:, 2],
        "valid_to": np.where(valid_to == NO_DAY, OPEN, valid_to),
        "code": np.where(known, code, ""),
    }
    return columns
