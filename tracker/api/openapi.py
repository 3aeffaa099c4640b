"""The OpenAPI document of the JSON API alone.

The HTML pages answer with pages, not JSON, so the document at /openapi.json (and /docs)
describes the routes under /api/v1 only, with what they really return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from tracker import api


def api_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """A replacement for app.openapi: `app.openapi = api_openapi(app)`."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description="The tracker's JSON API. Send a personal API token (made on your "
                "account page) as `Authorization: Bearer <token>`. A refused request is "
                "answered with what was wrong, naming each field (422), or why (4xx).",
                routes=[
                    route
                    for route in app.routes
                    if getattr(route, "original_router", None) is api.router
                ],
            )
        return app.openapi_schema

    return build
