"""Every word a page shows is marked for translation, whether a template or Python wrote it.

The pages are rendered in a pseudo-language that stands in for French in every source of words
in the reader's language: the catalogue wraps every message it is asked for in ⟦ and ⟧, and so
do the framework's translations (names, statements, the SDGs' official titles) and the CLDR's
names of countries and time zones. Whatever a page then shows outside the brackets was never
asked of any of them, so it would stay English in every language, unless it is:
- what people wrote into the tracker, shown as written (programmes', projects' and people's
  names, summaries), data set apart as names are (`<bdi>`, `<code>`), or words in a language of
  their own (an element whose `lang` says which: the language switcher's names; a past digest
  shown as it was sent, its page's `lang` another language), or
- figures, dates and the words the locale's own formats write (Babel's month names, "k" and
  "M" in compact money), codes (GPG1, 16.4, AFR) and the names of formats (CSV, IATI).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import pytest
from babel import Locale
from babel.support import NullTranslations
from sqlmodel import Session, select

from tests.conftest import sign_in
from tests.pages import ROLES, examples, paths
from tracker import formats, locales, places
from tracker.models import ImportJob, Programme, Project, User
from tracker.services.framework.translations import Names

OPEN, CLOSE = "\u27e6", "\u27e7"
PSEUDO = "fr"  # the language whose catalogue the pseudo-language stands in for

WORD = re.compile(r"[^\W\d_]{2,}")
# Data and what is not words: left out of the check with everything inside them.
# A page's <title> is left out too: it repeats its heading, or names the project it shows.
SET_APART = {"bdi", "code", "kbd", "samp", "script", "style", "template", "noscript"}
SET_APART |= {"title"}
NAMES = {"CSV", "PDF", "XLSX", "IATI", "JSON", "API", "OpenAPI", "HTMX", "UTC", "ISO", "SDG"}
READ_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "label")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Pseudo(NullTranslations):
    def gettext(self, message):
        return f"{OPEN}{message}{CLOSE}"

    def ngettext(self, singular, plural, n):
        return f"{OPEN}{singular if n == 1 else plural}{CLOSE}"

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)


@lru_cache(maxsize=1)
def locale_words() -> frozenset[str]:
    """The words Babel itself writes in the locale: month and day names, era, currency names,
    compact number units, the time zone's name."""
    locale = Locale.parse(PSEUDO)
    words: set[str] = set()

    def gather(value) -> None:
        if isinstance(value, str):
            words.update(WORD.findall(value))
        elif hasattr(value, "values"):
            for inner in value.values():
                gather(inner)

    for names in (locale.months, locale.days, locale.quarters, locale.eras, locale.currencies):
        gather(names)
    gather(locale._data["currency_names_plural"])  # "200 000,00 euros"
    for patterns in locale.compact_decimal_formats.values():
        for plurals in patterns.values():
            for pattern in plurals.values():
                words.update(WORD.findall("".join(pattern.prefix + pattern.suffix)))
    return frozenset(words | {"TU", "UTC"})


def unmarked(text: str, depth: int = 0, stored: re.Pattern | None = None) -> tuple[list[str], int]:
    """The words of `text` outside the pseudo-language's brackets (not codes, not names, not
    what people wrote: `stored`), and how deep inside brackets its end is: a message may hold
    markup, so that its brackets open in one piece of text and close in another."""
    if stored is not None:
        text = stored.sub(" ", text)
    outside = []
    for character in text:
        if character == OPEN:
            depth += 1
        elif character == CLOSE:
            depth = max(depth - 1, 0)
        outside.append(character if depth == 0 and character != CLOSE else " ")
    found = []
    for token in "".join(outside).split():
        if any(ch.isdigit() for ch in token) or "@" in token or "/" in token:
            continue  # a figure, a code (GPG1, 16.4), a date, an address or a path
        for word in WORD.findall(token):
            if word in NAMES or word in locale_words():
                continue
            if word.isupper() and len(word) <= 4:
                continue  # a code: AFR, EUR, CYB
            found.append(word)
    return found, depth


class Reader(HTMLParser):
    """The words a page shows outside the brackets, with where they are."""

    def __init__(self, stored: re.Pattern | None = None):
        super().__init__(convert_charrefs=True)
        self.stored = stored
        self.open: list[tuple[str, bool]] = []  # (tag, set apart)
        self.found: list[str] = []
        self.depth = 0  # inside how many brackets the text read so far ends

    @property
    def apart(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        language = attributes.get("lang")
        if tag == "html":  # a page in another language (a digest as it was sent) is data whole
            apart = language not in (None, PSEUDO)
        else:
            apart = self.apart or tag in SET_APART or language is not None
        if not apart:
            for name in READ_ATTRIBUTES:
                words = unmarked(attributes.get(name) or "", 0, self.stored)[0]
                if words:
                    self.found.append(f"<{tag} {name}>: {' '.join(words)}")
        if tag not in VOID:
            self.open.append((tag, apart))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        for at in range(len(self.open) - 1, -1, -1):
            if self.open[at][0] == tag:
                del self.open[at:]
                break

    def handle_data(self, data):
        if self.apart:
            return
        words, self.depth = unmarked(data, self.depth, self.stored)
        if words:
            where = self.open[-1][0] if self.open else "?"
            self.found.append(f"<{where}>: {' '.join(words)}")


def words_outside(html: str, stored: re.Pattern | None = None) -> list[str]:
    reader = Reader(stored)
    reader.feed(html)
    return reader.found


def test_the_check_finds_words_no_catalogue_was_asked_for():
    page = (
        f"<html lang='fr'><title>Overview</title><h1>Gaps</h1>"
        f"<p>{OPEN}%(n)s projects{CLOSE} GPG1 AFR 27,6 M € 3 nov. 2026 CSV</p>"
        "<p><bdi>Border security</bdi> <span lang='ar'>العربية</span></p>"
        f"<a title='Open it' href='/'>{OPEN}Open{CLOSE}</a><script>var x = 'words';</script>"
        f"<p>{OPEN}<a href='/heatmap'>Open the heatmap</a> to compare{CLOSE} and more</p>"
    )
    assert words_outside(page) == ["<h1>: Gaps", "<a title>: Open it", "<p>: and more"]


def bracketed(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


@pytest.fixture
def pseudo_language(monkeypatch):
    """The pseudo-language stands in for every source of words in the reader's language: the
    catalogues, the framework's translations (names, statements, the SDGs' official titles),
    the CLDR's names of countries and of time zones."""
    real = locales.catalogue

    def catalogue(code):
        return Pseudo() if code == PSEUDO else real(code)

    monkeypatch.setattr(locales, "catalogue", catalogue)
    name, statement = Names.get, Names.statement
    monkeypatch.setattr(Names, "get", lambda self, *a: bracketed(name(self, *a)))
    monkeypatch.setattr(Names, "statement", lambda self, *a: bracketed(statement(self, *a)))
    territories = places._territories
    monkeypatch.setattr(
        places,
        "_territories",
        lambda locale: {code: bracketed(n) for code, n in territories(locale).items()},
    )
    label = formats.zone_label
    monkeypatch.setattr(formats, "zone_label", lambda *a: bracketed(label(*a)))
    formats.time_zone_choices.cache_clear()
    yield
    formats.time_zone_choices.cache_clear()


def stored_text(engine) -> re.Pattern:
    """What people wrote into the tracker and pages show as it was written: the names of
    programmes, donors and people, projects' titles and summaries, what an import was called."""
    with Session(engine) as session:
        texts = {
            *session.exec(select(Programme.name)),
            *session.exec(select(Project.title)),
            *session.exec(select(Project.summary)),
            *session.exec(select(Project.donor)),
            *session.exec(select(User.full_name)),
            *session.exec(select(ImportJob.filename)),
        }
    texts = sorted((t for t in texts if t and t.strip()), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, texts)))


@pytest.mark.parametrize("role", ("anonymous", "admin"))
def test_every_page_asks_the_catalogue_for_every_word(
    role, framework, accounts, client, pseudo_language
):
    example = examples(framework, accounts, role)
    if ROLES[role]:
        assert sign_in(client, accounts[ROLES[role]].email).status_code == 303
    stored = stored_text(framework)
    found: dict[str, list[str]] = {}  # path: words
    # Each page whole, then as HTMX asks for it (the fragment it swaps in, where it differs),
    # and the project list as the heatmap's panel beside a cell.
    asked = [(path, {}) for _, path in paths(role, example)]
    asked += [(path, {"HX-Request": "true"}) for path, _ in asked]
    if ROLES[role]:
        panel = {"HX-Request": "true", "HX-Target": "cell-panel"}
        asked.append(("/projects?goal=GPG4&region=AFR", panel))
    for path, headers in asked:
        joiner = "&" if "?" in path else "?"
        response = client.get(f"{path}{joiner}lang={PSEUDO}", headers=headers)
        assert response.status_code == 200, (path, headers, response.status_code)
        if words := words_outside(response.text, stored):
            found[f"{path} {headers or ''}"] = words[:8]
    report = "\n".join(f"{path}\n  " + "\n  ".join(words) for path, words in found.items())
    assert not found, report
