"""The framework and the SDGs in the reader's language, and how complete each language is.

English is the framework's official text. A goal, objective, theme or theme statement keeps
its words in other languages in `translations`, each marked official or not (an unofficial
working translation, which the pages must say); the framework keeps where each language's
translation comes from. SDGs and their targets carry the United Nations' official titles in
French, Spanish and Arabic (seeds/reference/sdgs.yaml), always official.

    text, official = localized(objective, "statement", "fr")
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlmodel import Session, select

from tracker.models import SDG, Framework, Goal, Objective, SDGTarget, Theme, ThemeStatement
from tracker.services.framework.translation_file import LANGUAGES
from tracker.services.reference.sdg_source import short_title

# The fields each kind of item has in every language.
FIELDS = {
    "goal": ("short_name", "statement"),
    "objective": ("short_name", "statement"),
    "theme": ("name",),
    "theme statement": ("statement",),
}
SDG_LEVELS = frozenset({"sdg", "sdg_target"})
# How an SDG's fields are named in its translations.
SDG_FIELDS = {"name": "short", "title": "title"}


def english_digest(kind: str, row) -> str:
    """A fingerprint of an item's English words, kept with each translation of it, so that a
    translation made before the English changed can be told apart."""
    text = "\x1f".join(str(getattr(row, name) or "") for name in FIELDS[kind])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def language_of(locale: str | None) -> str:
    """The language of a locale: fr for fr, fr-CA or fr_FR; en for anything else."""
    primary = (locale or "en").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else "en"


def localized(item, field: str, locale: str | None) -> tuple[str | None, bool]:
    """An item's field in the locale's language, and whether that text is official; the
    English (official) where the item has no translation of it."""
    english = getattr(item, field)
    language = language_of(locale)
    if language == "en":
        return english, True
    words = (getattr(item, "translations", None) or {}).get(language)
    if isinstance(item, SDGTarget):
        # Targets keep their official title alone; short titles are the tracker's, in English.
        return (
            (words, True)
            if field == "title" and isinstance(words, str) and words
            else (
                english,
                True,
            )
        )
    if isinstance(item, SDG):
        text = (words or {}).get(SDG_FIELDS.get(field, field))
        return (text, True) if text else (english, True)
    text = (words or {}).get(field) if isinstance(words, dict) else None
    if not text:
        return english, True
    return text, bool(words.get("official"))


def is_translated(item, locale: str | None) -> bool:
    """Whether the item has words of its own in the locale's language (English always has)."""
    language = language_of(locale)
    return language == "en" or bool((getattr(item, "translations", None) or {}).get(language))


@dataclass
class LanguageStatus:
    """One language of a framework: where its translation comes from and what it lacks."""

    language: str
    name: str  # the language, in English
    loaded: bool
    official: bool = False
    source: str | None = None
    note: str | None = None
    loaded_at: str | None = None
    missing: list[str] = field(default_factory=list)  # "objective 1.3 statement"
    # Items whose English changed after they were translated: "objective 1.3".
    outdated: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.loaded and not self.missing


def unofficial_note(framework: Framework | None, locale: str | None) -> str | None:
    """What a page in this locale must say where it shows the framework's words: the note of
    its working translation (in its language), or None where the text shown is official."""
    language = language_of(locale)
    provenance = (framework.translations or {}).get(language) if framework else None
    if language == "en" or not provenance or provenance.get("official"):
        return None
    return provenance.get("note") or "Unofficial working translation."


def completeness(*, session: Session, framework_id: int) -> dict[str, LanguageStatus]:
    """Per language (fr, es, ar), where its translation comes from and what of the framework
    has no words in it."""
    rows = [
        (kind, row)
        for kind, model in (
            ("goal", Goal),
            ("objective", Objective),
            ("theme", Theme),
            ("theme statement", ThemeStatement),
        )
        for row in session.exec(
            select(model).where(model.framework_id == framework_id).order_by(model.position)
        )
    ]
    return language_statuses(session.get(Framework, framework_id), rows)


def language_statuses(framework: Framework | None, rows) -> dict[str, LanguageStatus]:
    """`completeness` of rows already read: (kind, row) pairs, kind as in FIELDS."""
    out = {}
    for language, name in LANGUAGES.items():
        provenance = (framework.translations or {}).get(language) if framework else None
        status = LanguageStatus(language, name, loaded=bool(provenance))
        if provenance:
            status.official = bool(provenance.get("official"))
            status.source = provenance.get("source")
            status.note = provenance.get("note")
            status.loaded_at = provenance.get("loaded_at")
        for kind, row in rows:
            words = row.translations.get(language) or {}
            for name_of_field in FIELDS[kind]:
                if getattr(row, name_of_field) and not words.get(name_of_field):
                    status.missing.append(f"{kind} {row.code} {name_of_field}")
            if words.get("english") not in (None, english_digest(kind, row)):
                status.outdated.append(f"{kind} {row.code}")
        out[language] = status
    return out


def sdg_completeness(*, session: Session) -> dict[str, list[str]]:
    """Per language (fr, es, ar), the SDGs and targets without the UN's title in it."""
    out: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for sdg in session.exec(select(SDG).order_by(SDG.number)):
        for language in LANGUAGES:
            words = sdg.translations.get(language) or {}
            if not words.get("short") or not words.get("title"):
                out[language].append(f"SDG {sdg.number}")
    for target in session.exec(select(SDGTarget).order_by(SDGTarget.position)):
        for language in LANGUAGES:
            if not target.translations.get(language):
                out[language].append(f"target {target.code}")
    return out


@dataclass
class Names:
    """The short names of the active framework's goals, objectives and themes, and of the SDGs,
    in a language, by (level, code), and what a page showing them must say (a working
    translation's note)."""

    language: str
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    statements: dict[tuple[str, str], str] = field(default_factory=dict)  # and SDG titles
    note: str | None = None
    shown: bool = False  # a name of the framework's (not an SDG's) was given in the language

    def get(self, level: str, code: str, english: str) -> str:
        text = self.names.get((level, code))
        if text is None:
            return english
        self.shown = self.shown or level not in SDG_LEVELS
        return text

    def statement(self, level: str, code: str, english: str) -> str:
        text = self.statements.get((level, code))
        if text is None:
            return english
        self.shown = self.shown or level not in SDG_LEVELS
        return text


def framework_names(*, session: Session, locale: str | None) -> Names:
    """The framework's and the SDGs' names and statements in the locale's language (five small
    queries; none in English). An SDG target's short name in another language is the first
    clause of its official text in that language, as the English one is."""
    language = language_of(locale)
    names = Names(language)
    if language == "en":
        return names
    framework = session.exec(select(Framework).where(Framework.active)).first()
    for level, model, name_field in (
        ("goal", Goal, "short_name"),
        ("objective", Objective, "short_name"),
        ("theme", Theme, "name"),
    ):
        if framework is None:
            break
        for row in session.exec(select(model).where(model.framework_id == framework.id)):
            text, _official = localized(row, name_field, language)
            if text:
                names.names[(level, row.code)] = text
            if level != "theme":
                text, _official = localized(row, "statement", language)
                if text:
                    names.statements[(level, row.code)] = text
    names.note = unofficial_note(framework, language)
    # The SDGs' and their targets' names: the United Nations' own, official in every language.
    for sdg in session.exec(select(SDG)):
        text, _official = localized(sdg, "name", language)
        if text:
            names.names[("sdg", str(sdg.number))] = text
        text, _official = localized(sdg, "title", language)
        if text:
            names.statements[("sdg", str(sdg.number))] = text
    for target in session.exec(select(SDGTarget)):
        official = target.translations.get(language)
        if isinstance(official, str) and official:
            names.names[("sdg_target", target.code)] = short_title(official, language)
            names.statements[("sdg_target", target.code)] = official
    return names
