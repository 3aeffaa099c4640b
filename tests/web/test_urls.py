"""Addresses of routes by name: the index gives what Starlette's own lookup gives."""

from __future__ import annotations

import re

import pytest
from starlette.requests import Request
from starlette.routing import NoMatchFound

from tests.routes import api_routes
from tracker.app import create_app
from tracker.config import Settings
from tracker.web.urls import url_for

EXAMPLES = {"int": 7, "str": "XK-2024-001", "path": "css/site.css"}


def _request(app, root_path: str = "") -> Request:
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "scheme": "https",
        "server": ("tracker.example.org", 443),
        "path": "/",
        "root_path": root_path,
        "headers": [(b"host", b"tracker.example.org")],
        "query_string": b"",
    }
    return Request(scope)


@pytest.mark.parametrize("root_path", ["", "/tracker"])
def test_every_named_route_has_the_address_starlette_gives(root_path):
    app = create_app(Settings(database_url="sqlite://", env="test"))
    request = _request(app, root_path)
    names = {route.name: path for path, route in api_routes(app.routes)}
    assert {"project", "heatmap", "me", "admin_user"} <= set(names)
    for name, path in names.items():
        params = {
            param: EXAMPLES[convertor or "str"]
            for param, convertor in re.findall(r"\{(\w+)(?::(\w+))?\}", path)
        }
        assert url_for(request, name, **params) == request.url_for(name, **params), name
    assert url_for(request, "static", path="css/site.css") == request.url_for(
        "static", path="css/site.css"
    )


def test_an_unknown_route_or_missing_parameter_is_named():
    request = _request(create_app(Settings(database_url="sqlite://", env="test")))
    with pytest.raises(NoMatchFound, match="no_such_route"):
        url_for(request, "no_such_route")
    with pytest.raises(NoMatchFound, match="project"):
        url_for(request, "project")
