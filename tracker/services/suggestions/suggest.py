"""Suggestions for a project or for a text, with their reasons, and the projects most likely to
serve an objective or theme.

A project's own tags and the suggestions dismissed for it are never offered; the projects a
reason names are read now, so a deleted one is not named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import literal, select, union_all
from sqlmodel import Session

from tracker.models import (
    Objective,
    ObjectiveTag,
    Project,
    SuggestionDismissal,
    Theme,
    ThemeTag,
)
from tracker.services.coverage.filters import active_framework_id
from tracker.services.suggestions import store
from tracker.services.suggestions.items import Suggestion
from tracker.services.suggestions.text import document, evidence_for

LIMITS = {"objective": 5, "theme": 3}
MIN_SCORE = 0.02  # below this a suggestion says nothing


@dataclass(frozen=True)
class SimilarProject:
    code: str
    title: str
    similarity: float


@dataclass(frozen=True)
class SuggestionView:
    kind: str  # objective or theme
    code: str
    label: str
    score: float
    words: tuple[str, ...]
    similar: tuple[SimilarProject, ...]

    @property
    def reason(self) -> str:
        """The reason in a sentence or two, as a manager checks it."""
        parts = []
        if self.words:
            parts.append("Words in common: " + ", ".join(f"“{w}”" for w in self.words) + ".")
        if self.similar:
            parts.append(
                "Tagged so: "
                + "; ".join(
                    f"{p.code} {p.title} (similarity {p.similarity:.2f})" for p in self.similar
                )
                + "."
            )
        return " ".join(parts) or "Close to its statement as a whole."


@dataclass(frozen=True)
class Suggestions:
    objectives: list[SuggestionView] = field(default_factory=list)
    themes: list[SuggestionView] = field(default_factory=list)
    trained_at: datetime | None = None  # None: from the framework's statements alone
    learned_from: int = 0

    def __bool__(self) -> bool:
        return bool(self.objectives or self.themes)

    @property
    def all(self) -> list[SuggestionView]:
        return [*self.objectives, *self.themes]


def _pairs(session: Session, selects: list) -> set[tuple[str, str]]:
    return {(kind, code) for kind, code in session.execute(union_all(*selects))}


def _tag_selects(project_id: int) -> list:
    return [
        select(literal("objective"), Objective.code)
        .join(ObjectiveTag, ObjectiveTag.objective_id == Objective.id)
        .where(ObjectiveTag.project_id == project_id),
        select(literal("theme"), Theme.code)
        .join(ThemeTag, ThemeTag.theme_id == Theme.id)
        .where(ThemeTag.project_id == project_id),
    ]


def _dismissal_selects(project_id: int) -> list:
    return [
        select(literal("objective"), Objective.code)
        .join(SuggestionDismissal, SuggestionDismissal.objective_id == Objective.id)
        .where(SuggestionDismissal.project_id == project_id),
        select(literal("theme"), Theme.code)
        .join(SuggestionDismissal, SuggestionDismissal.theme_id == Theme.id)
        .where(SuggestionDismissal.project_id == project_id),
    ]


def _own_tags(session: Session, project_id: int) -> set[tuple[str, str]]:
    return _pairs(session, _tag_selects(project_id))


def dismissed(session: Session, project_id: int) -> set[tuple[str, str]]:
    """The suggestions dismissed for a project, as (kind, code)."""
    return _pairs(session, _dismissal_selects(project_id))


def left_out(session: Session, project_id: int) -> set[tuple[str, str]]:
    """What is never suggested for a project: its own tags and what was dismissed for it,
    in one query."""
    return _pairs(session, [*_tag_selects(project_id), *_dismissal_selects(project_id)])


def _views(session: Session, found: Sequence[Suggestion]) -> list[SuggestionView]:
    ids = {pid for s in found for pid, _ in s.similar}
    projects = {}
    if ids:
        projects = {
            row.id: row
            for row in session.execute(
                select(Project.id, Project.code, Project.title).where(Project.id.in_(ids))
            )
        }
    return [
        SuggestionView(
            kind=s.kind,
            code=s.code,
            label=s.name,
            score=s.score,
            words=s.words,
            similar=tuple(
                SimilarProject(projects[pid].code, projects[pid].title, sim)
                for pid, sim in s.similar
                if pid in projects
            ),
        )
        for s in found
    ]


def _suggest(
    session: Session,
    text: str,
    *,
    exclude: Iterable[tuple[str, str]] = (),
    project_id: int | None = None,
    limits: dict[str, int] | None = None,
) -> Suggestions:
    current = store.current_model(session)
    if current is None or not text.strip():
        return Suggestions()
    found = current.model.suggest(
        text,
        exclude=exclude,
        skip_project=project_id,
        limits=limits or LIMITS,
        min_score=MIN_SCORE,
    )
    views = _views(session, found)
    return Suggestions(
        objectives=[v for v in views if v.kind == "objective"],
        themes=[v for v in views if v.kind == "theme"],
        trained_at=current.trained_at,
        learned_from=current.model.learned_from,
    )


def project_document(session: Session, project: Project) -> str:
    evidence = evidence_for(session, [project.id]).get(project.id, ())
    return document(project.title, project.summary, evidence)


def suggestions_for_project(
    *, session: Session, project: Project, limits: dict[str, int] | None = None
) -> Suggestions:
    """What the project most likely serves, leaving out its own tags and what was dismissed
    for it."""
    exclude = left_out(session, project.id)
    return _suggest(
        session,
        project_document(session, project),
        exclude=exclude,
        project_id=project.id,
        limits=limits,
    )


def suggestions_for_text(
    *,
    session: Session,
    title: str,
    summary: str | None = None,
    evidence: Iterable[str] = (),
    limits: dict[str, int] | None = None,
) -> Suggestions:
    """What a project with this title and summary (not stored, or arriving in an import)
    most likely serves."""
    return _suggest(session, document(title, summary, evidence), limits=limits)


def likely_projects(
    *,
    session: Session,
    kind: str,
    code: str,
    statuses: Sequence[str] = ("active",),
    limit: int = 5,
) -> list[Project]:
    """The projects in these statuses most likely to serve the objective or theme, best
    first, leaving out those tagged with it or that dismissed it."""
    current = store.current_model(session)
    ranked = current.model.likely_projects(kind, code) if current else []
    if not ranked:
        return []
    item_model, tag_model, tag_column, dismissal_column = (
        (Objective, ObjectiveTag, ObjectiveTag.objective_id, SuggestionDismissal.objective_id)
        if kind == "objective"
        else (Theme, ThemeTag, ThemeTag.theme_id, SuggestionDismissal.theme_id)
    )
    item_ids = select(item_model.id).where(
        item_model.code == code, item_model.framework_id == active_framework_id(session)
    )
    rows = session.execute(
        select(Project).where(
            Project.id.in_(ranked),
            Project.status.in_(list(statuses)),
            ~select(tag_model.id)
            .where(tag_model.project_id == Project.id, tag_column.in_(item_ids))
            .exists(),
            ~select(SuggestionDismissal.id)
            .where(SuggestionDismissal.project_id == Project.id, dismissal_column.in_(item_ids))
            .exists(),
        )
    ).scalars()
    by_id = {p.id: p for p in rows}
    return [by_id[pid] for pid in ranked if pid in by_id][:limit]


def likely_for_gaps(*, session: Session, gaps: Iterable, limit: int = 3) -> dict[str, list]:
    """For each gap of an objective that no project of its view serves, the active projects
    most likely to serve it (by the gap's key), leaving out those tagged with it or that
    dismissed it; other gaps have none. Three queries whatever the number of gaps, and none
    before a model is trained (the framework-only model ranks no project)."""
    codes = {
        gap.key: dict(gap.about).get("objective")
        for gap in gaps
        if gap.kind == "uncovered_objective" and dict(gap.about).get("objective")
    }
    current = store.trained_model(session) if codes else None
    if current is None:
        return {}
    ranked = {key: current.model.likely_projects("objective", code) for key, code in codes.items()}
    ids = sorted({pid for pids in ranked.values() for pid in pids})
    if not ids:
        return {}
    active = {
        p.id: p
        for p in session.execute(
            select(Project).where(Project.id.in_(ids), Project.status == "active")
        ).scalars()
    }
    framework_id = active_framework_id(session)
    taken = (
        set(
            session.execute(
                union_all(
                    select(ObjectiveTag.project_id, Objective.code)
                    .join(Objective, Objective.id == ObjectiveTag.objective_id)
                    .where(
                        ObjectiveTag.project_id.in_(list(active)),
                        Objective.framework_id == framework_id,
                    ),
                    select(SuggestionDismissal.project_id, Objective.code)
                    .join(Objective, Objective.id == SuggestionDismissal.objective_id)
                    .where(SuggestionDismissal.project_id.in_(list(active))),
                )
            ).all()
        )
        if active
        else set()
    )
    found = {}
    for key, pids in ranked.items():
        code = codes[key]
        chosen = [active[p] for p in pids if p in active and (p, code) not in taken][:limit]
        if chosen:
            found[key] = chosen
    return found
