"""The web application."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from tracker.config import PROJECT_ROOT, Settings, get_settings
from tracker.db import engine_from_settings
from tracker.web import health, pages


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    app = FastAPI(
        title="Portfolio Alignment Tracker",
        summary="Coverage of a strategic framework by a portfolio of projects.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine or engine_from_settings(settings)
    app.mount("/static", StaticFiles(directory=str(PROJECT_ROOT / "static")), name="static")
    app.include_router(health.router)
    app.include_router(pages.router)
    return app
