"""The SDG reference seed (`seeds/reference/sdgs.yaml`), built from the UN's official
titles of the 17 Sustainable Development Goals and their 169 targets in English, French,
Spanish and Arabic, as the Open SDG project collects them (`sdg-translations`, MIT licence):
`<lang>/global_goals.yml` (`N-title`, `N-short`) and `<lang>/global_targets.yml`
(`N-X-title`, X a number or a letter).

A target's short title is not official: it is the official text's first clause (with the
next ones while it is shorter than 35 characters), without a leading "By 2030," and cut at a
word before 80 characters.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

LANGUAGES = ("en", "fr", "es", "ar")
SOURCE_NOTE = (
    "The 17 Sustainable Development Goals and their 169 targets: the United Nations' official\n"
    "titles in English, French, Spanish and Arabic, as collected by the Open SDG project\n"
    "(https://github.com/open-sdg/sdg-translations, MIT licence). Built by\n"
    "`tracker reference build-sdgs SOURCE_DIR`; short titles of targets are the tracker's:\n"
    "the official text's first clause."
)
SHORT_TITLE_LENGTH = 80
SHORT_CLAUSE = 35  # a first clause shorter than this takes the next one too
_TARGET_KEY = re.compile(r"^(\d+)-([0-9a-z]+)-title$")
# How each language says "By 2030," (at the start, or at the end in Arabic), and separates
# clauses and sentences, in the UN's official texts.
_DATE = {
    "en": re.compile(r"^By \d{4}, ", re.IGNORECASE),
    "fr": re.compile(r"^D[’']ici (?:à|a) \d{4}, ", re.IGNORECASE),
    "es": re.compile(r"^(?:De aquí|Para) (?:a )?\d{4}, ", re.IGNORECASE),
    "ar": re.compile(r"[،,]? ?بحلول (?:عام )?\d{4}[.،]?$"),
}
_COMMA = {"ar": "، "}
_SEMICOLON = {"ar": "؛ "}


def _read(source: Path, language: str, name: str) -> dict[str, str]:
    data = yaml.safe_load((source / language / name).read_text(encoding="utf-8")) or {}
    return {str(k): " ".join(str(v).split()) for k, v in data.items()}


def short_title(text: str, language: str = "en") -> str:
    """The first clause of an official target text, at most SHORT_TITLE_LENGTH characters, in
    the text's language (the date the target is due by left out)."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if date := _DATE.get(language):
        text = date.sub("", text.rstrip("."))
    text = text.split(_SEMICOLON.get(language, "; "))[0].split("; ")[0].rstrip(".")
    comma = _COMMA.get(language, ", ")
    parts = text.split(comma)
    clause = parts[0]
    for part in parts[1:]:
        if len(clause) >= SHORT_CLAUSE:
            break
        clause += comma + part
    if len(clause) > SHORT_TITLE_LENGTH:
        clause = clause[: SHORT_TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return clause[:1].upper() + clause[1:]


def _target_order(code: str) -> tuple[int, int, str]:
    goal, part = code.split(".")
    return (int(goal), 0, f"{int(part):03d}") if part.isdigit() else (int(goal), 1, part)


def build(source: Path) -> dict:
    """The seed's content: goals with their titles and targets, in every language."""
    goals = {lang: _read(source, lang, "global_goals.yml") for lang in LANGUAGES}
    targets = {lang: _read(source, lang, "global_targets.yml") for lang in LANGUAGES}
    codes = sorted(
        (f"{m[1]}.{m[2]}" for key in targets["en"] if (m := _TARGET_KEY.match(key))),
        key=_target_order,
    )
    out = []
    for number in range(1, 18):
        goal = {
            "number": number,
            "titles": {
                lang: {
                    "short": goals[lang][f"{number}-short"],
                    "title": goals[lang][f"{number}-title"],
                }
                for lang in LANGUAGES
            },
            "targets": [],
        }
        for code in (c for c in codes if c.split(".")[0] == str(number)):
            key = code.replace(".", "-") + "-title"
            goal["targets"].append(
                {
                    "code": code,
                    "short": short_title(targets["en"][key]),
                    "titles": {lang: targets[lang][key] for lang in LANGUAGES},
                }
            )
        out.append(goal)
    return {"sdg_goals": out}


def render(source: Path) -> str:
    header = "".join(f"# {line}\n" for line in SOURCE_NOTE.splitlines())
    body = yaml.safe_dump(build(source), allow_unicode=True, sort_keys=False, width=100)
    return header + body
