"""What the model learns from, read from the database: the active framework's objectives and
themes with their statements, and the projects with their tags; and a fingerprint of all of
it, which changes whenever a project, a tag or the framework does."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlmodel import Session

from tracker.models import (
    Framework,
    Goal,
    Objective,
    ObjectiveTag,
    Project,
    Theme,
    ThemeStatement,
    ThemeTag,
)
from tracker.services.suggestions.items import Example, Label
from tracker.services.suggestions.text import document, evidence_for

BATCH = 5_000  # projects read at a time


def active_framework(session: Session) -> Framework | None:
    return session.execute(select(Framework).where(Framework.active)).scalars().first()


def framework_labels(session: Session, framework_id: int) -> list[Label]:
    """Objectives (with their goal's statement as context) and themes, in framework order."""
    labels = []
    rows = session.execute(
        select(Objective, Goal)
        .join(Goal, Goal.id == Objective.goal_id)
        .where(Objective.framework_id == framework_id)
        .order_by(Goal.position, Goal.id, Objective.position, Objective.id)
    ).all()
    for objective, goal in rows:
        labels.append(
            Label(
                "objective",
                objective.code,
                objective.short_name or objective.statement,
                objective.statement,
                f"{goal.short_name}. {goal.statement}",
            )
        )
    statements: dict[int, list[str]] = {}
    for theme_id, statement in session.execute(
        select(ThemeStatement.theme_id, ThemeStatement.statement)
        .where(ThemeStatement.framework_id == framework_id)
        .order_by(ThemeStatement.position, ThemeStatement.id)
    ):
        statements.setdefault(theme_id, []).append(statement)
    for theme in session.execute(
        select(Theme).where(Theme.framework_id == framework_id).order_by(Theme.position, Theme.id)
    ).scalars():
        text = " ".join(statements.get(theme.id, []))
        labels.append(Label("theme", theme.code, theme.name, text))
    return labels


def _tags(session: Session, framework_id: int, ids: list[int]) -> dict[int, dict]:
    tags: dict[int, dict] = {}
    for model, item, column in (
        (ObjectiveTag, Objective, ObjectiveTag.objective_id),
        (ThemeTag, Theme, ThemeTag.theme_id),
    ):
        kind = "objective" if item is Objective else "theme"
        for project_id, code, significance in session.execute(
            select(model.project_id, item.code, model.significance)
            .join(item, item.id == column)
            .where(model.project_id.in_(ids), item.framework_id == framework_id)
        ):
            tags.setdefault(project_id, {})[(kind, code)] = significance
    return tags


def projects(session: Session, framework_id: int) -> Iterator[tuple[list, list[Example]]]:
    """Every project, a batch at a time: (id, text) pairs, and the tagged ones as examples."""
    last = 0
    while True:
        rows = session.execute(
            select(Project.id, Project.title, Project.summary)
            .where(Project.id > last)
            .order_by(Project.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        last = ids[-1]
        evidence = evidence_for(session, ids)
        tags = _tags(session, framework_id, ids)
        texts = [(r.id, document(r.title, r.summary, evidence.get(r.id, ()))) for r in rows]
        yield texts, [Example(pid, text, tags[pid]) for pid, text in texts if pid in tags]


def fingerprint(session: Session) -> str:
    """Changes whenever a project, a tag or the active framework changes: every change to a
    project or its tags moves its version and its time of change (compare-and-set), a new or
    deleted one the count."""
    framework = session.execute(select(Framework.id, Framework.loaded_at).where(Framework.active))
    parts = [repr(tuple(framework.first() or ()))]
    parts.append(
        repr(
            tuple(
                session.execute(
                    select(func.count(), func.coalesce(func.sum(Project.version), 0)).select_from(
                        Project
                    )
                ).one()
            )
        )
    )
    parts.append(repr(session.execute(select(func.max(Project.updated_at))).scalar()))
    for model in (ObjectiveTag, ThemeTag):
        parts.append(
            repr(tuple(session.execute(select(func.count(), func.max(model.tagged_at))).one()))
        )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
