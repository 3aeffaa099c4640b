"""Storing a translation of the framework (see translation_file for the file and its checks).

Only a file without a problem is stored, all of it in the caller's transaction, and audited as
framework changes are; loading the same file again changes nothing. An official translation
replaces an unofficial one and is marked official; an unofficial one never replaces an
official one. `load_shipped_translations` loads the tracker's own working translations for the
languages that have none yet.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from tracker.formats import Text, listed
from tracker.locales import N_
from tracker.models import Framework, Goal, Objective, Theme, ThemeStatement, User
from tracker.models._base import utcnow
from tracker.services.audit.record import record
from tracker.services.framework.loader import Problem, counted
from tracker.services.framework.translation_file import (
    LANGUAGES,
    FrameworkText,
    TranslationFileError,
    TranslationIn,
    parse_translation,
    read_text,
)
from tracker.services.framework.translations import english_digest

PROVENANCE = ("name", "official", "source", "note", "version")


@dataclass
class TranslationLoadReport:
    framework_code: str
    language: str
    official: bool
    stored: Counter = field(default_factory=Counter)  # items whose words were added or changed
    provenance_changed: bool = False
    replaced_unofficial: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.stored or self.provenance_changed)

    def summary(self) -> Text:
        what = Text(TRANSLATION_OF[self.language, self.official], code=self.framework_code)
        if not self.changed:
            return Text(
                N_("%(translation)s: already up to date, nothing changed."), translation=what
            )
        if self.stored:
            things = listed(counted(kind, n) for kind, n in sorted(self.stored.items()))
            if self.replaced_unofficial:
                return Text(
                    N_(
                        "%(translation)s: stored %(things)s; it replaces the unofficial working "
                        "translation."
                    ),
                    translation=what,
                    things=things,
                )
            return Text(N_("%(translation)s: stored %(things)s."), translation=what, things=things)
        if self.replaced_unofficial:
            return Text(
                N_(
                    "%(translation)s: its description updated; it replaces the unofficial "
                    "working translation."
                ),
                translation=what,
            )
        return Text(N_("%(translation)s: its description updated."), translation=what)


# A translation as a report names it, by language and standing (one message each, for the
# word order and agreements of every language).
TRANSLATION_OF = {
    ("fr", True): N_("French translation of %(code)s (official)"),
    ("fr", False): N_("French translation of %(code)s (unofficial working translation)"),
    ("es", True): N_("Spanish translation of %(code)s (official)"),
    ("es", False): N_("Spanish translation of %(code)s (unofficial working translation)"),
    ("ar", True): N_("Arabic translation of %(code)s (official)"),
    ("ar", False): N_("Arabic translation of %(code)s (unofficial working translation)"),
}


def stored_frameworks(session: Session) -> dict[str, FrameworkText]:
    """Every stored framework's codes, which a translation must cover."""
    out: dict[str, FrameworkText] = {}
    by_id: dict[int, FrameworkText] = {}
    for framework in session.exec(select(Framework).order_by(Framework.id)):
        by_id[framework.id] = out[framework.code] = FrameworkText(framework.code, framework.version)
    goal_codes: dict[int, str] = {}
    for goal in session.exec(select(Goal).order_by(Goal.position)):
        by_id[goal.framework_id].goals[goal.code] = goal.short_name
        goal_codes[goal.id] = goal.code
    for objective in session.exec(select(Objective).order_by(Objective.position)):
        by_id[objective.framework_id].objectives[objective.code] = (
            goal_codes[objective.goal_id],
            objective.short_name,
        )
    theme_codes: dict[int, str] = {}
    for theme in session.exec(select(Theme).order_by(Theme.position)):
        by_id[theme.framework_id].themes[theme.code] = theme.name
        theme_codes[theme.id] = theme.code
    for statement in session.exec(select(ThemeStatement).order_by(ThemeStatement.position)):
        by_id[statement.framework_id].statements[statement.code] = theme_codes[statement.theme_id]
    return out


def load_translation(
    *,
    session: Session,
    path: Path | None = None,
    content: bytes | str | None = None,
    filename: str | None = None,
    actor: User | None = None,
) -> TranslationLoadReport:
    """Check a translation file (from `path`, or its `content` as uploaded, named `filename`)
    and store it; raises TranslationFileError with every problem, having stored nothing."""
    if (path is None) == (content is None):
        raise TypeError("give either path or content")
    file = str(path) if path is not None else (filename or "upload")
    if path is not None:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise TranslationFileError(file, [Problem("", "file not found")]) from None
        except OSError as exc:
            reason = f"cannot be read ({exc.strerror or exc})"
            raise TranslationFileError(file, [Problem("", reason)]) from None
    text = read_text(file, content)
    data = parse_translation(file, text, frameworks=stored_frameworks(session))
    framework = session.exec(select(Framework).where(Framework.code == data.framework)).one()
    language = data.language
    report = TranslationLoadReport(framework.code, language, data.official)

    current = framework.translations.get(language)
    if current and current.get("official") and not data.official:
        raise TranslationFileError(
            file,
            [
                Problem(
                    "official",
                    f"an official {LANGUAGES[language]} translation is loaded "
                    f"({current.get('source')}); an unofficial one does not replace it",
                )
            ],
        )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _store_items(session, framework.id, data, report, before, after)

    provenance = {
        "name": data.name,
        "official": data.official,
        "source": data.source,
        "note": data.note,
        "version": data.version,
    }
    kept = {k: current.get(k) for k in PROVENANCE} if current else None
    if kept != provenance:
        report.provenance_changed = True
    if report.changed:
        report.replaced_unofficial = bool(current) and data.official and not current["official"]
        framework.translations = {
            **framework.translations,
            language: {**provenance, "loaded_at": utcnow().isoformat(timespec="seconds")},
        }
        record(
            session=session,
            actor=actor,
            action="translate",
            entity_type="framework",
            entity_key=framework.code,
            before={"translation": {language: kept}, **before} if kept else before or None,
            after={"translation": {language: provenance}, **after},
        )
    session.flush()
    return report


def _store_items(session, framework_id, data: TranslationIn, report, before, after) -> None:
    language, official = data.language, data.official
    goals = _by_code(session, Goal, framework_id)
    objectives = _by_code(session, Objective, framework_id)
    themes = _by_code(session, Theme, framework_id)
    statements = _by_code(session, ThemeStatement, framework_id)

    def put(kind: str, row, words: dict[str, Any]) -> None:
        wanted = {k: v for k, v in words.items() if v is not None}
        wanted |= {"official": official, "english": english_digest(kind, row)}
        had = row.translations.get(language)
        if had == wanted:
            return
        key = f"{kind} {row.code}"
        if had is not None:
            before[key] = {language: had}
        after[key] = {language: wanted}
        row.translations = {**row.translations, language: wanted}
        report.stored[kind] += 1

    for goal in data.goals:
        put("goal", goals[goal.code], {"short_name": goal.short_name, "statement": goal.statement})
        for objective in goal.objectives:
            put(
                "objective",
                objectives[objective.code],
                {"short_name": objective.short_name, "statement": objective.statement},
            )
    for theme in data.themes:
        put("theme", themes[theme.code], {"name": theme.name})
        for statement in theme.statements:
            put("theme statement", statements[statement.code], {"statement": statement.statement})


def _by_code(session: Session, model, framework_id: int) -> dict:
    return {
        r.code: r for r in session.exec(select(model).where(model.framework_id == framework_id))
    }


def shipped_translation_files(framework_file: Path) -> list[Path]:
    """The translation files shipped beside a framework file: gpg-2023.fr.yaml and so on."""
    stem = framework_file.name.removesuffix(".yaml")
    return [
        framework_file.with_name(f"{stem}.{language}.yaml")
        for language in LANGUAGES
        if framework_file.with_name(f"{stem}.{language}.yaml").exists()
    ]


def load_shipped_translations(
    *, session: Session, framework_file: Path
) -> list[TranslationLoadReport]:
    """Load the translations shipped beside a framework file for the languages its framework
    has none in: a translation already stored (official, or one an administrator loaded) is
    left alone."""
    raw = yaml.safe_load(framework_file.read_text(encoding="utf-8"))
    code = raw.get("code") if isinstance(raw, dict) else None
    framework = session.exec(select(Framework).where(Framework.code == code)).first()
    if framework is None:
        return []
    reports = []
    for path in shipped_translation_files(framework_file):
        language = path.name.split(".")[-2]
        if language in framework.translations:
            continue
        reports.append(load_translation(session=session, path=path))
    return reports
