"""The rows of the SDG views from the columns, as `sdgs.sdg_pairs` makes them: each objective
tag's part of the budget goes to the objective's SDG links (or its goal's), split by their
weights; a project with SDG tags of its own reaches those instead, in equal parts; budget of
objectives without any link goes to "No SDG link".

The links (a few dozen rows of the framework) and projects' own SDG tags (from IATI files) are
read with each view, so that a change to either shows at once."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from tracker.models import ProjectSDGTag
from tracker.services.coverage import sdgs, sql
from tracker.services.coverage.filters import CoverageQuery
from tracker.services.coverage.index.columnar import Columns, summed
from tracker.services.coverage.index.pairs import cross


class Targets:
    """Target rows (codes) as whole numbers, and back."""

    def __init__(self):
        self.codes: list[str] = []
        self.index: dict[str, int] = {}

    def of(self, code: str) -> int:
        if code not in self.index:
            self.index[code] = len(self.codes)
            self.codes.append(code)
        return self.index[code]


def sdg_tables(
    session: Session, columns: Columns, query: CoverageQuery, mask: np.ndarray
) -> tuple[dict, dict, Targets]:
    """Entry tables (pos, item, sig, w) of SDGs and of targets, and the targets' codes."""
    targets = Targets()
    tags = columns.live(f"obj{query.floor}")
    keep = mask[tags["pos"]]
    pos, item, sig, w = (tags[k][keep] for k in ("pos", "item", "sig", "w"))
    own = _own_tags(session, columns, pos, sig)
    mine = np.isin(pos, np.fromiter(own, dtype=np.int64)) if own else np.zeros(len(pos), bool)
    pos, item, sig, w = pos[~mine], item[~mine], sig[~mine], w[~mine]

    links = session.execute(select(*sdgs.objective_links(query).c).order_by("objective_id")).all()
    lo = np.array([r[0] for r in links], dtype=np.int64)
    ln = np.array([r[1] for r in links], dtype=np.int64)
    lt = np.array([targets.of(r[2] if r[2] is not None else str(r[1])) for r in links], np.int64)
    lw = np.array([float(r[3]) for r in links], dtype=np.float64)
    order = np.argsort(item, kind="stable")
    i, j = cross(item[order], lo)
    i = order[i]
    lonely = ~np.isin(item, lo)
    none = targets.of(sdgs.NO_TARGET)
    parts = [
        (pos[i], ln[j], lt[j], sig[i], w[i] * lw[j]),
        (
            pos[lonely],
            np.full(int(lonely.sum()), sdgs.NO_SDG),
            np.full(int(lonely.sum()), none),
            sig[lonely],
            w[lonely],
        ),
    ]
    rows = []
    for p, (significance, codes) in own.items():
        for code in codes:
            number = int(code.split(".")[0])
            rows.append((p, number, targets.of(code), significance, 1.0 / len(codes)))
    if rows:
        parts.append(tuple(np.array(col) for col in zip(*rows, strict=True)))
    p, number, target, significance, weight = (
        np.concatenate([part[k] for part in parts]).astype(np.float64 if k == 4 else np.int64)
        for k in range(5)
    )
    return summed(p, number, weight, significance), summed(p, target, weight, significance), targets


def _own_tags(session: Session, columns: Columns, pos, sig) -> dict[int, tuple[int, list[str]]]:
    """Aligned projects (by position) with SDG tags of their own: their highest significance
    and the codes of their finest vocabulary."""
    found = session.execute(
        select(ProjectSDGTag.project_id, ProjectSDGTag.vocabulary, ProjectSDGTag.code)
    ).all()
    if not found:
        return {}
    top = np.zeros(columns.size, dtype=np.int64)
    np.maximum.at(top, pos, sig)
    by_pid: dict[int, list] = {}
    for pid, vocabulary, code in found:
        by_pid.setdefault(pid, []).append((vocabulary, code))
    pids = np.array(sorted(by_pid), dtype=np.int64)
    live = np.flatnonzero(columns.alive & np.isin(columns.pid, pids))
    out = {}
    for p in live.tolist():
        if top[p] <= 0:
            continue
        tags = by_pid[int(columns.pid[p])]
        finest = max(v for v, _ in tags)
        out[p] = (int(top[p]), sorted(c for v, c in tags if v == finest))
    return out


NO_SDG = sdgs.NO_SDG
GLOBAL = sql.GLOBAL
