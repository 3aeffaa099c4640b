"""Suggestions for the rows of an import that arrive without tags, for its report.

A row arrives without tags when it gives no objective and no theme and, for a project already
stored, that project has none either. The report lists the first MAX_ROWS such rows with what
their title and summary point to; the people who import tag them from the project pages
(where the same suggestions wait, with Add and Dismiss) or the screening queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, union
from sqlmodel import Session

from tracker.models import ObjectiveTag, ThemeTag
from tracker.services.suggestions.suggest import suggestions_for_text
from tracker.services.suggestions.text import evidence_for

MAX_ROWS = 200
LIMITS = {"objective": 3, "theme": 2}


def _tagged(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    query = union(
        select(ObjectiveTag.project_id).where(ObjectiveTag.project_id.in_(ids)),
        select(ThemeTag.project_id).where(ThemeTag.project_id.in_(ids)),
    )
    return set(session.execute(query).scalars())


def import_suggestions(*, session: Session, plans: Sequence) -> dict:
    """{"rows": [...], "count": n}: each untagged row (its label, code, title) with its
    suggested objectives and themes (code, label, score), the first MAX_ROWS of n."""
    untagged = [p for p in plans if not p.objectives and not p.themes]
    stored = [p.existing.id for p in untagged if p.existing is not None]
    tagged = _tagged(session, stored)
    untagged = [p for p in untagged if p.existing is None or p.existing.id not in tagged]
    evidence = evidence_for(session, stored)
    rows = []
    for plan in untagged[:MAX_ROWS]:
        found = suggestions_for_text(
            session=session,
            title=plan.values.get("title") or "",
            summary=plan.values.get("summary"),
            evidence=evidence.get(plan.existing.id, ()) if plan.existing else (),
            limits=LIMITS,
        )
        rows.append(
            {
                "row": plan.label,
                "code": plan.code,
                "title": plan.values.get("title") or "",
                **{
                    kind: [
                        {"code": s.code, "label": s.label, "score": s.score}
                        for s in getattr(found, kind)
                    ]
                    for kind in ("objectives", "themes")
                },
            }
        )
    return {"rows": rows, "count": len(untagged)}
