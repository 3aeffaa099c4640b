"""Framework, coverage, gaps and targets as JSON. The same service functions as the pages."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from tracker.api.responses import READ, refusals
from tracker.deps import AdminPrincipal, CurrentPrincipal, SessionDep
from tracker.inputs import MAX_ID
from tracker.services.coverage import compute_matrix, coverage_query
from tracker.services.coverage import targets as target_service
from tracker.services.coverage.gaps import find_gaps, gap_query
from tracker.services.coverage.matrix import Cell
from tracker.services.coverage.params import (
    ColumnKind,
    CoverageParams,
    GapKind,
    GapParams,
    Metric,
    RowKind,
    StatusFilter,
    TargetCreate,
)
from tracker.services.framework import sdg_links
from tracker.services.framework.view import framework_overview
from tracker.services.history.compare import compare
from tracker.services.history.trends import TrendParams, build_trend

router = APIRouter(tags=["coverage"])


class ChangePublic(BaseModel):
    projects: int = Field(description="Change in projects since the day compared with")
    principal: int
    budget_eur: str = Field(description="Change in attributed budget, exact to the cent")


class FigurePublic(BaseModel):
    projects: int = Field(description="Projects with a tag in the row and a place in the column")
    principal: int = Field(description="Of those, projects whose tag in the row is principal")
    budget_eur: str = Field(description="Attributed budget in EUR, exact to the cent")
    change: ChangePublic | None = Field(
        default=None, description="With compare=: the change since that day"
    )


def _figure(cell: Cell, change=None) -> FigurePublic:
    return FigurePublic(
        projects=cell.projects,
        principal=cell.principal,
        budget_eur=f"{cell.budget:.2f}",
        change=ChangePublic(
            projects=change.projects,
            principal=change.principal,
            budget_eur=f"{change.budget:.2f}",
        )
        if change is not None
        else None,
    )


class CoverageRowPublic(BaseModel):
    level: Literal["goal", "objective", "theme", "sdg", "sdg_target"]
    code: str = Field(
        description="A goal, objective or theme code; an SDG's number (16); an SDG target (16.4), "
        "or its SDG's number for links to the whole SDG; none: budget that reaches no SDG"
    )
    label: str
    goal: str | None = Field(description="An objective's goal; an SDG target's SDG")
    cells: dict[str, FigurePublic]
    total: FigurePublic


class CoverageColumnPublic(BaseModel):
    code: str
    label: str


class CoverageFiltersPublic(BaseModel):
    status: list[StatusFilter]
    programme: list[str]
    region: str | None
    from_: str | None = Field(alias="from")
    to: str | None
    floor: Literal[1, 2]

    model_config = ConfigDict(populate_by_name=True)


class CoveragePublic(BaseModel):
    as_of: str | None = Field(default=None, description="The day of the figures; none: now")
    compared_with: str | None = Field(default=None, description="The day compared with")
    rows_kind: RowKind
    columns_kind: ColumnKind
    metric: Metric
    filters: CoverageFiltersPublic
    columns: list[CoverageColumnPublic]
    rows: list[CoverageRowPublic]
    column_totals: dict[str, FigurePublic]
    total: FigurePublic

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "rows_kind": "goals",
                    "columns_kind": "regions",
                    "metric": "projects",
                    "filters": {
                        "status": ["active"],
                        "programme": [],
                        "region": None,
                        "from": None,
                        "to": None,
                        "floor": 1,
                    },
                    "columns": [
                        {"code": "AFR", "label": "Africa"},
                        {"code": "global", "label": "Global"},
                    ],
                    "rows": [
                        {
                            "level": "goal",
                            "code": "GPG4",
                            "label": "Cybercrime",
                            "goal": None,
                            "cells": {
                                "AFR": {"projects": 9, "principal": 7, "budget_eur": "2514000.00"},
                                "global": {"projects": 0, "principal": 0, "budget_eur": "0.00"},
                            },
                            "total": {"projects": 9, "principal": 7, "budget_eur": "2514000.00"},
                        }
                    ],
                    "column_totals": {
                        "AFR": {"projects": 35, "principal": 30, "budget_eur": "80123000.00"}
                    },
                    "total": {"projects": 154, "principal": 154, "budget_eur": "382171043.28"},
                }
            ]
        }
    }


@router.get(
    "/coverage", response_model=CoveragePublic, responses=READ, summary="The coverage matrix"
)
def coverage(
    params: Annotated[CoverageParams, Query()], session: SessionDep, principal: CurrentPrincipal
) -> CoveragePublic:
    """Rows by columns with projects, principal projects and attributed budget in every cell.

    Takes the same parameters as the heatmap page; a wrong one gets 422 naming it.
    """
    query = coverage_query(session=session, params=params)
    matrix = compute_matrix(session=session, query=query)
    codes = {c.key: c.code for c in matrix.columns}
    result = (
        compare(session=session, query=query, since=params.compare, matrix=matrix)
        if params.compare
        else None
    )

    def changed(kind: str, *args):
        return getattr(result, kind)(*args) if result else None

    return CoveragePublic(
        as_of=query.as_of.isoformat() if query.as_of else None,
        compared_with=params.compare.isoformat() if params.compare else None,
        rows_kind=query.rows,
        columns_kind=query.columns,
        metric=query.metric,
        filters=CoverageFiltersPublic(
            status=list(query.statuses) or ["any"],
            programme=list(query.programme_codes),
            region=query.region_code,
            from_=query.date_from.isoformat() if query.date_from else None,
            to=query.date_to.isoformat() if query.date_to else None,
            floor=query.floor,
        ),
        columns=[CoverageColumnPublic(code=c.code, label=c.label) for c in matrix.columns],
        rows=[
            CoverageRowPublic(
                level=row.level,
                code=row.code,
                label=row.label,
                goal=row.goal_code,
                cells={
                    codes[c.key]: _figure(matrix.cell(row, c), changed("cell", row, c))
                    for c in matrix.columns
                },
                total=_figure(matrix.row_total(row), changed("row_total", row)),
            )
            for row in matrix.rows
        ],
        column_totals={
            codes[c.key]: _figure(matrix.column_total(c), changed("column_total", c))
            for c in matrix.columns
        },
        total=_figure(matrix.total, result.total if result else None),
    )


class GapPublic(BaseModel):
    kind: GapKind
    subject: str
    reason: str
    projects: dict[str, str] = Field(
        description="Parameters of /projects that list the projects behind it"
    )


class GapsPublic(BaseModel):
    gaps: list[GapPublic]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "gaps": [
                        {
                            "kind": "uncovered_objective",
                            "subject": "1.4 Advocacy against the terrorist threat",
                            "reason": "No active project serves this objective.",
                            "projects": {"status": "active", "objective": "1.4"},
                        }
                    ]
                }
            ]
        }
    }


@router.get("/gaps", response_model=GapsPublic, responses=READ, summary="Gaps in coverage")
def gaps(
    params: Annotated[GapParams, Query()], session: SessionDep, principal: CurrentPrincipal
) -> GapsPublic:
    """Uncovered objectives, targets not met, empty goal-by-region cells, themes without
    projects, coverage at risk and unscreened projects, each with its reason."""
    query = gap_query(session=session, params=params)
    return GapsPublic(gaps=[g.public() for g in find_gaps(session=session, query=query)])


class SDGPublic(BaseModel):
    number: int
    name: str


class SDGLinkPublic(BaseModel):
    sdg: int
    target: str | None = Field(description="None: the SDG as a whole")
    weight_percent: str | None = Field(description="None: an equal part")
    note: str | None
    proposed: bool = Field(description="Proposed by the tracker, not yet confirmed")


def _links(links) -> list[SDGLinkPublic]:
    return [
        SDGLinkPublic(
            sdg=link.sdg_number,
            target=link.target,
            weight_percent=None if link.weight is None else f"{link.weight:.2f}",
            note=link.note,
            proposed=link.proposed,
        )
        for link in links
    ]


class ObjectivePublic(BaseModel):
    code: str
    short_name: str | None
    statement: str
    coverage: FigurePublic
    sdg_links: list[SDGLinkPublic] = Field(description="Its own; none: it takes its goal's")


class GoalPublic(BaseModel):
    code: str
    short_name: str
    statement: str
    sdgs: list[SDGPublic] = Field(description="The SDGs its links and its objectives' reach")
    sdg_links: list[SDGLinkPublic]
    coverage: FigurePublic
    objectives: list[ObjectivePublic]


class ThemeStatementPublic(BaseModel):
    code: str
    statement: str


class ThemePublic(BaseModel):
    code: str
    name: str
    statements: list[ThemeStatementPublic]
    coverage: FigurePublic


class FrameworkNamePublic(BaseModel):
    code: str
    name: str
    version: str


class FrameworkPublic(BaseModel):
    framework: FrameworkNamePublic | None = Field(description="None before one is loaded")
    goals: list[GoalPublic]
    themes: list[ThemePublic]


@router.get(
    "/framework",
    response_model=FrameworkPublic,
    responses=READ,
    summary="The active framework with coverage counts",
)
def framework(session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    """Goals with their objectives and SDGs, themes with their statements, and how many active
    projects serve each."""
    overview = framework_overview(session=session)
    if overview.framework is None:
        return {"framework": None, "goals": [], "themes": []}
    fw = overview.framework
    return {
        "framework": {"code": fw.code, "name": fw.name, "version": str(fw.version)},
        "goals": [
            {
                "code": g.code,
                "short_name": g.short_name,
                "statement": g.statement,
                "sdgs": [{"number": s.number, "name": s.name} for s in g.sdgs],
                "sdg_links": _links(g.sdg_links),
                "coverage": _figure(g.coverage),
                "objectives": [
                    {
                        "code": o.code,
                        "short_name": o.short_name,
                        "statement": o.statement,
                        "coverage": _figure(o.coverage),
                        "sdg_links": _links(o.sdg_links),
                    }
                    for o in g.objectives
                ],
            }
            for g in overview.goals
        ],
        "themes": [
            {
                "code": t.code,
                "name": t.name,
                "statements": [{"code": c, "statement": s} for c, s in t.statements],
                "coverage": _figure(t.coverage),
            }
            for t in overview.themes
        ],
    }


class SDGTargetPublic(BaseModel):
    code: str
    short_title: str = Field(description="The tracker's: the official text's first clause")
    title: str = Field(description="The official text")


class SDGGoalPublic(BaseModel):
    number: int
    name: str
    title: str
    targets: list[SDGTargetPublic]


class SDGsPublic(BaseModel):
    sdgs: list[SDGGoalPublic]
    source: str


@router.get(
    "/sdgs",
    response_model=SDGsPublic,
    responses=READ,
    summary="The Sustainable Development Goals and their targets",
)
def sdgs(session: SessionDep, principal: CurrentPrincipal) -> SDGsPublic:
    """The 17 SDGs with their 169 targets: the UN's official titles in English."""
    return SDGsPublic(
        sdgs=[
            SDGGoalPublic(
                number=g.number,
                name=g.name,
                title=g.title,
                targets=[
                    SDGTargetPublic(code=t.code, short_title=t.short_title, title=t.title)
                    for t in g.targets
                ],
            )
            for g in sdg_links.reference(session=session)
        ],
        source="United Nations, official titles as collected by the Open SDG project "
        "(sdg-translations, MIT licence)",
    )


class TargetPublic(BaseModel):
    id: int
    scope: Literal["goal", "objective"]
    code: str
    region: str | None
    min_active_projects: int | None
    min_budget_eur: str | None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 1,
                    "scope": "objective",
                    "code": "4.2",
                    "region": "AFR",
                    "min_active_projects": 3,
                    "min_budget_eur": "500000.00",
                }
            ]
        }
    }


@router.get("/targets", response_model=list[TargetPublic], responses=READ, summary="Targets")
def list_targets(session: SessionDep, principal: CurrentPrincipal) -> list[dict]:
    return [t.public() for t in target_service.list_targets(session=session)]


@router.post(
    "/targets",
    response_model=TargetPublic,
    status_code=201,
    responses=refusals(401, 403, body=True),
    summary="Set a target (administrators)",
)
def set_target(body: TargetCreate, session: SessionDep, principal: AdminPrincipal) -> dict:
    """Adds a target, or replaces the one for the same goal or objective and region."""
    view = target_service.save_target(session=session, target=body, actor=principal.user)
    session.commit()
    return view.public()


@router.delete(
    "/targets/{target_id}",
    status_code=204,
    response_class=Response,
    responses=refusals(401, 403, 404),
    summary="Remove a target (administrators)",
)
def delete_target(
    target_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The target's id")],
    session: SessionDep,
    principal: AdminPrincipal,
) -> Response:
    target_service.delete_target(session=session, target_id=target_id, actor=principal.user)
    session.commit()
    return Response(status_code=204)


class TrendPointPublic(BaseModel):
    day: str
    projects: int
    principal: int
    budget_eur: str


class TrendSeriesPublic(BaseModel):
    level: Literal["goal", "objective"]
    code: str
    label: str
    points: list[TrendPointPublic]


class TrendGapsPublic(BaseModel):
    day: str = Field(description="The end of the period")
    gaps: int = Field(
        description="Gaps then: uncovered objectives and themes, empty goals by region, targets"
    )
    opened: list[GapPublic]
    closed: list[GapPublic]


class TrendPublic(BaseModel):
    period: str
    days: list[str]
    series: list[TrendSeriesPublic]
    gaps: list[TrendGapsPublic]


@router.get("/trends", response_model=TrendPublic, responses=READ, summary="Coverage over time")
def trends(
    params: Annotated[TrendParams, Query()], session: SessionDep, principal: CurrentPrincipal
) -> TrendPublic:
    """Per goal (or the objectives of `goal`), active projects, principal projects and
    attributed budget at the end of each week, month or quarter, and the gaps that opened and
    closed in each period; the same figures as the heatmap as of each day."""
    trend = build_trend(session=session, params=params)
    return TrendPublic(
        period=trend.period,
        days=[d.isoformat() for d in trend.days],
        series=[
            TrendSeriesPublic(
                level=s.row.level,
                code=s.row.code,
                label=s.row.label,
                points=[
                    TrendPointPublic(
                        day=p.day.isoformat(),
                        projects=p.projects,
                        principal=p.principal,
                        budget_eur=f"{p.budget:.2f}",
                    )
                    for p in s.points
                ],
            )
            for s in trend.series
        ],
        gaps=[
            TrendGapsPublic(
                day=g.day.isoformat(),
                gaps=g.count,
                opened=[x.public() for x in g.opened],
                closed=[x.public() for x in g.closed],
            )
            for g in trend.gaps
        ],
    )
