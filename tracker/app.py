"""The web application."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tracker import api
from tracker.api.openapi import api_openapi
from tracker.config import PROJECT_ROOT, Settings, get_settings
from tracker.db import engine_from_settings
from tracker.deps import verify_csrf
from tracker.http_options import OptionsMiddleware
from tracker.inputs import check_request_inputs
from tracker.scheduler import build_scheduler
from tracker.security import BodyLimitMiddleware, HeadMiddleware, SecurityMiddleware
from tracker.web import (
    account,
    admin,
    admin_sign_in,
    auth,
    dashboard,
    digests,
    docs,
    framework,
    gaps,
    health,
    heatmap,
    imports,
    language,
    oidc,
    project_forms,
    projects,
    reports,
    suggestions,
    trends,
)
from tracker.web.errors import install_error_handlers

FAVICON = PROJECT_ROOT / "static" / "favicon.ico"


def _favicon() -> FileResponse:
    """The icon browsers ask for at /favicon.ico whatever the page links: static/favicon.svg's
    design at 16, 32 and 48 pixels."""
    return FileResponse(
        FAVICON,
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Runs the scheduler inside the web app when TRACKER_EMBEDDED_SCHEDULER is on (one
    process only, as `make run`); in production it runs on its own: `tracker scheduler`."""
    scheduler = None
    if app.state.settings.embedded_scheduler:
        scheduler = build_scheduler(
            engine=app.state.engine, settings=app.state.settings, blocking=False
        )
        scheduler.start()
    yield
    if scheduler is not None:
        scheduler.shutdown(wait=False)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    app = FastAPI(
        lifespan=_lifespan,
        title="Portfolio Alignment Tracker",
        summary="Coverage of a strategic framework by a portfolio of projects.",
        version="0.1.0",
        # Every input is checked at the edge first; every state-changing request from a
        # browser must carry the CSRF token.
        dependencies=[Depends(check_request_inputs), Depends(verify_csrf)],
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or engine_from_settings(settings)
    # The last added runs first: hosts are checked, then HEAD becomes GET, then bodies are
    # limited as they arrive, then every answer gets its security headers, then OPTIONS is
    # answered.
    app.add_middleware(OptionsMiddleware)
    app.add_middleware(language.RememberLanguage)
    app.add_middleware(
        SecurityMiddleware,
        secure_cookies=settings.secure_cookies,
        form_targets=settings.oidc_origin,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.import_max_bytes + 1_000_000,
    )
    app.add_middleware(HeadMiddleware)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.mount("/static", StaticFiles(directory=str(PROJECT_ROOT / "static")), name="static")
    app.add_api_route("/favicon.ico", _favicon, include_in_schema=False, name="favicon")
    install_error_handlers(app)
    for router in (
        health.router,
        auth.router,
        language.router,
        oidc.router,
        dashboard.router,
        gaps.router,
        framework.router,
        imports.router,
        project_forms.router,
        projects.router,
        suggestions.router,
        heatmap.router,
        trends.router,
        reports.router,
        account.router,
        admin.router,
        admin_sign_in.router,
        digests.router,
        docs.router,
    ):
        app.include_router(router)
    app.include_router(api.router)
    # The OpenAPI document describes the JSON API, whose refusals it documents as returned.
    app.openapi = api_openapi(app)
    return app
