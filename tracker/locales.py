"""The languages the tracker speaks, their message catalogues, and which one a request reads.

English is the language the tracker is written in; French, Spanish and Arabic come from gettext
catalogues, `tracker/locale/<lang>/LC_MESSAGES/messages.po`, compiled to `messages.mo` by the
install (`make`, the Dockerfile). A catalogue that was not compiled, or is older than its `.po`,
is compiled in memory when first asked for, so a checkout that skipped the step still speaks
every language.

A request is read in the first of: `?lang=` in its address; the signed-in person's choice, kept
on their account; the `lang` cookie that choosing a language leaves in the browser; the
browser's Accept-Language; English.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

CATALOGUES = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


# The language of the page being written, for the macros a template imports without its
# context (they have no request to ask); set by `for_request`, in the thread that renders.
PAGE_LANGUAGE: ContextVar[str] = ContextVar("page_language", default=DEFAULT)


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the switcher offers it
    direction: str = "ltr"


LANGUAGES = {
    language.code: language
    for language in (
        Language("en", "English"),
        Language("fr", "Français"),
        Language("es", "Español"),
        Language("ar", "العربية", "rtl"),
    )
}


def N_(message: str) -> str:
    """Marks `message` for the catalogues where it is written; it is translated where shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted message, its singular and plural, for the catalogues (one entry with
    every plural form of each language): `Text.counted(*Nn_("%(num)s goal", "%(num)s goals"),
    n)`. `Text.counted("%(num)s goal", "%(num)s goals", n)` is marked by itself."""
    return singular, plural


def known(code: Any) -> str | None:
    """`code` if it names a language the tracker speaks ("fr", "FR", "fr-CA" give "fr")."""
    if not isinstance(code, str) or not code or len(code) > 35:
        return None
    base = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str | None:
    """The language of Accept-Language ("fr-CH, fr;q=0.9, en;q=0.8") the tracker speaks and the
    browser likes best, or None."""
    if not accept_language:
        return None
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:30]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if (code := known(tag)) and quality > 0:
            wanted.append((-quality, position, code))
    return min(wanted)[2] if wanted else None


def direction(code: str) -> str:
    return LANGUAGES[code].direction if code in LANGUAGES else "ltr"


@lru_cache(maxsize=8)
def catalogue(code: str) -> NullTranslations:
    """The messages of a language: English as written for English (and anything unknown)."""
    if code == DEFAULT or code not in LANGUAGES:
        return NullTranslations()
    folder = CATALOGUES / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not po.exists():
        log.warning("No message catalogue for %s at %s: English instead", code, po)
        return NullTranslations()
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        log.info("The %s catalogue is not compiled (make compiles it): compiling it now", code)
        with po.open("rb") as source:
            messages = read_po(source, locale=code, domain=DOMAIN)
        compiled = io.BytesIO()
        write_mo(compiled, messages)
        compiled.seek(0)
        return Translations(compiled, domain=DOMAIN)
    with mo.open("rb") as compiled:
        return Translations(compiled, domain=DOMAIN)


def babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def for_request(request: Any) -> str:
    """The language a request is read in (see the module's docstring); kept on the request."""
    if request is None:
        return DEFAULT
    state = request.state
    principal = getattr(state, "principal", None)
    kept = getattr(state, "locale", None)
    if kept is not None and kept[0] is principal:
        PAGE_LANGUAGE.set(kept[1])
        return kept[1]
    code = (
        known(request.query_params.get("lang"))
        or (principal is not None and known(getattr(principal.user, "language", None)))
        or known(request.cookies.get(COOKIE))
        or negotiate(request.headers.get("accept-language"))
        or DEFAULT
    )
    state.locale = (principal, code)
    PAGE_LANGUAGE.set(code)
    return code


# The command line's language: TRACKER_LANGUAGE, else the terminal's, as POSIX reads it.
ENVIRONMENT_VARIABLE = "TRACKER_LANGUAGE"
POSIX_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class UnknownLanguage(ValueError):
    """TRACKER_LANGUAGE names a language the tracker does not speak."""

    def __init__(self, value: str):
        self.value = value
        allowed = ", ".join(LANGUAGES)
        super().__init__(
            f'{ENVIRONMENT_VARIABLE}="{value}" is not a language the tracker speaks; '
            f"allowed: {allowed}"
        )


def _posix_code(value: str) -> str | None:
    """The language of a locale name as POSIX writes it: fr_FR.UTF-8, es_ES@euro, ar."""
    return known(value.strip().split(".", 1)[0].split("@", 1)[0])


def from_environment(environ: Mapping[str, str]) -> str:
    """The language the `tracker` command speaks.

    TRACKER_LANGUAGE (en, fr, es or ar) if it is set; else the first language the tracker
    speaks among, in POSIX order, the entries of LANGUAGE (a colon-separated list, as GNU
    gettext reads it), LC_ALL, LC_MESSAGES and LANG (fr_FR.UTF-8 gives fr); else English.
    A locale of C or POSIX (the first of LC_ALL, LC_MESSAGES, LANG that is set) is English and
    LANGUAGE is not read, as gettext does: `LC_ALL=C tracker ...` prints English.

    Raises UnknownLanguage for a TRACKER_LANGUAGE other than en, fr, es, ar; a terminal's
    language the tracker does not speak (de_DE.UTF-8) is English, never an error."""
    chosen = (environ.get(ENVIRONMENT_VARIABLE) or "").strip()
    if chosen:
        if chosen.lower() not in LANGUAGES:
            raise UnknownLanguage(chosen)
        return chosen.lower()
    variables = [(environ.get(name) or "").strip() for name in POSIX_VARIABLES[1:]]
    effective = next((value for value in variables if value), "")
    if effective.split(".", 1)[0] in ("C", "POSIX"):
        return DEFAULT
    for candidate in [*(environ.get("LANGUAGE") or "").split(":"), *variables]:
        if code := _posix_code(candidate):
            return code
    return DEFAULT
