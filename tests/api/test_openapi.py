"""The OpenAPI document describes the JSON API as it answers: its refusals with the bodies
they have, enumerations as enums, every string and list with its limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.serving import as_served

ENUMS = {
    "/api/v1/coverage": {"rows", "cols", "metric", "floor", "status"},
    "/api/v1/gaps": {"kind", "floor"},
    "/api/v1/projects": {"status", "screened", "sort", "floor"},
}


@pytest.fixture
def document(client_factory) -> dict:
    client = TestClient(as_served(client_factory().app))
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_only_the_json_api_is_described(document):
    assert document["paths"] and all(p.startswith("/api/v1/") for p in document["paths"])
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_every_operation_documents_its_refusals(document):
    problem = {"$ref": "#/components/schemas/Problem"}
    invalid = {"$ref": "#/components/schemas/ValidationProblem"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert operation["security"] == [{"HTTPBearer": []}], where
            assert responses["422"]["content"]["application/json"]["schema"] == invalid, where
            for status in ("401", "503"):
                assert responses[status]["content"]["application/json"]["schema"] == problem
            if "{" in path:
                assert "404" in responses, where
            if method in ("put", "post", "delete"):
                assert "403" in responses, where
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), where
            if method in ("put", "delete") and path.startswith("/api/v1/projects/"):
                assert "409" in responses, where


@pytest.mark.parametrize("path", sorted(ENUMS))
def test_enumerations_are_enums(document, path):
    parameters = {p["name"]: p["schema"] for p in document["paths"][path]["get"]["parameters"]}
    for name in ENUMS[path]:
        schema = _resolve(document, parameters[name])
        schema = next(
            (_resolve(document, b) for b in schema.get("anyOf", []) if b.get("type") != "null"),
            schema,
        )
        if schema.get("type") == "array":
            schema = _resolve(document, schema["items"])
        assert "enum" in schema, (path, name, schema)


def test_bodies_are_enums_bounded_and_closed(document):
    schemas = document["components"]["schemas"]
    project = schemas["ProjectCreate"]
    assert _resolve(document, project["properties"]["kind"])["enum"] == [
        "capacity_building",
        "operation",
    ]
    assert "enum" in _resolve(document, project["properties"]["status"])
    assert schemas["TagIn"]["properties"]["significance"]["enum"] == ["principal", "significant"]
    for name in ("ProjectCreate", "ProjectUpdate", "TagsUpdate", "TagIn", "LocationIn"):
        assert schemas[name]["additionalProperties"] is False, name
        for field, schema in schemas[name]["properties"].items():
            for branch in schema.get("anyOf", [schema]):
                branch = _resolve(document, branch)
                if branch.get("type") == "string" and "enum" not in branch:
                    bounded = {"maxLength", "pattern"} & set(branch)
                    assert bounded or branch.get("format") == "date-time", (name, field)
                if branch.get("type") == "array":
                    assert "maxItems" in branch, (name, field)
                if branch.get("type") == "integer":
                    assert branch["maximum"] <= 2**31 - 1, (name, field)
