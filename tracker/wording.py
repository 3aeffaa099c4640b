"""Lists of sentences' pieces, each said in the reader's language: "a; b; c" or "a, b, c" as
one Text, so that a page in French says every piece in French."""

from __future__ import annotations

from typing import Any

from tracker.formats import Text
from tracker.locales import N_


def joined(items: list[Any], *, commas: bool = False) -> Any:
    """The items one after another, with semicolons (or commas): a Text when there are several,
    the item itself when there is one, "" when there is none."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    rest = joined(items[1:], commas=commas)
    if commas:
        return Text(N_("%(first)s, %(rest)s"), first=items[0], rest=rest)
    return Text(N_("%(first)s; %(rest)s"), first=items[0], rest=rest)


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted message for the catalogues as one message with its plural (pybabel's
    `ngettext` keyword), for `Text.counted`, which finds its translation only so:

        Text.counted(*wording.ngettext("%(num)s minute", "%(num)s minutes"), n)
    """
    return singular, plural
