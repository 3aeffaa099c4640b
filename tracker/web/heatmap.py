"""The heatmap: coverage as a table, with selectors that keep their state in the URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.services.coverage import compute_matrix, coverage_query
from tracker.services.coverage.export import matrix_csv
from tracker.services.coverage.gaps import matrix_gap_reasons
from tracker.services.coverage.links import cell_params
from tracker.services.coverage.params import (
    COLUMN_KINDS,
    FLOORS,
    METRICS,
    ROW_KINDS,
    STATUSES,
    CoverageParams,
)
from tracker.services.errors import InputError
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx
from tracker.web._params import query_params, read_query, url_with
from tracker.web.scale import DARK_TEXT_STEPS, ColourScale

router = APIRouter()


def _options(session) -> dict:
    programmes, regions = programmes_and_regions(session=session)
    return {
        "row_kinds": ROW_KINDS,
        "column_kinds": COLUMN_KINDS,
        "metrics": METRICS,
        "options": {
            "rows": list(ROW_KINDS.items()),
            "columns": list(COLUMN_KINDS.items()),
            "metrics": list(METRICS.items()),
            "regions": [("", "All regions")] + [(r.code, r.name) for r in regions],
            "floors": [(str(k), v) for k, v in FLOORS.items()],
            "statuses": [(s, s.capitalize()) for s in STATUSES],
            "programmes": [(p.code, p.name) for p in programmes],
        },
    }


@router.get("/heatmap", response_class=HTMLResponse, name="heatmap")
def heatmap(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    context = {"params": params, "errors": {}, "matrix": None, **_options(session)}
    status = 200
    try:
        query = coverage_query(session=session, params=read_query(request, CoverageParams))
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        matrix = compute_matrix(session=session, query=query)
        context.update(
            matrix=matrix,
            query=query,
            scale=ColourScale(matrix.leaf_values, query.metric),
            dark_text_steps=DARK_TEXT_STEPS,
            gaps=matrix_gap_reasons(session=session, matrix=matrix),
            link=lambda row, column: url_with(
                str(request.url_for("projects")), cell_params(query, row, column)
            ),
            view_url=lambda **changes: url_with(
                str(request.url_for("heatmap")), query.url_params(**changes)
            ),
            csv_url=url_with(str(request.url_for("heatmap_csv")), query.url_params()),
        )
    return htmx.render(
        request,
        page="heatmap/index.html",
        fragment="heatmap/_view.html",
        context=context,
        status=status,
    )


@router.get("/heatmap.csv", name="heatmap_csv")
def heatmap_csv(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    query = coverage_query(session=session, params=read_query(request, CoverageParams))
    matrix = compute_matrix(session=session, query=query)
    metric = query.metric
    name = f"coverage-{query.rows}-by-{query.columns}-{metric}.csv"
    return Response(
        matrix_csv(matrix, metric),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
