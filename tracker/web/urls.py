"""Addresses of the app's routes, by name, as pages link to them.

Starlette finds the address of a named route by asking every route in turn, through each
router the app includes; a page links to dozens of routes, and the asking came to a tenth of
the time spent serving a page. The routes are fixed once the app is made, so each app indexes
them by name the first time it is asked, and an address is then one route away.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import URL
from starlette.routing import NoMatchFound

INDEX = "route_index"  # on app.state: route name -> the routes of that name, in order


def _index(routes) -> dict[str, list[Any]]:
    index: dict[str, list[Any]] = {}
    for route in routes:
        # An included router answers through its routes, each with the prefixes above it.
        contexts = getattr(route, "effective_route_contexts", None)
        for found in contexts() if contexts is not None else (route,):
            index.setdefault(getattr(found, "name", None), []).append(found)
    return index


def url_for(request: Request, name: str, /, **path_params: Any) -> URL:
    """The absolute address of route `name` with `path_params`, as `request.url_for` gives it."""
    state = request.app.state
    index = getattr(state, INDEX, None)
    if index is None:
        index = _index(request.app.router.routes)
        setattr(state, INDEX, index)
    for route in index.get(name, ()):
        try:
            path = route.url_path_for(name, **path_params)
        except NoMatchFound:
            continue
        return path.make_absolute_url(base_url=request.base_url)
    return request.url_for(name, **path_params)  # says what is missing
