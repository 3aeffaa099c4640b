"""OPTIONS on every address answers 204 with `Allow` listing exactly the methods the address
accepts (HEAD wherever GET is), and a 405 lists the same."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.serving import as_served
from tests.routes import api_routes


@pytest.fixture
def client(client_factory) -> TestClient:
    return TestClient(as_served(client_factory().app))


def _allow(response) -> list[str]:
    return [m.strip() for m in response.headers["allow"].split(",")]


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/me", "GET, HEAD, OPTIONS"),
        ("/api/v1/coverage", "GET, HEAD, OPTIONS"),
        ("/api/v1/gaps", "GET, HEAD, OPTIONS"),
        ("/api/v1/framework", "GET, HEAD, OPTIONS"),
        ("/api/v1/targets", "GET, HEAD, POST, OPTIONS"),
        ("/api/v1/targets/7", "DELETE, OPTIONS"),
        ("/api/v1/projects", "GET, HEAD, POST, OPTIONS"),
        ("/api/v1/projects/CYB-1", "GET, HEAD, PUT, DELETE, OPTIONS"),
        ("/api/v1/projects/CYB/2026/1", "GET, HEAD, PUT, DELETE, OPTIONS"),
        ("/api/v1/projects/CYB-1/tags", "GET, HEAD, PUT, OPTIONS"),
        ("/api/v1/projects/CYB/1/tags", "GET, HEAD, PUT, OPTIONS"),
        ("/login", "GET, HEAD, POST, OPTIONS"),
        ("/openapi.json", "GET, HEAD, OPTIONS"),
        ("/static/css/app.css", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_lists_what_the_address_accepts(client, path, allow):
    response = client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == allow
    assert response.content == b""
    # Inside the app's middleware or around it, the answer is the app's: no sign-in needed.
    assert "www-authenticate" not in response.headers


def test_an_address_with_no_route_is_not_found(client):
    assert client.options("/api/v1/nothing").status_code == 404


def test_every_route_is_listed_at_its_address(client):
    """Each address of the app, with its keys filled in: Allow holds the methods of every
    route at that address, HEAD with GET, and OPTIONS."""
    by_path: dict[str, set[str]] = {}
    app = client.app if hasattr(client.app, "routes") else client.app.app
    for path, route in api_routes(app.routes):
        by_path.setdefault(path, set()).update(route.methods)
    assert len(by_path) > 30
    problems = []
    for path, methods in by_path.items():
        address = re.sub(r"\{[^}]+\}", "1", path)
        expected = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        response = client.options(address)
        if response.status_code != 204 or set(_allow(response)) != expected:
            problems.append(f"{address}: {response.status_code} {response.headers.get('allow')}")
            continue
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - expected:
            refused = client.request(method, address)
            if refused.status_code != 405 or set(_allow(refused)) != expected:
                problems.append(f"{method} {address}: {refused.status_code} {refused.headers}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/api/v1/projects", "GET, HEAD, POST, OPTIONS"),
        ("DELETE", "/api/v1/projects/CYB-1/tags", "GET, HEAD, PUT, OPTIONS"),
        ("GET", "/api/v1/targets/7", "DELETE, OPTIONS"),
    ],
)
def test_a_method_the_address_does_not_take_gets_405_with_allow(client, method, path, allow):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
