"""The app's routes, walked through the routers it includes, with their full paths."""

from __future__ import annotations

from fastapi.routing import APIRoute


def api_routes(routes, prefix: str = "") -> list[tuple[str, APIRoute]]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path_format, route))
        elif (router := getattr(route, "original_router", None)) is not None:
            context = getattr(route, "include_context", None)
            # An included router's context already carries the prefixes above it.
            outer = getattr(context, "prefix", "") or prefix
            found += api_routes(router.routes, outer)
    return found
