"""The framework as people read it: goals, objectives, themes, statements, SDGs, coverage."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from tracker.models import SDG, Framework, Goal, Objective, Theme, ThemeStatement
from tracker.services.coverage import compute_matrix, parse_coverage_query
from tracker.services.coverage.matrix import EMPTY, Cell
from tracker.services.framework.sdg_links import LinkView, links_by_owner
from tracker.services.framework.translations import LanguageStatus, language_statuses


@dataclass
class ObjectiveView:
    code: str
    short_name: str | None
    statement: str
    coverage: Cell
    # Its own SDG links; without any, it takes its goal's.
    sdg_links: list[LinkView] = field(default_factory=list)


@dataclass
class GoalView:
    code: str
    short_name: str
    statement: str
    sdgs: list[SDG]  # the SDGs its links and its objectives' reach
    coverage: Cell
    objectives: list[ObjectiveView] = field(default_factory=list)
    sdg_links: list[LinkView] = field(default_factory=list)


@dataclass
class ThemeView:
    code: str
    name: str
    statements: list[tuple[str, str]]
    coverage: Cell


@dataclass
class FrameworkOverview:
    framework: Framework | None
    goals: list[GoalView]
    themes: list[ThemeView]
    # French, Spanish and Arabic: where each translation comes from and what it lacks.
    languages: list[LanguageStatus] = field(default_factory=list)


def framework_overview(*, session: Session) -> FrameworkOverview:
    framework = session.exec(select(Framework).where(Framework.active)).first()
    if framework is None:
        return FrameworkOverview(None, [], [])
    # Coverage counts active projects at any significance, as the gap rule does.
    by_objective = compute_matrix(
        session=session, query=parse_coverage_query(session=session, params={"rows": "objectives"})
    )
    by_theme = compute_matrix(
        session=session, query=parse_coverage_query(session=session, params={"rows": "themes"})
    )
    totals = {r.key: by_objective.row_total(r) for r in by_objective.rows}
    theme_totals = {r.key: by_theme.row_total(r) for r in by_theme.rows}

    links = links_by_owner(session=session, framework_id=framework.id)
    sdg_of = {s.number: s for s in session.exec(select(SDG))}
    rows: list[tuple[str, object]] = []  # every item read, for its languages' completeness
    goal_rows = session.exec(
        select(Goal).where(Goal.framework_id == framework.id).order_by(Goal.position)
    ).all()
    rows += [("goal", g) for g in goal_rows]
    goals = {
        g.id: GoalView(
            g.code,
            g.short_name,
            g.statement,
            [],
            totals.get(f"goal:{g.id}", EMPTY),
            sdg_links=links.get(f"goal:{g.id}", []),
        )
        for g in goal_rows
    }
    for objective in session.exec(
        select(Objective).where(Objective.framework_id == framework.id).order_by(Objective.position)
    ):
        rows.append(("objective", objective))
        goals[objective.goal_id].objectives.append(
            ObjectiveView(
                objective.code,
                objective.short_name,
                objective.statement,
                totals.get(f"objective:{objective.id}", EMPTY),
                sdg_links=links.get(f"objective:{objective.id}", []),
            )
        )
    for goal in goals.values():
        reached = {link.sdg_number for link in goal.sdg_links} | {
            link.sdg_number for o in goal.objectives for link in o.sdg_links
        }
        goal.sdgs = [sdg_of[n] for n in sorted(reached) if n in sdg_of]
    statements: dict[int, list[tuple[str, str]]] = {}
    for statement in session.exec(
        select(ThemeStatement)
        .where(ThemeStatement.framework_id == framework.id)
        .order_by(ThemeStatement.position)
    ):
        rows.append(("theme statement", statement))
        statements.setdefault(statement.theme_id, []).append((statement.code, statement.statement))
    theme_rows = session.exec(
        select(Theme).where(Theme.framework_id == framework.id).order_by(Theme.position)
    ).all()
    rows += [("theme", t) for t in theme_rows]
    themes = [
        ThemeView(
            t.code, t.name, statements.get(t.id, []), theme_totals.get(f"theme:{t.id}", EMPTY)
        )
        for t in theme_rows
    ]
    languages = list(language_statuses(framework, rows).values())
    return FrameworkOverview(framework, list(goals.values()), themes, languages)
