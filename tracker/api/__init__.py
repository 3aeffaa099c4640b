"""JSON routes under /api/v1 (thin: parse, call one service, return)."""

from fastapi import APIRouter

from tracker.api import coverage, me, projects

router = APIRouter(prefix="/api/v1")
router.include_router(me.router)
router.include_router(coverage.router)
router.include_router(projects.router)
