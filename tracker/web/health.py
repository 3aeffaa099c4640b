"""Liveness for load balancers and `make run`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from tracker.deps import EngineDep
from tracker.services.health import check_database

router = APIRouter()


@router.get("/healthz", response_class=PlainTextResponse, name="healthz")
def healthz(engine: EngineDep) -> PlainTextResponse:
    problem = check_database(engine=engine)
    if problem:
        return PlainTextResponse(problem, status_code=503)
    return PlainTextResponse("ok")
