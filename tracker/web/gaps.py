"""The gaps page: objectives, regions and themes that too little work or money reaches."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.formats import gettext, locale_for
from tracker.locales import N_
from tracker.places import region_name
from tracker.services.coverage.gaps import (
    find_gap,
    find_gaps,
    gap_leads,
    gap_place,
    gap_query,
    view_params,
)
from tracker.services.coverage.params import FLOORS, GAP_KINDS, GapAboutParams, GapParams
from tracker.services.errors import InputError
from tracker.services.reference.lists import programmes_and_regions
from tracker.services.suggestions.suggest import likely_for_gaps
from tracker.web import htmx, urls
from tracker.web._params import query_params, read_query, url_with

router = APIRouter()


@router.get("/gaps", response_class=HTMLResponse, name="gaps")
def gaps(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    locale = locale_for(request)
    programmes, regions = programmes_and_regions(session=session)

    def named(pairs) -> list[tuple[str, str]]:
        return [(str(value), gettext(label, locale=locale)) for value, label in pairs]

    context = {
        "params": params,
        "errors": {},
        "gaps": None,
        "kinds": dict(named(GAP_KINDS.items())),
        "options": {
            "kinds": named(GAP_KINDS.items()),
            "programmes": named([("", N_("All programmes"))])
            + [(p.code, p.name) for p in programmes],
            "regions": named([("", N_("All regions"))])
            + [(r.code, region_name(r.name, locale=locale)) for r in regions],
            "floors": named(FLOORS.items()),
            "rows": named(
                [
                    ("goals", N_("Goals and themes")),
                    ("objectives", N_("Objectives")),
                    ("themes", N_("Themes")),
                ]
            ),
        },
        "projects_url": lambda pairs: url_with(str(urls.url_for(request, "projects")), pairs),
        "gap_url": lambda gap: url_with(str(urls.url_for(request, "gap")), gap.about),
        "heatmap_url": None,
        "likely": {},
    }
    status = 200
    try:
        query = gap_query(session=session, params=read_query(request, GapParams))
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        context["gaps"] = find_gaps(session=session, query=query)
        context["likely"] = likely_for_gaps(session=session, gaps=context["gaps"])
        context["heatmap_url"] = url_with(
            str(urls.url_for(request, "heatmap")), query.coverage.url_params()
        )
    return htmx.render(
        request, page="gaps/index.html", fragment="gaps/_list.html", context=context, status=status
    )


@router.get("/gaps/about", response_class=HTMLResponse, name="gap")
def gap(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """One gap, and what can be done about it: projects in other statuses, projects that could
    take it on, and for administrators a target to set."""
    params = read_query(request, GapAboutParams)
    query = gap_query(session=session, params=params)
    found = find_gap(session=session, query=query, params=params)
    gaps_url = url_with(str(urls.url_for(request, "gaps")), view_params(query.coverage))
    context = {
        "gap": found,
        "leads": gap_leads(session=session, gap=found, query=query, params=params) if found else [],
        "gaps_url": gaps_url,
        "projects_url": lambda pairs: url_with(str(urls.url_for(request, "projects")), pairs),
        "target_code": params.objective or params.goal,
        "target_region": params.place if params.cols != "countries" else None,
        "target_place": gap_place(session=session, params=params) if params.place else None,
        "can_edit": principal.is_admin or principal.is_manager,
        "is_admin": principal.is_admin,
        "panel": htmx.target(request) == "cell-panel",
        "likely": likely_for_gaps(session=session, gaps=[found], limit=8) if found else {},
    }
    return htmx.render(
        request, page="gaps/about.html", fragment="gaps/_about.html", context=context
    )
