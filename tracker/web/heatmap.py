"""The heatmap: coverage as a table, with selectors that keep their state in the URL."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from tracker.deps import CurrentPrincipal, SessionDep
from tracker.formats import gettext, locale_for
from tracker.locales import N_
from tracker.places import region_name
from tracker.services.coverage import cache, compute_matrix, coverage_query
from tracker.services.coverage.export import matrix_csv
from tracker.services.coverage.gaps import (
    empty_cell_note,
    find_gaps,
    gaps_by_cell,
    not_a_place_note,
    view_gap_query,
    view_params,
)
from tracker.services.coverage.links import cell_params
from tracker.services.coverage.params import (
    COLUMN_KINDS,
    COLUMN_NOUNS,
    FLOORS,
    METRICS,
    ROW_KINDS,
    ROW_NOUNS,
    STATUS_NAMES,
    STATUSES,
    CoverageParams,
    Metric,
)
from tracker.services.errors import InputError
from tracker.services.history.compare import compare
from tracker.services.reference.lists import programmes_and_regions
from tracker.web import htmx, urls
from tracker.web._params import query_params, read_query, url_with
from tracker.web.scale import DARK_TEXT_STEPS, ColourScale
from tracker.web.templating import page_names, render_fragment

router = APIRouter()


# The metrics the page offers. "Principal projects" counts what "Principal only" counts as
# projects, so the page keeps one control for it (the significance); the API keeps both.
PAGE_METRICS = ("projects", "budget")
# Where the person's last region is kept, for a view of countries chosen without one.
LAST_REGION_COOKIE = "heatmap_region"


def _options(session, locale: str) -> dict:
    """The choices of the page's selectors, in the page's language."""

    def named(pairs) -> list[tuple[str, str]]:
        return [(str(value), gettext(label, locale=locale)) for value, label in pairs]

    programmes, regions = programmes_and_regions(session=session)
    return {
        "row_kinds": dict(named(ROW_KINDS.items())),
        "column_kinds": dict(named(COLUMN_KINDS.items())),
        "metrics": dict(named(METRICS.items())),
        "row_nouns": dict(named(ROW_NOUNS.items())),
        "column_nouns": dict(named(COLUMN_NOUNS.items())),
        "options": {
            "rows": named(ROW_KINDS.items()),
            "columns": named(COLUMN_KINDS.items()),
            "metrics": named((k, METRICS[k]) for k in PAGE_METRICS),
            "regions": named([("", N_("All regions"))])
            + [(r.code, region_name(r.name, locale=locale)) for r in regions],
            "floors": named(FLOORS.items()),
            "statuses": named((s, STATUS_NAMES[s]) for s in STATUSES),
            "programmes": [(p.code, p.name) for p in programmes],
        },
        "region_codes": {r.code for r in regions},
    }


def _page_params(request: Request, region_codes: set[str]) -> tuple[CoverageParams, bool]:
    """The view the page shows, and whether it must ask for a region: "Principal projects" is
    shown as principal-only counting, and countries without a region take the person's last
    region, or show regions while the region is asked for."""
    params = read_query(request, CoverageParams)
    if params.metric == Metric.principal:
        params = params.model_copy(update={"metric": Metric.projects, "floor": "2"})
    if params.cols == "countries" and not params.region:
        last = request.cookies.get(LAST_REGION_COOKIE)
        if last in region_codes:
            return params.model_copy(update={"region": last}), False
        return params.model_copy(update={"cols": "regions"}), True
    return params, False


@router.get("/heatmap", response_class=HTMLResponse, name="heatmap")
def heatmap(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    params = query_params(request)
    options = _options(session, locale_for(request))
    context = {
        "params": params,
        "errors": {},
        "matrix": None,
        "ask_region": False,
        "comparison": None,
        **options,
    }
    status = 200
    try:
        view, ask_region = _page_params(request, options["region_codes"])
        query = coverage_query(session=session, params=view)
    except InputError as exc:
        context["errors"], status = exc.errors, htmx.refusal_status(request)
    else:
        matrix = compute_matrix(session=session, query=query).in_order_of(locale_for(request))
        context["comparison"] = (
            compare(session=session, query=query, since=view.compare, matrix=matrix)
            if view.compare
            else None
        )
        gaps = find_gaps(session=session, query=view_gap_query(query))
        marks = gaps_by_cell(matrix, gaps)
        shown = {g.key for cell in marks.values() for g in cell}
        gaps_url = url_with(str(urls.url_for(request, "gaps")), view_params(query))
        # Each cell links somewhere: the addresses are looked up once, not once a cell.
        routes = ("gap", "projects", "heatmap")
        address = {name: str(urls.url_for(request, name)) for name in routes}
        context.update(
            matrix=matrix,
            query=query,
            ask_region=ask_region,
            scale=ColourScale(matrix.leaf_values, query.metric),
            dark_text_steps=DARK_TEXT_STEPS,
            view_gaps=gaps,
            gaps=marks,
            gaps_elsewhere=[g for g in gaps if g.key not in shown],
            gaps_url=gaps_url,
            gap_url=lambda gap: url_with(address["gap"], gap.about),
            note=lambda row, column, cell: empty_cell_note(matrix, row, column, cell),
            columns_note=not_a_place_note(matrix),
            goal=next((r for r in matrix.rows if r.code == query.goal_code), None),
            link=lambda row, column: url_with(address["projects"], cell_params(query, row, column)),
            view_url=lambda **changes: url_with(address["heatmap"], query.url_params(**changes)),
            csv_url=url_with(str(urls.url_for(request, "heatmap_csv")), query.url_params()),
            board_pack_url=url_with(str(urls.url_for(request, "board_pack")), query.url_params()),
        )
    if context["matrix"] is not None:
        context["table_html"] = _table(request, session, context)
    response = htmx.render(
        request,
        page="heatmap/index.html",
        fragment="heatmap/_view.html",
        context=context,
        status=status,
    )
    if context["matrix"] is not None and context["query"].region_code:
        response.set_cookie(
            LAST_REGION_COOKIE,
            context["query"].region_code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _table(request: Request, session, context: dict) -> Markup:
    """The view's table, kept until coverage changes: the same view in the same language,
    currency and address is the same table, whoever asks (it shows nothing of theirs). A view
    of a region's countries has thousands of cells, a quarter of a second to write."""
    key = (
        "heatmap-table",
        context["query"],
        locale_for(request),
        request.app.state.settings.reporting_currency,
        str(request.base_url),
        date.today(),  # what is at risk depends on the day
    )
    html, translated = cache.cached(
        session, key, lambda: render_fragment(request, "heatmap/_table.html", context)
    )
    if translated:  # the framework's names in a working translation: the page says so
        page_names(request, session).shown = True
    return html


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
