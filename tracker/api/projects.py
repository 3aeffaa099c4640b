"""Projects and their tags as JSON. The same service functions as the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import Convertor, register_url_convertor

from tracker.api.responses import READ, WRITE, refusals
from tracker.deps import CurrentPrincipal, EditorPrincipal, SessionDep
from tracker.fields import (
    MAX_VERSION,
    FrameworkCode,
    Integer,
    Line,
    List,
    Percentage,
    QueryInteger,
    Text,
    Version,
)
from tracker.models import ProjectKind, ProjectStatus
from tracker.services.accounts import users
from tracker.services.projects import edit as project_edit
from tracker.services.projects import tagging
from tracker.services.projects.detail import ProjectDetail, TagView, get_project, project_detail
from tracker.services.projects.listing import list_projects, project_list_query
from tracker.services.projects.params import ProjectCreate, ProjectListParams
from tracker.services.projects.tagging import MAX_RATIONALE

router = APIRouter(tags=["projects"])

MAX_TAGS = 60  # more than the framework has objectives or themes

Significance = Literal["principal", "significant"]
Alignment = Literal["aligned", "screened, not aligned", "unscreened"]
CodeInPath = Annotated[str, Path(description="The project's code", examples=["CYB-2026-0042"])]


class ProjectCodeConvertor(Convertor[str]):
    """A project's code in an address: codes may hold a slash, so the rest of the path, but
    for a last segment "tags" or "suggestions", which name the project's tags and
    suggestions."""

    regex = r".+(?<!/tags)(?<!/suggestions)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("project_code", ProjectCodeConvertor())


# Places


class LocationPublic(BaseModel):
    place: str = Field(examples=["KE"])
    kind: Literal["country", "region"]
    percentage: str | None = Field(examples=["60.00"])


# Tags


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: FrameworkCode = Field(description="An objective (4.2) or theme (III) code")
    significance: Significance = "principal"
    budget_share: Percentage | None = None
    rationale: Text(MAX_RATIONALE) | None = None


class TagPublic(BaseModel):
    code: str
    significance: Significance
    budget_share: str | None = Field(examples=["60.00"])
    rationale: str | None


class TagsUpdate(BaseModel):
    """The project's tags, all of them: those not listed are removed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
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
        },
    )

    version: Version
    objectives: List(TagIn, MAX_TAGS) = Field(default_factory=list)
    themes: List(TagIn, MAX_TAGS) = Field(default_factory=list)


class TagsPublic(BaseModel):
    version: int
    objectives: list[TagPublic]
    themes: list[TagPublic]


# Projects


class ProjectPublic(BaseModel):
    code: str
    title: str
    summary: str | None
    kind: ProjectKind
    status: ProjectStatus
    start_date: date | None
    end_date: date | None
    budget_amount: str | None = Field(examples=["250000.00"])
    budget_currency: str | None
    budget_eur: str | None = Field(description="The budget in EUR, to the cent")
    donor: str | None
    programme: str
    manager: str | None = Field(description="Email of the project's manager")
    screened_at: datetime | None
    alignment: Alignment
    version: int
    locations: list[LocationPublic]
    sdgs: list[int]
    objectives: list[TagPublic]
    themes: list[TagPublic]


class ProjectUpdate(ProjectCreate):
    """What GET gives, changed where you want: the read-only fields are ignored."""

    version: Version
    budget_eur: Line(20) | None = Field(default=None, description="Read-only; ignored")
    screened_at: datetime | None = Field(default=None, description="Read-only; ignored")
    alignment: Alignment | None = Field(default=None, description="Read-only; ignored")
    sdgs: List(Integer(1, 17), 17) | None = Field(default=None, description="Read-only; ignored")
    objectives: List(TagIn, MAX_TAGS) | None = Field(
        default=None, description="Read-only; ignored (change tags with PUT …/tags)"
    )
    themes: List(TagIn, MAX_TAGS) | None = Field(
        default=None, description="Read-only; ignored (change tags with PUT …/tags)"
    )


class ProjectRowPublic(BaseModel):
    code: str
    title: str
    programme: str
    status: ProjectStatus
    start_date: date | None
    end_date: date | None
    budget_eur: str | None
    principal_objectives: list[str]
    significant_objectives: list[str]


class ProjectPagePublic(BaseModel):
    total: int
    page: int
    pages: int
    items: list[ProjectRowPublic]


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def _tag(tag: TagView) -> TagPublic:
    return TagPublic(
        code=tag.code,
        significance="principal" if tag.significance == 2 else "significant",
        budget_share=_money(tag.budget_share),
        rationale=tag.rationale,
    )


def _tags(detail: ProjectDetail) -> TagsPublic:
    return TagsPublic(
        version=detail.project.version,
        objectives=[_tag(t) for t in detail.objective_tags],
        themes=[_tag(t) for t in detail.theme_tags],
    )


def _project(session, code: str) -> ProjectPublic:
    detail = project_detail(session=session, code=code)
    p = detail.project
    manager = users.get_user(session=session, user_id=p.manager_id) if p.manager_id else None
    return ProjectPublic(
        code=p.code,
        title=p.title,
        summary=p.summary,
        kind=p.kind,
        status=p.status,
        start_date=p.start_date,
        end_date=p.end_date,
        budget_amount=_money(p.budget_amount),
        budget_currency=p.budget_currency,
        budget_eur=_money(detail.budget_eur),
        donor=p.donor,
        programme=detail.programme.code,
        manager=manager.email if manager else None,
        screened_at=p.screened_at,
        alignment=detail.status,
        version=p.version,
        locations=[
            LocationPublic(place=loc.code, kind=loc.kind, percentage=_money(loc.percentage))
            for loc in detail.locations
        ],
        sdgs=[s.number for s in detail.sdgs],
        objectives=[_tag(t) for t in detail.objective_tags],
        themes=[_tag(t) for t in detail.theme_tags],
    )


@router.get(
    "/projects",
    response_model=ProjectPagePublic,
    responses=READ,
    summary="Projects, with the same filters as the projects list",
)
def projects(
    params: Annotated[ProjectListParams, Query()],
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ProjectPagePublic:
    query = project_list_query(session=session, params=params)
    result = list_projects(session=session, query=query)
    return ProjectPagePublic(
        total=result.total,
        page=result.page,
        pages=result.pages,
        items=[
            ProjectRowPublic(
                code=r.code,
                title=r.title,
                programme=r.programme,
                status=r.status,
                start_date=r.start_date,
                end_date=r.end_date,
                budget_eur=_money(r.budget_eur),
                principal_objectives=r.principal,
                significant_objectives=r.significant,
            )
            for r in result.rows
        ],
    )


@router.post(
    "/projects",
    status_code=201,
    response_model=ProjectPublic,
    responses=WRITE,
    summary="Register a project (managers of its programme, administrators)",
)
def create(body: ProjectCreate, session: SessionDep, principal: EditorPrincipal) -> ProjectPublic:
    project = project_edit.create_project(session=session, data=body, principal=principal)
    session.commit()
    return _project(session, project.code)


@router.get(
    "/projects/{code:path}/tags",
    response_model=TagsPublic,
    responses=refusals(401, 404),
    summary="A project's objective and theme tags",
)
def read_tags(code: CodeInPath, session: SessionDep, principal: CurrentPrincipal) -> TagsPublic:
    return _tags(project_detail(session=session, code=code))


@router.put(
    "/projects/{code:path}/tags",
    response_model=TagsPublic,
    responses=refusals(401, 403, 404, 409, body=True),
    summary="Make a project's tags exactly these",
)
def replace_tags(
    code: CodeInPath, body: TagsUpdate, session: SessionDep, principal: CurrentPrincipal
) -> TagsPublic:
    """All or nothing: every tag is checked (codes, significance, shares adding up to at most
    100 for objectives and for themes, in the tags as they will be) before anything changes."""
    project = get_project(session=session, code=code)

    def changes(kind: str, tags: list[TagIn]) -> list[tagging.TagChange]:
        return [
            tagging.TagChange(kind, t.code, t.significance, t.budget_share, t.rationale or "")
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
    return _tags(project_detail(session=session, code=code))


@router.get(
    "/projects/{code:project_code}",
    response_model=ProjectPublic,
    responses=refusals(401, 404),
    summary="One project with its places and tags",
)
def read(code: CodeInPath, session: SessionDep, principal: CurrentPrincipal) -> ProjectPublic:
    return _project(session, code)


@router.put(
    "/projects/{code:project_code}",
    response_model=ProjectPublic,
    responses=refusals(401, 403, 404, 409, body=True),
    summary="Change a project (send the version you read)",
)
def replace(
    code: CodeInPath, body: ProjectUpdate, session: SessionDep, principal: CurrentPrincipal
) -> ProjectPublic:
    project = get_project(session=session, code=code)
    project_edit.update_project(
        session=session,
        project=project,
        data=body,
        expected_version=body.version,
        principal=principal,
    )
    session.commit()
    return _project(session, project.code)


@router.delete(
    "/projects/{code:project_code}",
    status_code=204,
    response_class=Response,
    responses=refusals(401, 403, 404, 409),
    summary="Delete a project",
)
def remove(
    code: CodeInPath,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: Annotated[
        QueryInteger(1, MAX_VERSION),
        Query(description="The version you read; a stale one gets 409"),
    ],
) -> Response:
    project = get_project(session=session, code=code)
    project_edit.delete_project(
        session=session, project=project, expected_version=version, principal=principal
    )
    session.commit()
    return Response(status_code=204)
