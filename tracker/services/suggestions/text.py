"""What the model reads of a project: its title, its summary, and any evidence words that other
parts of the tracker hold about it.

Evidence is a hook: a feature that knows more about a project than its own words (the DAC CRS
sector codes of an IATI activity, say) registers a source with `register_evidence`, a function
that gives, for some project ids, the words to add for each. They are read wherever the model
reads projects (training, suggestions for a project, the import report), so they count both
when the model learns and when it suggests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlmodel import Session

EvidenceSource = Callable[[Session, Sequence[int]], Mapping[int, Iterable[str]]]
_SOURCES: list[EvidenceSource] = []


def register_evidence(source: EvidenceSource) -> EvidenceSource:
    """Add a source of evidence words (usable as a decorator); registering twice is harmless."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def evidence_for(session: Session, project_ids: Sequence[int]) -> dict[int, list[str]]:
    """Every registered source's words for these projects."""
    found: dict[int, list[str]] = {}
    if not project_ids:
        return found
    for source in _SOURCES:
        for project_id, words in source(session, project_ids).items():
            found.setdefault(project_id, []).extend(str(w) for w in words if w)
    return found


def document(title: str | None, summary: str | None = None, evidence: Iterable[str] = ()) -> str:
    """The text the model reads: the title, the summary, then the evidence words."""
    parts = [p.strip() for p in (title or "", summary or "") if p and p.strip()]
    extra = [str(w).strip() for w in evidence if w and str(w).strip()]
    if extra:
        parts.append(". ".join(extra))
    return ".\n".join(parts)
