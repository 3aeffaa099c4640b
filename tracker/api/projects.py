"""Projects and their tags as JSON. The same service functions as the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tracker.deps import CurrentPrincipal, EditorPrincipal, SessionDep
from tracker.services import project_edit, tagging
from tracker.services.project_list import list_projects, parse_project_list_query
from tracker.services.projects import get_project, project_detail
from tracker.web._params import query_params

router = APIRouter(tags=["projects"])


class LocationIn(BaseModel):
    place: str = Field(
        description="ISO 3166 country code (KE) or region code (AFR)", examples=["KE"]
    )
    percentage: Decimal | None = Field(default=None, description="Share of the work; all or none")


class ProjectIn(BaseModel):
    code: str = Field(examples=["CYB-2026-0042"])
    title: str = Field(examples=["Cyber investigation training in Kenya"])
    summary: str = ""
    kind: str = Field(default="capacity_building", description="capacity_building or operation")
    status: str = Field(
        default="pipeline", description="pipeline, active, completed, suspended, cancelled"
    )
    start_date: date | None = None
    end_date: date | None = None
    budget_amount: Decimal | None = Field(default=None, examples=["250000"])
    budget_currency: str = Field(default="", examples=["EUR"])
    donor: str = ""
    programme: str = Field(description="Programme code", examples=["CYB"])
    manager: str = Field(default="", description="Email of the project manager")
    locations: list[LocationIn] = Field(default_factory=list)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "code": "CYB-2026-0042",
                    "title": "Cyber investigation training in Kenya",
                    "kind": "capacity_building",
                    "status": "active",
                    "start_date": "2026-01-01",
                    "end_date": "2027-12-31",
                    "budget_amount": "250000",
                    "budget_currency": "EUR",
                    "programme": "CYB",
                    "locations": [
                        {"place": "KE", "percentage": 60},
                        {"place": "UG", "percentage": 40},
                    ],
                }
            ]
        }
    }

    def as_input(self) -> project_edit.ProjectInput:
        values = self.model_dump(exclude={"locations", "version"})
        return project_edit.ProjectInput(
            **values,
            locations=[
                project_edit.LocationInput(loc.place, loc.percentage) for loc in self.locations
            ],
        )


class ProjectUpdate(ProjectIn):
    version: int = Field(description="The version you read; a stale one gets 409")


class TagIn(BaseModel):
    code: str = Field(examples=["4.2"])
    significance: str = Field(default="principal", description="principal or significant")
    budget_share: Decimal | None = Field(default=None, examples=[40])
    rationale: str = ""


class TagsIn(BaseModel):
    version: int = Field(description="The version you read; a stale one gets 409")
    objectives: list[TagIn] = Field(default_factory=list)
    themes: list[TagIn] = Field(default_factory=list)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "version": 3,
                    "objectives": [
                        {"code": "4.2", "significance": "principal", "budget_share": 60},
                        {"code": "4.3", "significance": "significant"},
                    ],
                    "themes": [{"code": "IV", "significance": "significant"}],
                }
            ]
        }
    }


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _project_json(session, code: str) -> dict[str, Any]:
    detail = project_detail(session=session, code=code)
    p = detail.project
    return {
        "code": p.code,
        "title": p.title,
        "summary": p.summary,
        "kind": p.kind,
        "status": p.status,
        "start_date": _jsonable(p.start_date),
        "end_date": _jsonable(p.end_date),
        "budget_amount": _jsonable(p.budget_amount),
        "budget_currency": p.budget_currency,
        "budget_eur": f"{detail.budget_eur:.2f}" if detail.budget_eur is not None else None,
        "donor": p.donor,
        "programme": detail.programme.code,
        "screened_at": _jsonable(p.screened_at),
        "alignment": detail.status,
        "version": p.version,
        "locations": [
            {"place": loc.code, "kind": loc.kind, "percentage": _jsonable(loc.percentage)}
            for loc in detail.locations
        ],
        "sdgs": [s.number for s in detail.sdgs],
        **_tags_json(detail),
    }


def _tags_json(detail) -> dict[str, Any]:
    def tag(t):
        return {
            "code": t.code,
            "significance": "principal" if t.significance == 2 else "significant",
            "budget_share": _jsonable(t.budget_share),
            "rationale": t.rationale,
        }

    return {
        "objectives": [tag(t) for t in detail.objective_tags],
        "themes": [tag(t) for t in detail.theme_tags],
    }


@router.get("/projects", summary="Projects, with the same filters as the projects list")
def projects(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    q: Annotated[str | None, Query(description="Search code, title, summary, donor")] = None,
    goal: Annotated[str | None, Query(examples=["GPG4"])] = None,
    objective: Annotated[str | None, Query(examples=["4.2"])] = None,
    theme: Annotated[str | None, Query(examples=["III"])] = None,
    programme: Annotated[list[str], Query()] = [],  # noqa: B006
    located: Annotated[str | None, Query(description="Region or country code, or global")] = None,
    status: Annotated[list[str], Query(description="Statuses; default any")] = [],  # noqa: B006
    screened: Annotated[str | None, Query(description="yes, no, not_aligned")] = None,
    sort: Annotated[
        str, Query(description="code, title, status, start, end, budget, updated; - for descending")
    ] = "code",
    page: Annotated[int, Query(ge=1)] = 1,
) -> dict[str, Any]:
    query = parse_project_list_query(session=session, params=query_params(request))
    result = list_projects(session=session, query=query)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "items": [
            {
                "code": r.code,
                "title": r.title,
                "programme": r.programme,
                "status": r.status,
                "start_date": _jsonable(r.start_date),
                "end_date": _jsonable(r.end_date),
                "budget_eur": f"{r.budget_eur:.2f}" if r.budget_eur is not None else None,
                "principal_objectives": r.principal,
                "significant_objectives": r.significant,
            }
            for r in result.rows
        ],
    }


@router.post(
    "/projects",
    status_code=201,
    summary="Register a project (managers of its programme, administrators)",
)
def create(body: ProjectIn, session: SessionDep, principal: EditorPrincipal) -> dict[str, Any]:
    project = project_edit.create_project(
        session=session, data=body.as_input(), principal=principal
    )
    session.commit()
    return _project_json(session, project.code)


@router.get("/projects/{code}", summary="One project with its places and tags")
def read(code: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    return _project_json(session, code)


@router.put("/projects/{code}", summary="Change a project (send the version you read)")
def replace(
    code: str, body: ProjectUpdate, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    project = get_project(session=session, code=code)
    project_edit.update_project(
        session=session,
        project=project,
        data=body.as_input(),
        expected_version=body.version,
        principal=principal,
    )
    session.commit()
    return _project_json(session, project.code)


@router.delete("/projects/{code}", status_code=204, summary="Delete a project")
def remove(
    code: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: Annotated[int, Query(description="The version you read; a stale one gets 409")],
) -> Response:
    project = get_project(session=session, code=code)
    project_edit.delete_project(
        session=session, project=project, expected_version=version, principal=principal
    )
    session.commit()
    return Response(status_code=204)


@router.get("/projects/{code}/tags", summary="A project's objective and theme tags")
def read_tags(code: str, session: SessionDep, principal: CurrentPrincipal) -> dict[str, Any]:
    detail = project_detail(session=session, code=code)
    return {"version": detail.project.version, **_tags_json(detail)}


@router.put("/projects/{code}/tags", summary="Make a project's tags exactly these")
def replace_tags(
    code: str, body: TagsIn, session: SessionDep, principal: CurrentPrincipal
) -> dict[str, Any]:
    """All or nothing: every tag is checked (codes, significance, shares adding up to at most
    100 for objectives and for themes) before anything changes."""
    project = get_project(session=session, code=code)

    def changes(kind, tags):
        return [
            tagging.TagChange(kind, t.code, t.significance, t.budget_share, t.rationale)
            for t in tags
        ]

    tagging.replace_tags(
        session=session,
        project=project,
        objectives=changes("objective", body.objectives),
        themes=changes("theme", body.themes),
        expected_version=body.version,
        principal=principal,
    )
    session.commit()
    detail = project_detail(session=session, code=code)
    return {"version": detail.project.version, **_tags_json(detail)}
