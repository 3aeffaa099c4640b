"""Vectorised building blocks of every view: the rows and columns each project falls in, their
pairs within a project, and sums by key."""

from __future__ import annotations

import numpy as np

from tracker.services.coverage import sql
from tracker.services.coverage.index.columnar import Columns

UNIT = 10_000  # budgets in ten-thousandths of the reporting currency, as the cube keeps them
OFFSET = 16  # column keys go down to -6 (sql's catch-all columns): shifted to be indices


def cross(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with a[i] == b[j], for `a` and `b` sorted: the pairs of one project's
    entries of two tables (positions are small whole numbers: counted, not searched)."""
    if not len(a) or not len(b):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    size = int(max(a[-1], b[-1])) + 1
    per = np.bincount(b, minlength=size)
    first = np.cumsum(per) - per
    count = per[a]
    lo = first[a]
    i = np.repeat(np.arange(len(a)), count)
    total = int(count.sum())
    within = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    return i, np.repeat(lo, count) + within


def units(columns: Columns, pos: np.ndarray, *weights: np.ndarray) -> np.ndarray:
    """A project's budget times weights in ten-thousandths, rounded as the cube rounds: the
    budget in units first, then each weight in turn."""
    amount = columns.budget[pos] * UNIT
    for w in weights:
        amount = amount * w
    return np.rint(amount)


def with_catch_all(
    columns: Columns, mask: np.ndarray, table: dict, key: str, catch_all: int
) -> dict[str, np.ndarray]:
    """Entries (pos, col, w) of projects in `mask`, and `catch_all` with weight 1 for those
    that have none."""
    keep = mask[table["pos"]]
    pos, col, w = table["pos"][keep], table[key][keep], table["w"][keep]
    has = np.zeros(columns.size, dtype=bool)
    has[pos] = True
    lonely = np.flatnonzero(mask & ~has)
    pos = np.concatenate([pos, lonely])
    order = np.argsort(pos, kind="stable")
    return {
        "pos": pos[order],
        "col": np.concatenate([col, np.full(len(lonely), catch_all)])[order],
        "w": np.concatenate([w, np.ones(len(lonely))])[order],
    }


def summed_by(pos: np.ndarray, key: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """(pos, col, w) summed by (pos, col), sorted by pos."""
    if not len(pos):
        return {"pos": pos, "col": key, "w": w}
    order = np.lexsort((key, pos))
    pos, key, w = pos[order], key[order], w[order]
    first = np.ones(len(pos), dtype=bool)
    first[1:] = (pos[1:] != pos[:-1]) | (key[1:] != key[:-1])
    starts = np.flatnonzero(first)
    return {"pos": pos[starts], "col": key[starts], "w": np.add.reduceat(w, starts)}


class Sums:
    """Projects, principal projects and budget units summed by a whole-number key."""

    DENSE = 1 << 22  # keys spanning fewer values are counted in place, without sorting

    def __init__(self, key: np.ndarray, principal: np.ndarray, amount: np.ndarray):
        if not len(key):
            self.keys = key
            self.projects = self.principal = self.amount = np.zeros(0, dtype=np.int64)
            return
        low = int(key.min())
        span = int(key.max()) - low + 1
        if span <= self.DENSE:
            inverse, size = key - low, span
        else:
            self.keys, inverse = np.unique(key, return_inverse=True)
            size = len(self.keys)
        projects = np.bincount(inverse, minlength=size)
        top = np.bincount(inverse, weights=principal.astype(np.float64), minlength=size)
        # Whole numbers below 2**53 add exactly in floating point.
        budget = np.bincount(inverse, weights=amount, minlength=size)
        if span <= self.DENSE:
            present = np.flatnonzero(projects)
            self.keys = present + low
            projects, top, budget = projects[present], top[present], budget[present]
        self.projects = projects.astype(np.int64)
        self.principal = top.astype(np.int64)
        self.amount = budget.astype(np.int64)

    def items(self):
        return zip(
            self.keys.tolist(),
            self.projects.tolist(),
            self.principal.tolist(),
            self.amount.tolist(),
            strict=True,
        )


def pair_key(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, int]:
    """One whole number per (row id, column key), and the base to take it apart again."""
    base = int(cols.max()) + OFFSET + 1 if len(cols) else OFFSET + 1
    return rows.astype(np.int64) * base + (cols.astype(np.int64) + OFFSET), base


def part(key: int, base: int) -> tuple[int, int]:
    return key // base, key % base - OFFSET


PRINCIPAL = sql.PRINCIPAL
