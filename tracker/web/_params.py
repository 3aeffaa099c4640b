"""Reading a page's query string or form into the model of its parameters.

`read_query` and `read_form` give the model, or raise InputError naming each refused field
with what it allows, which the page shows beside the field. `query_params` keeps what was
typed, each name to its list of values, for the page to show again.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Request
from pydantic import BaseModel
from starlette.datastructures import FormData

from tracker.fields import read_params

M = TypeVar("M", bound=BaseModel)


# Every page takes ?lang=, the language to read it in (tracker.locales), besides its own.
LANGUAGE = "lang"


def _own(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k != LANGUAGE]


def query_params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in _own(request):
        params.setdefault(key, []).append(value)
    return params


def read_query(request: Request, model: type[M]) -> M:
    """The query string as `model`: repeated names (status=active&status=completed) for its
    lists, the last value for anything else; empty values count as not given. `lang` is every
    page's, not the model's."""
    return read_params(model, _own(request))


def read_form(form: FormData, model: type[M], *, ignore: tuple[str, ...] = ("csrf_token",)) -> M:
    """A posted form as `model`, leaving out the fields every form carries (the CSRF token)."""
    return read_params(model, [(k, v) for k, v in form.multi_items() if k not in ignore])


def url_with(path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path
