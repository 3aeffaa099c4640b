"""The refusals the JSON API answers with, as the OpenAPI document describes them.

The bodies are those of tracker.web.errors: a 422 lists each field with what is wrong with it,
every other refusal says why in one sentence.
"""

from __future__ import annotations

from typing import Any

from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    field: str = Field(description="The field, parameter or list item", examples=["budget_share"])
    message: str = Field(description="What is wrong and what is allowed")


class ValidationProblem(BaseModel):
    """A request refused for its content: every problem at once, nothing stored."""

    detail: list[FieldProblem]

    model_config = {
        "json_schema_extra": {
            "examples": [{"detail": [{"field": "programme", "message": 'unknown programme "XX"'}]}]
        }
    }


class Problem(BaseModel):
    """Why a request was refused, in a sentence."""

    detail: str


# Documents the bearer token in the OpenAPI document; tracker.deps checks it.
bearer = HTTPBearer(
    auto_error=False,
    description="A personal API token, made on your account page.",
)

_RETRY = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
_CHALLENGE = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
_WHY = {
    400: ("The body is not JSON in UTF-8", None),
    401: ("No valid API token: send 'Authorization: Bearer <token>'", _CHALLENGE),
    403: ("Not allowed for this account", None),
    404: ("Nothing at this address", None),
    409: ("Someone changed it after you read it (a stale version)", None),
    413: ("The request body is larger than the tracker accepts", None),
    503: ("Busy with other changes; nothing was changed: try again", _RETRY),
}


def refusals(*statuses: int, body: bool = False) -> dict[int | str, dict[str, Any]]:
    """Responses for a route: 422 and 503 always, and the statuses it names; with a body,
    400 and 413 too."""
    if body:
        statuses = (400, *statuses, 413)
    out: dict[int | str, dict[str, Any]] = {
        422: {
            "model": ValidationProblem,
            "description": "Input refused; each field is named with what it allows",
        }
    }
    for status in (*statuses, 503):
        description, headers = _WHY[status]
        out[status] = {"model": Problem, "description": description}
        if headers:
            out[status]["headers"] = headers
    return out


READ = refusals(401)
WRITE = refusals(401, 403, body=True)
