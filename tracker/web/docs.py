"""The API reference at /docs, served from the vendored Swagger UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tracker.deps import OptionalPrincipal
from tracker.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse, name="docs")
def docs(request: Request, principal: OptionalPrincipal) -> HTMLResponse:
    """Anyone may read it; the page around it knows who is signed in."""
    info = request.app.openapi()["info"]
    return templates.TemplateResponse(
        request,
        "docs.html",
        {"openapi_url": request.app.openapi_url, "version": info["version"]},
    )
