"""JSON routes under /api/v1 (thin: parse, call one service, return)."""

from fastapi import APIRouter, Security

from tracker.api import coverage, me, projects, suggestions
from tracker.api.responses import bearer

# The bearer scheme is declared for the OpenAPI document; tracker.deps checks the token.
router = APIRouter(prefix="/api/v1", dependencies=[Security(bearer)])
router.include_router(me.router)
router.include_router(coverage.router)
# Before the projects: their last route takes any address under /projects as a project's.
router.include_router(suggestions.router)
router.include_router(projects.router)
