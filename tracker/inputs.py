"""Every request's input checked at the edge, before any route reads it.

Whatever a route does with its input, none of it may carry control characters (a NUL byte is
refused by PostgreSQL and means nothing to a person), be longer than any field the tracker
keeps, or hold more items than any list it takes. Path keys that cannot name a stored row
(a NUL in a code, an id that is not a plain number within the database's range) answer 404.
Routes still check what each field allows; this is the floor under all of them.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from fastapi import Request

from tracker.formats import Text
from tracker.locales import N_
from tracker.services.errors import InputError, NotFound

MAX_ID = 2**31 - 1
MAX_QUERY_VALUE = 2_000  # characters in one query parameter
MAX_FIELD = 100_000  # characters in one form or JSON string
MAX_ITEMS = 1_000  # values of one name, or items in one JSON list
MAX_DEPTH = 20  # nesting of JSON
LINE_BREAKS = frozenset("\t\n\r")
CONTROL = Text(N_("must not contain control characters (such as a NUL byte)"))


def bad_character(value: str, *, allow_line_breaks: bool) -> bool:
    """Control characters, and halves of surrogate pairs that no text encoding can store."""
    if value.isprintable():  # nearly every value: one pass in C
        return False
    for char in value:
        if char.isprintable() or char == " ":
            continue
        if allow_line_breaks and char in LINE_BREAKS:
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            return True
    return False


def canonical_id(text: str) -> int | None:
    """A row id written as people and links write it: ASCII digits, no sign, no leading zero,
    within the database's integer range. Anything else names no row."""
    if not text or not text.isascii() or not text.isdigit() or text[0] == "0":
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def parse_int(text: str, *, field: str, low: int, high: int) -> int:
    """A whole number typed in a form or query, in ASCII digits only (a superscript two or an
    Arabic-Indic three is refused, not read as a number), within [low, high]."""
    value = text.strip()
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        number = -int(value[1:])
    elif value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise InputError({field: f"must be a whole number from {low:,} to {high:,}"})
    if not low <= number <= high:
        raise InputError({field: f"must be a whole number from {low:,} to {high:,}"})
    return number


def _what(name: str) -> str:
    if name == "code":
        return "project"
    return name.removesuffix("_id").replace("_", " ")


def _check_path(request: Request) -> None:
    for name, value in request.path_params.items():
        text = str(value)
        if bad_character(text, allow_line_breaks=False) or len(text) > 200:
            raise NotFound(_what(name))
        if name.endswith("_id") and canonical_id(text) is None:
            raise NotFound(_what(name))


def _check_query(request: Request) -> None:
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name, value in request.query_params.multi_items():
        counts[name] = counts.get(name, 0) + 1
        shown = name if not bad_character(name, allow_line_breaks=False) else "parameter name"
        if bad_character(name, allow_line_breaks=False) or bad_character(
            value, allow_line_breaks=False
        ):
            errors[shown] = CONTROL
        elif len(value) > MAX_QUERY_VALUE:
            errors[shown] = f"must be at most {MAX_QUERY_VALUE:,} characters"
        elif counts[name] > MAX_ITEMS:
            errors[shown] = f"may be given at most {MAX_ITEMS:,} times"
    if errors:
        raise InputError(errors)


def _check_form(form) -> None:
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name, value in form.multi_items():
        counts[name] = counts.get(name, 0) + 1
        shown = name if not bad_character(name, allow_line_breaks=False) else "field name"
        if not isinstance(value, str):
            continue  # uploads are checked by the route that takes them
        if bad_character(name, allow_line_breaks=False) or bad_character(
            value, allow_line_breaks=True
        ):
            errors[shown] = CONTROL
        elif len(value) > MAX_FIELD:
            errors[shown] = f"must be at most {MAX_FIELD:,} characters"
        elif counts[name] > MAX_ITEMS:
            errors[shown] = f"may be given at most {MAX_ITEMS:,} times"
    if errors:
        raise InputError(errors)


def _check_json(value: Any, path: str, errors: dict[str, str], depth: int = 0) -> None:
    where = path or "body"
    if depth > MAX_DEPTH:
        errors[where] = f"is nested more than {MAX_DEPTH} levels deep"
    elif isinstance(value, str):
        if bad_character(value, allow_line_breaks=True):
            errors[where] = CONTROL
        elif len(value) > MAX_FIELD:
            errors[where] = f"must be at most {MAX_FIELD:,} characters"
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            errors[where] = f"must hold at most {MAX_ITEMS:,} items"
            return
        for i, item in enumerate(value):
            _check_json(item, f"{path}.{i}" if path else str(i), errors, depth + 1)
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            errors[where] = f"must hold at most {MAX_ITEMS:,} fields"
            return
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if bad_character(str(key), allow_line_breaks=False):
                errors[path or "body"] = CONTROL
                continue
            _check_json(item, name, errors, depth + 1)


async def check_request_inputs(request: Request) -> None:
    """Applied to every route, before the route's own parsing."""
    _check_path(request)
    _check_query(request)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        _check_form(await request.form())
    elif content_type.startswith("application/json"):
        body = await request.body()
        try:
            document = json.loads(body) if body else None
        except (ValueError, RecursionError):
            return  # the route's own parser says what is wrong with it
        errors: dict[str, str] = {}
        _check_json(document, "", errors)
        if errors:
            raise InputError(errors)
    # Multipart bodies carry uploads, which their route reads as a stream and checks itself.
