"""The refusals written once in English where a form's fields are checked (tracker.fields and
the models of each service's parameters), said again as Texts so that a page says them in its
own language. Pydantic keeps a refusal as its English sentence; `said_refusal` finds which of
these messages it is and gives it back as that message with its values.

The JSON API keeps the English: a Text is its English wherever it is used as a str.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tracker.formats import Text
from tracker.locales import N_

MESSAGES = (
    N_("is required"),
    N_("is not allowed"),
    N_("must be true or false"),
    N_("must be text, not a file"),
    N_("must not contain control characters such as a NUL byte"),
    N_("must not contain control characters such as a NUL byte (tab and line breaks are allowed)"),
    N_("must not contain control characters (such as a NUL byte)"),
    N_("must be at most %(most)s characters (it has %(length)s)"),
    N_("must be at most %(most)s characters"),
    N_("may be given at most %(most)s times"),
    N_("must hold at most %(most)s values"),
    N_("must be a code of 1 to %(most)s characters without spaces"),
    N_("may hold letters, digits and . _ / - only (up to 40), such as CYB-2026-0042"),
    N_("must be a three-letter ISO 4217 code such as EUR"),
    N_("must be an email address such as ana.costa@example.org"),
    N_("must be a whole number from %(low)s to %(high)s"),
    N_("must be a page number from 1 to %(most)s"),
    N_("must be a person from the list"),
    N_("must be a level from 1 to %(most)s"),
    N_("must be a number from 0 to %(most)s with at most two decimal places"),
    N_("must be a number from 0 up to (not including) %(most)s with at most two decimal places"),
    N_('"%(value)s" is not a date; use the form 2026-03-12'),
    N_('"%(value)s" is not a date in the calendar; use the form 2026-03-12'),
    N_("must not be before from (%(start)s)"),
    N_("must not be before the start date (%(start)s)"),
    N_("must be a day up to today (%(today)s)"),
    N_("unknown parameter; allowed: %(allowed)s"),
    N_("unknown field; allowed: %(allowed)s"),
    N_('unknown %(what)s "%(value)s"; allowed: %(allowed)s'),
    N_("must be a role: %(allowed)s"),
    N_("must be a kind of change: %(allowed)s"),
    N_('must be a year such as 2026 (from 1900 to 2200), or "undated"'),
    N_('must be an SDG number from 1 to 17, or "none" (objectives linked to no SDG)'),
    N_(
        "must be an SDG target such as 16.4, an SDG number such as 16 (its links to the whole "
        'SDG), or "none"'
    ),
    N_("must be an SDG target such as 16.4, or an SDG number such as 16"),
    N_("must be an SDG target such as 16.4, or an SDG number from 1 to 17"),
    N_("%(place)s needs a region"),
    N_("choose the currency of the budget"),
    N_("%(place)s is listed twice"),
    N_("give a percentage for every place, or for none (then the budget splits equally)"),
    N_("percentages must add up to 100; they add up to %(total)s"),
    # The targets' refusals (tracker.services.coverage.targets).
    N_('unknown goal or objective "%(value)s"; use a code such as GPG1 or 4.2'),
    N_('unknown region "%(value)s"; allowed: %(allowed)s, or none'),
    N_("give a minimum number of active projects, a minimum budget, or both"),
)
# What follows a refusal's own words, said after them.
ENDINGS = (
    (", written in digits 0-9 such as 40.5", N_("%(problem)s, written in digits 0-9 such as 40.5")),
    (", written in digits 0-9", N_("%(problem)s, written in digits 0-9")),
    (", such as 40.5", N_("%(problem)s, such as 40.5")),
)
# The things a choice names ('unknown status "lost"').
THINGS = {
    "value": N_("value"),
    "status": N_("status"),
    "kind": N_("kind"),
    "sort": N_("sort"),
    "screening": N_("screening"),
    "significance": N_("significance"),
    "page": N_("page"),
    "places": N_("places"),
    "gap kind": N_("gap kind"),
    "programme": N_("programme"),
    "currency": N_("currency"),
    "goal": N_("goal"),
    "objective": N_("objective"),
    "theme": N_("theme"),
    "region": N_("region"),
}
_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})*|[0-9]+")


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    for message in MESSAGES:
        if "%(" not in message:
            exact[message] = message
            continue
        pieces = re.split(r"%\((\w+)\)s", message)
        regex = "".join(
            re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)"
            for i, piece in enumerate(pieces)
        )
        patterns.append((re.compile(regex, re.DOTALL), message))
    return exact, patterns


def _value(name: str, value: str) -> Any:
    if name == "what" and value in THINGS:
        return Text(THINGS[value])
    if name != "value" and _NUMBER.fullmatch(value) and len(value) < 20:
        return int(value.replace(",", ""))
    return value


def said_refusal(message: Any) -> Any:
    """`message` as a Text of the catalogue's, where it is one of MESSAGES (the values it was
    written with taken back out of it); anything else as it is."""
    if isinstance(message, Text) or not isinstance(message, str):
        return message
    for ending, said in ENDINGS:
        if message.endswith(ending) and len(message) > len(ending):
            inner = said_refusal(message[: -len(ending)])
            if isinstance(inner, Text):
                return Text(said, problem=inner)
    exact, patterns = _patterns()
    if message in exact:
        return Text(exact[message])
    for regex, pattern in patterns:
        if found := regex.fullmatch(message):
            values = {name: _value(name, value) for name, value in found.groupdict().items()}
            text = Text(pattern, **values)
            if str(text) == message:  # the values read back as they were written
                return text
    return message
