"""Every string a person reads in a template is marked for translation.

Each template is read with Jinja's own lexer: text outside `{% trans %}` blocks, and the values
of the attributes people read or hear (title, aria-label, alt, placeholder), must hold no word;
a string constant in an expression that reads as words (a capital or a space between letters)
must be the argument of `_()` or `ngettext()`. Templates still in English are listed in
NOT_YET_TRANSLATED, which may only shrink: a listed template with nothing left to mark fails
too, so the list stays true.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

NOT_YET_TRANSLATED: set[str] = set()

READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description"}
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row: a word, in any script
# Not words to translate: the names of formats and standards, which every language writes so.
NAMES = {"CSV", "PDF", "XLSX", "IATI", "JSON", "API", "OpenAPI", "HTMX", "UTC", "ISO"}
TRANSLATING_CALLS = {"_", "gettext", "ngettext", "pgettext"}


class _Text(HTMLParser):
    """The text and read attributes of a piece of HTML, outside script and style."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        self.found += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.found.append(data)


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in NAMES]


def untranslated(source: str, name: str) -> list[str]:
    """What a template shows people that is not marked for translation."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    problems: list[str] = []
    literal: list[str] = []  # template text outside trans blocks, with each expression as "X"
    in_trans = False
    calls: list[str | None] = []  # the function each open parenthesis calls, if any
    previous = previous_name = previous_value = None
    for lineno, kind, value in env.lex(source, name):
        if kind == "name" and value in ("trans", "pluralize") and previous == "block_begin":
            in_trans = True
        elif kind == "name" and value == "endtrans" and previous == "block_begin":
            in_trans = False
        elif kind == "data" and not in_trans:
            literal.append(value)
        elif kind in ("variable_begin", "block_begin") and not in_trans:
            literal.append(" ")
        elif kind == "operator" and value == "(":
            calls.append(previous_name if previous == "name" else None)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string" and not in_trans:
            value = value[1:-1]  # the lexer gives it with its quotes
            inside = calls[-1] if calls else None
            compared = previous_value in ("==", "!=")  # a value compared, never shown
            words = _words(value)
            if (
                words
                and (" " in value.strip() or value[:1].isupper())
                and not compared
                and (inside not in TRANSLATING_CALLS)
            ):
                problems.append(f"line {lineno}: the string {value!r}")
        if kind == "name":
            previous_name = value
        if kind != "whitespace":
            previous, previous_value = kind, value
    parser = _Text()
    parser.feed("".join(literal))
    parser.close()
    for text in parser.found:
        if words := _words(text):
            problems.append(f"the text {' '.join(words)[:60]!r}")
    return problems


def _templates() -> list[str]:
    return sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*")
        if p.suffix in (".html", ".txt")
    )


@pytest.mark.parametrize("name", _templates())
def test_every_string_people_read_is_marked_for_translation(name):
    problems = untranslated((TEMPLATES / name).read_text(encoding="utf-8"), name)
    if name in NOT_YET_TRANSLATED:
        assert problems, f"{name} is translated now: take it off NOT_YET_TRANSLATED"
    else:
        assert not problems, f"{name}: " + "; ".join(problems)


def test_the_check_finds_what_is_not_marked():
    assert untranslated('<p title="Open it">{{ _("Overview") }}</p>', "t") == ["the text 'Open it'"]
    assert untranslated("<h1>Overview</h1>", "t") == ["the text 'Overview'"]
    assert untranslated('{{ forms.select("rows", "Rows", x) }}', "t") == [
        "line 1: the string 'Rows'"
    ]
    assert untranslated("{% trans n=1 %}Seen {{ n }} times{% endtrans %}", "t") == []
    assert untranslated('{{ _("Rows") }} <a href="{{ url }}">CSV</a> · 12', "t") == []
    assert untranslated("<script>const label = 'Open';</script>", "t") == []
    assert untranslated('{% if kind == "none" %}{{ value }}{% endif %}', "t") == []
    assert untranslated('{% if status == "screened, not aligned" %}x{% endif %}', "t") == []
