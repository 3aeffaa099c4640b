"""OPTIONS on every address, and an `Allow` header that lists what the address accepts.

The router answers a method an address does not take with 405 and the methods of the first
route it found there, which is one of several when GET and POST of one address are separate
routes. This middleware asks every route, in the router's order, which methods it would
handle at the request's path, and answers OPTIONS with exactly those (HEAD wherever GET is,
as tracker.security.HeadMiddleware serves it); a 405 gets the same list.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CANDIDATES = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _handles(route: BaseRoute, scope: Scope) -> bool:
    if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
        # A mount matches any method; static files answer GET and HEAD only.
        return route.matches(scope)[0] is Match.FULL and scope["method"] == "GET"
    return route.matches(scope)[0] is Match.FULL


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """The methods some route would handle at this scope's path, in the router's order of
    trying routes; empty when no route is there at all."""
    methods = []
    for method in CANDIDATES:
        probe = {key: value for key, value in scope.items() if key != "fastapi"}
        probe["method"] = method
        if any(_handles(route, probe) for route in routes):
            methods.append(method)
    if "GET" in methods:
        methods.insert(1, "HEAD")
    return [*methods, "OPTIONS"] if methods else []


class OptionsMiddleware:
    """Answers OPTIONS with 204 and `Allow`, and corrects `Allow` on a 405."""

    def __init__(self, app: ASGIApp):
        self.app = app

    def _routes(self, scope: Scope) -> list[BaseRoute]:
        # Inside the application's middleware, scope["app"] is the application; wrapped
        # around it from outside, the wrapped app is.
        for app in (scope.get("app"), self.app):
            router = getattr(app, "router", None)
            if router is not None:
                return list(router.routes)
        return []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(self._routes(scope), scope)
            if methods:
                response = Response(status_code=204, headers={"Allow": ", ".join(methods)})
                await response(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(self._routes(scope), scope)
                if methods:
                    MutableHeaders(scope=message)["allow"] = ", ".join(methods)
            await send(message)

        await self.app(scope, receive, send_with_allow)
