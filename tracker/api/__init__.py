"""JSON routes under /api/v1 (thin: parse, call one service, return)."""

from fastapi import APIRouter, Security

from tracker.api import coverage, me, projects
from tracker.api.responses import bearer

# The bearer scheme is declared for the OpenAPI document; tracker.deps checks the token.
router = APIRouter(prefix="/api/v1", dependencies=[Security(bearer)])
router.include_router(me.router)
router.include_router(coverage.router)
router.include_router(projects.router)
