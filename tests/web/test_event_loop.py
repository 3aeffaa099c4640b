"""No route blocks the event loop: whatever touches the database runs in the thread pool."""

from __future__ import annotations

import inspect

from fastapi.dependencies.utils import get_dependant

from tests.routes import api_routes
from tracker.app import create_app
from tracker.config import Settings
from tracker.deps import get_engine, get_session

DATABASE = {get_session, get_engine}


def _database_dependencies(dependant) -> set:
    found = set()
    for sub in dependant.dependencies:
        if sub.call in DATABASE:
            found.add(sub.call)
        found |= _database_dependencies(sub)
    return found


def _async_calls_reaching_the_database(dependant, path=()) -> list[str]:
    """Async callables (endpoint or dependency) that take a session or the engine."""
    offenders = []
    call = dependant.call
    if call is not None and inspect.iscoroutinefunction(call):
        if _database_dependencies(dependant):
            offenders.append(" -> ".join([*path, call.__qualname__]))
        elif "engine" in inspect.getsource(call) or "session" in inspect.getsource(call):
            offenders.append(" -> ".join([*path, call.__qualname__]) + " (reads the engine)")
    for sub in dependant.dependencies:
        offenders += _async_calls_reaching_the_database(sub, (*path, call.__qualname__))
    return offenders


def test_every_route_that_touches_the_database_is_a_plain_def(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", env="test"))
    routes = api_routes(app.routes)
    assert len(routes) > 50
    offenders = []
    for dependency in app.router.dependencies:
        dependant = get_dependant(path="/", call=dependency.dependency)
        offenders += _async_calls_reaching_the_database(dependant)
    for path, route in routes:
        for offender in _async_calls_reaching_the_database(route.dependant):
            offenders.append(f"{sorted(route.methods)} {path}: {offender}")
    assert offenders == []


def test_the_walk_finds_an_async_route_that_takes_a_session(tmp_path):
    """The check above can fail: an async endpoint with a session is caught."""
    from typing import Annotated

    from fastapi import Depends
    from sqlmodel import Session

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", env="test"))

    @app.get("/blocking")
    async def blocking(session: Annotated[Session, Depends(get_session)]):
        return {}

    route = next(r for r in app.routes if getattr(r, "path", "") == "/blocking")
    assert _async_calls_reaching_the_database(route.dependant)
