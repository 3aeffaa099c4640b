"""The app as it is served, for tests that build it themselves."""

from __future__ import annotations

from tracker.api.openapi import api_openapi
from tracker.http_options import OptionsMiddleware


def as_served(app):
    """The app with the API's own OpenAPI document and OptionsMiddleware: set here until
    create_app does it itself."""
    if "api_openapi" not in getattr(app.openapi, "__qualname__", ""):
        app.openapi = api_openapi(app)
    if any(m.cls is OptionsMiddleware for m in app.user_middleware):
        return app
    return OptionsMiddleware(app)
