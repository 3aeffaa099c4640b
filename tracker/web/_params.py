"""Reading query parameters as the services expect them: each name to its list of values."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request


def query_params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def url_with(path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path
