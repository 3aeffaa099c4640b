"""The stylesheets mirror for pages read right to left (Arabic): they place things by logical
sides (start and end, block and inline), never by left and right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STYLESHEETS = sorted((ROOT / "static" / "css").glob("*.css"))
COMMENT = re.compile(r"/\*.*?\*/", re.S)
# A property that names a physical side, or a value that does (text-align: left; float: right).
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)"
    r"|border-(?:top|bottom)-(?:left|right)-radius|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
)
# Four-value margins and paddings put their last value on the left: say which side instead.
SHORTHAND = re.compile(r"(?<![\w-])(?:margin|padding)\s*:\s*([^;{}]+)")


def values(text: str) -> int:
    """How many space-separated values `text` holds, calc(a * b) counting as one."""
    depth, count, inside = 0, 0, False
    for character in text.strip():
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character.isspace() and depth == 0:
            inside = False
        elif not inside:
            inside, count = True, count + 1
    return count


def physical(css: str) -> list[str]:
    found = []
    for number, line in enumerate(COMMENT.sub("", css).splitlines(), start=1):
        four = any(values(m.group(1)) == 4 for m in SHORTHAND.finditer(line))
        if PHYSICAL.search(line) or four:
            found.append(f"line {number}: {line.strip()[:100]}")
    return found


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda p: p.name)
def test_the_stylesheet_places_by_logical_sides(stylesheet):
    assert physical(stylesheet.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_physical_side():
    assert physical(".a { margin-left: 1px; }") == ["line 1: .a { margin-left: 1px; }"]
    assert physical(".a { text-align: right; }") and physical(".a { right: 0; }")
    assert physical(".a { padding: 1px 2px 3px 0; }")
    assert physical(".a { margin-inline-start: 1px; text-align: end; inset-inline-end: 0; }") == []
    assert physical("/* left: 0 */ .a { padding: 1px 2px; }") == []
    assert physical(".a { margin: calc(-1 * var(--x)) calc(-1 * var(--y)); }") == []
