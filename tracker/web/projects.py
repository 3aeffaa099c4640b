"""Project pages: the list with search and filters, and one project."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker import formats
from tracker.deps import CurrentPrincipal, SessionDep
from tracker.formats import Text
from tracker.locales import N_
from tracker.services.coverage.params import FLOORS, STATUS_NAMES
from tracker.services.errors import InputError
from tracker.services.projects.detail import project_coverage, project_detail
from tracker.services.projects.listing import (
    STATUSES,
    describe_filters,
    list_projects,
    project_list_query,
)
from tracker.services.projects.params import SCREENED, SORT_NAMES, ProjectListParams
from tracker.services.reference.lists import (
    framework_options,
    place_groups,
    programmes_and_regions,
)
from tracker.web import htmx, urls
from tracker.web._params import query_params, read_query, url_with
from tracker.web.project_forms import project_suggestions, tag_choices
from tracker.web.templating import page_names, templates

router = APIRouter()


def _filter_options(request, session, locale: str) -> dict:
    programmes, regions = programmes_and_regions(session=session)
    framework = framework_options(session=session, names=page_names(request, session))
    return {
        "goals": [("", Text(N_("Any goal"))), *framework.goals],
        "objectives": framework.objectives,
        "themes": [("", Text(N_("Any theme"))), *framework.themes, ("none", Text(N_("No theme")))],
        "programmes": [("", Text(N_("Any programme")))] + [(p.code, p.name) for p in programmes],
        "places": place_groups(session=session, regions=regions, locale=locale),
        "statuses": [("any", Text(N_("Any status")))]
        + [(s, Text(STATUS_NAMES.get(s, s.capitalize()))) for s in STATUSES],
        "screened": [("", Text(N_("Screened or not")))]
        + [(k, Text(v)) for k, v in SCREENED.items()],
        "floors": [(str(k), Text(v)) for k, v in FLOORS.items()],
        "sorts": [(k, Text(v)) for k, v in SORT_NAMES.items()]
        + [(f"-{k}", Text(N_("%(key)s, descending"), key=Text(v))) for k, v in SORT_NAMES.items()],
    }


@router.get("/projects", response_class=HTMLResponse, name="projects")
def projects(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    panel = htmx.target(request) == "cell-panel"
    context = {"params": params, "errors": {}, "result": None, "panel": panel}
    status = 200
    try:
        query = project_list_query(session=session, params=read_query(request, ProjectListParams))
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        base = str(urls.url_for(request, "projects"))
        context.update(
            query=query,
            result=list_projects(session=session, query=query),
            filters=describe_filters(session=session, query=query),
            list_url=url_with(base, query.url_params()),
            page_url=lambda page: url_with(base, query.url_params(page=page)),
        )
    if not htmx.wants_fragment(request):
        context["options"] = _filter_options(request, session, formats.locale_for(request))
    return htmx.render(
        request,
        page="projects/index.html",
        fragment="projects/_results.html",
        context=context,
        status=status,
    )


@router.get("/projects/{code}", response_class=HTMLResponse, name="project")
def show_project(
    request: Request, code: str, session: SessionDep, principal: CurrentPrincipal
) -> HTMLResponse:
    detail = project_detail(session=session, code=code)
    return templates.TemplateResponse(
        request,
        "projects/detail.html",
        {
            "detail": detail,
            "coverage": project_coverage(session=session, project=detail.project),
            "can_edit": principal.can_edit_project(detail.project),
            "tag_choices": tag_choices(request, session),
            "suggestions": project_suggestions(session, principal, detail.project),
            "notice": request.query_params.get("notice"),
        },
    )
