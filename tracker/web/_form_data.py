"""Forms for plain `def` routes: the body is read on the event loop by an async dependency, so
the route itself runs in the thread pool and may touch the database.

    def save(form: FormDep, ...) -> Response:  # FormDep from tracker.deps
        name = text_field(form, "name")

`text_field` and `text_fields` give each value as text, or refuse it naming the field: a file
where text belongs (a multipart body), control characters (such as a NUL byte), more characters
or more values than any field takes. This holds for multipart bodies too, which the check at the
edge (tracker.inputs) leaves to their routes. What each field allows is the service's to check.
"""

from __future__ import annotations

from starlette.datastructures import FormData

from tracker.inputs import CONTROL, MAX_FIELD, MAX_ITEMS, bad_character
from tracker.services.errors import InputError


def _text(name: str, value, *, max_length: int, allow_line_breaks: bool) -> str:
    if not isinstance(value, str):
        raise InputError({name: "must be text, not a file"})
    if bad_character(value, allow_line_breaks=allow_line_breaks):
        raise InputError({name: CONTROL})
    if len(value) > max_length:
        raise InputError({name: f"must be at most {max_length:,} characters"})
    return value


def text_field(
    form: FormData,
    name: str,
    default: str = "",
    *,
    max_length: int = MAX_FIELD,
    allow_line_breaks: bool = False,
) -> str:
    """The field's value (the last one when it is repeated), or `default` when it is absent."""
    values = form.getlist(name)
    if not values:
        return default
    return _text(name, values[-1], max_length=max_length, allow_line_breaks=allow_line_breaks)


def text_fields(
    form: FormData, name: str, *, max_length: int = MAX_FIELD, max_values: int = MAX_ITEMS
) -> list[str]:
    """Every value of a repeated field, such as ticked checkboxes."""
    values = form.getlist(name)
    if len(values) > max_values:
        raise InputError({name: f"may be given at most {max_values:,} times"})
    return [_text(name, v, max_length=max_length, allow_line_breaks=False) for v in values]
