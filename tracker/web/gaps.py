"""The gaps page: objectives, regions and themes that too little work or money reaches."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.coverage.gaps import find_gaps, gap_query
from tracker.services.coverage.params import FLOORS, GAP_KINDS, GapParams
from tracker.services.errors import InputError
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx
from tracker.web._params import query_params, read_query, url_with

router = APIRouter()


@router.get("/gaps", response_class=HTMLResponse, name="gaps")
def gaps(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    programmes, regions = programmes_and_regions(session=session)
    context = {
        "params": params,
        "errors": {},
        "gaps": None,
        "kinds": GAP_KINDS,
        "options": {
            "kinds": list(GAP_KINDS.items()),
            "programmes": [("", "All programmes")] + [(p.code, p.name) for p in programmes],
            "regions": [("", "All regions")] + [(r.code, r.name) for r in regions],
            "floors": [(str(k), v) for k, v in FLOORS.items()],
        },
        "projects_url": lambda pairs: url_with(str(request.url_for("projects")), pairs),
    }
    status = 200
    try:
        query = gap_query(session=session, params=read_query(request, GapParams))
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        context["gaps"] = find_gaps(session=session, query=query)
    return htmx.render(
        request, page="gaps/index.html", fragment="gaps/_list.html", context=context, status=status
    )
