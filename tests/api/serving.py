"""The app as it is served, for tests that build it themselves."""

from __future__ import annotations

from tracker.http_options import OptionsMiddleware


def with_options(app):
    """The app with OptionsMiddleware, wrapped around it here until create_app adds it."""
    if any(m.cls is OptionsMiddleware for m in app.user_middleware):
        return app
    return OptionsMiddleware(app)
