"""Small helpers shared by the HTML routes."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths: never send someone on to another site after signing in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
