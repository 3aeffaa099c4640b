"""Small helpers shared by the HTML routes."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from tracker.web import urls


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths: never send someone on to another site after signing in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def public_link(request: Request, name: str, **params) -> str:
    """A link to send to someone (an invitation, say): from TRACKER_BASE_URL when it is set,
    never from whatever Host header the request came with."""
    settings = request.app.state.settings
    path = request.app.url_path_for(name, **params)
    if settings.base_url:
        return settings.base_url.rstrip("/") + path
    return str(urls.url_for(request, name, **params))
