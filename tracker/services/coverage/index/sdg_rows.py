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
from tracker.services.coverage.index.pairs import PRINCIPAL


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
    tags = columns.entries[f"obj{query.floor}"]
    keep = mask[tags["pos"]]
    pos, item, sig, w = (tags[k][keep] for k in ("pos", "item", "sig", "w"))
    own = _own_tags(session, columns, pos, sig)
    mine = np.isin(pos, np.fromiter(own, dtype=np.int64)) if own else np.zeros(len(pos), bool)
    pos, item, sig, w = pos[~mine], item[~mine], sig[~mine], w[~mine]

    links = session.execute(select(*sdgs.objective_links(query).c).order_by("objective_id")).all()
    none = targets.of(sdgs.NO_TARGET)
    linked = {r[0] for r in links}
    # Each objective's links, and "No SDG link" for an objective without any.
    objectives = sorted(set(item.tolist()) | linked)
    place = {o: i for i, o in enumerate(objectives)}
    triples = [
        (place[r[0]], r[1], targets.of(r[2] if r[2] is not None else str(r[1])), float(r[3]))
        for r in links
    ]
    triples += [(place[o], sdgs.NO_SDG, none, 1.0) for o in objectives if o not in linked]
    parts = [_through_links(columns.size, pos, item, sig, w, place, triples, by) for by in (1, 2)]
    rows = []
    for p, (significance, codes) in own.items():
        for code in codes:
            number = int(code.split(".")[0])
            rows.append((p, number, targets.of(code), significance, 1.0 / len(codes)))
    out = []
    for k, part in enumerate(parts):
        if rows:
            extra = [(r[0], r[1 + k], r[3], r[4]) for r in rows]
            part = [np.concatenate([part[i], np.array([e[i] for e in extra])]) for i in range(4)]
            out.append(summed(part[0].astype(np.int64), part[1].astype(np.int64), part[3], part[2]))
        else:
            order = np.argsort(part[0], kind="stable")
            out.append(
                {
                    "pos": part[0][order],
                    "item": part[1][order],
                    "w": part[3][order],
                    "sig": part[2][order],
                }
            )
    return out[0], out[1], targets


def reached(session: Session, columns: Columns, query: CoverageQuery, mask: np.ndarray) -> set[str]:
    """The rows of targets (as `sdg_tables` names them) that some project of the view reaches:
    those its figures would show with projects, without working out the figures."""
    tags = columns.entries[f"obj{query.floor}"]
    keep = mask[tags["pos"]]
    pos, item, sig = tags["pos"][keep], tags["item"][keep], tags["sig"][keep]
    own = _own_tags(session, columns, pos, sig)
    out = {code for _, codes in own.values() for code in codes}
    if own:
        item = item[~np.isin(pos, np.fromiter(own, dtype=np.int64))]
    served = set(np.flatnonzero(np.bincount(item)).tolist()) if len(item) else set()
    links = session.execute(select(*sdgs.objective_links(query).c)).all()
    for objective, number, target, _ in links:
        if objective in served:
            out.add(target if target is not None else str(number))
    if served - {r[0] for r in links}:
        out.add(sdgs.NO_TARGET)
    return out


def _through_links(size, pos, item, sig, w, place, triples, by: int):
    """(pos, row, significance, weight) per project and SDG (by=1) or target (by=2): the
    product of the projects' objective shares and the objectives' links."""
    from scipy import sparse

    link_rows = np.array([t[0] for t in triples], dtype=np.int64)
    link_keys = np.array([t[by] for t in triples], dtype=np.int64)
    link_w = np.array([t[3] for t in triples], dtype=np.float64)
    keys, key_of = np.unique(link_keys, return_inverse=True)
    shape = (len(place), len(keys))
    weights = sparse.csr_matrix((link_w, (link_rows, key_of)), shape=shape)
    reach = sparse.csr_matrix((np.ones(len(link_rows)), (link_rows, key_of)), shape=shape)
    column = np.array([place[i] for i in item.tolist()], dtype=np.int64)
    tags = (size, len(place))
    share = sparse.csr_matrix((w, (pos, column)), shape=tags) @ weights
    principal = (
        sparse.csr_matrix(((sig == PRINCIPAL).astype(np.float64), (pos, column)), shape=tags)
        @ reach
    )
    tagged = sparse.csr_matrix((np.ones(len(pos)), (pos, column)), shape=tags) @ reach
    tagged = tagged.tocoo()
    top = _at(principal, tagged) > 0
    amount = _at(share, tagged)
    return (
        tagged.row.astype(np.int64),
        keys[tagged.col],
        np.where(top, PRINCIPAL, 1).astype(np.int64),
        amount,
    )


def _at(matrix, where) -> np.ndarray:
    """The values of a sparse matrix at the places of another's entries, in their order."""
    values = matrix.tocsr()[where.row, where.col]
    values = values.toarray() if hasattr(values, "toarray") else np.asarray(values)
    return values.ravel().astype(np.float64)


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
    owner = columns.meta.get("project", columns.pid)  # versions: the project they belong to
    live = np.flatnonzero(columns.alive & np.isin(owner, pids))
    out = {}
    for p in live.tolist():
        if top[p] <= 0:
            continue
        tags = by_pid[int(owner[p])]
        finest = max(v for v, _ in tags)
        out[p] = (int(top[p]), sorted(c for v, c in tags if v == finest))
    return out


NO_SDG = sdgs.NO_SDG
GLOBAL = sql.GLOBAL
