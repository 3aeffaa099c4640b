"""The names of places in the reader's language: the five INTERPOL regions from the catalogues,
countries and territories from the Unicode CLDR (by Babel).

Regions and countries are stored with their English names (seeds/reference/regions.yaml, ISO
3166-1); a page or an email says them in its own language with `place_name`, and a sentence built
in Python names a place with `Place`, which a page says in its language like any `Text`.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from tracker import formats
from tracker.locales import DEFAULT, N_

# The regions' names as the reference list writes them, for the catalogues. A region renamed in
# the list keeps its new English name until its translation is added here.
REGION_NAMES = (
    N_("Africa"),
    N_("Americas"),
    N_("Asia and South Pacific"),
    N_("Europe"),
    N_("Middle East and North Africa"),
)
KINDS = ("region", "country")


@lru_cache(maxsize=8)
def _territories(locale: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(locale).territories)
    except (UnknownLocaleError, ValueError):
        return {}


def country_name(code: str, english: str = "", *, locale: str = DEFAULT) -> str:
    """A country's or territory's name (ISO 3166-1 alpha-2 code) in the locale, by the CLDR;
    `english` (the stored name) in English, or where the CLDR has none."""
    if locale == DEFAULT and english:
        return english
    return _territories(locale).get((code or "").upper()) or english or code


def region_name(english: str, *, locale: str = DEFAULT) -> str:
    """A region's name in the locale, from the catalogue (its English name where it has none)."""
    if locale == DEFAULT or not english:
        return english
    return formats.translations(locale).gettext(english)


def place_name(kind: str, code: str, english: str, *, locale: str = DEFAULT) -> str:
    """A region's ("region") or a country's ("country") name in the locale."""
    if kind == "country":
        return country_name(code, english, locale=locale)
    if kind == "region":
        return region_name(english, locale=locale)
    return english


class Place(formats.Text):
    """A region or a country named in a sentence built in Python: its English name wherever it
    is used as a str (the API, logs), its name in the page's language where a page says it."""

    kind: str
    code: str

    def __new__(cls, kind: str, code: str, english: str) -> Place:
        place = str.__new__(cls, english)
        place.message, place.plural, place.n, place.values = english, None, None, {}
        place.kind, place.code = kind, code
        return place

    def __reduce__(self):
        return (Place, (self.kind, self.code, str(self)))

    def in_locale(self, locale: str) -> str:
        return place_name(self.kind, self.code, str(self), locale=locale)


def region(code: str, english: str) -> Place:
    return Place("region", code, english)


def country(code: str, english: str) -> Place:
    return Place("country", code, english)


__all__ = [
    "REGION_NAMES",
    "Place",
    "country",
    "country_name",
    "place_name",
    "region",
    "region_name",
]
