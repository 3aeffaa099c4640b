"""Reading and checking a translation file of the framework, before anything is stored.

The framework's official text is its own file, in English. A translation file gives, for one
other language, the framework's name and the words of every goal, objective, theme and theme
statement, matched by code, in the shape of the framework file:

    framework: GPG-2023          # the framework's code and version, as its file gives them
    version: "2023"
    language: fr                 # fr, es or ar
    official: false              # true only for a translation its publisher made official
    source: "..."                # who translated it, or the publication it comes from
    note: "..."                  # what it is; required when official is false
    name: "..."                  # the framework's name
    goals:
      - code: GPG1
        short_name: "..."
        statement: "..."
        objectives:
          - {code: "1.1", short_name: "...", statement: "..."}
    themes:
      - code: I
        name: "..."
        statements:
          - {code: "I.1", statement: "..."}

Every problem is reported with the file, the path inside it and the reason, as for the
framework file: its shape, empty or over-long text, control characters (a NUL byte), a language
other than fr, es or ar, another framework or version, codes the framework does not have or has
under another goal or theme, and anything of the framework the file leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

import yaml
from pydantic import Field, StrictBool, StrictStr, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from tracker.inputs import CONTROL, bad_character
from tracker.services.framework.loader import (
    Code,
    FrameworkFileError,
    Label,
    Name,
    Problem,
    Statement,
    _code,
    _duplicates,
    _items,
    _path,
    _reason,
    _Strict,
)

# The languages a translation may be in, named in English; English is the framework file.
LANGUAGES = {"fr": "French", "es": "Spanish", "ar": "Arabic"}
MAX_FILE_BYTES = 1_000_000
NUL_MARK = "\ue000"  # stands for a NUL byte while the file is read (a private-use character)

Text500 = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
]
Text1000 = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class TranslationFileError(FrameworkFileError):
    """A translation file that cannot be loaded, with every problem found in it."""


class ObjectiveWords(_Strict):
    code: Code
    short_name: Label | None = None
    statement: Statement


class GoalWords(_Strict):
    code: Code
    short_name: Label
    statement: Statement
    objectives: list[ObjectiveWords] = Field(min_length=1)


class StatementWords(_Strict):
    code: Code
    statement: Statement


class ThemeWords(_Strict):
    code: Code
    name: Name
    statements: list[StatementWords] = Field(default_factory=list)


class TranslationIn(_Strict):
    framework: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^\S+$"),
    ]
    version: Annotated[
        StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    language: Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
    official: StrictBool
    source: Text500
    note: Text1000 | None = None
    name: Name
    goals: list[GoalWords] = Field(min_length=1)
    themes: list[ThemeWords] = Field(default_factory=list)


@dataclass
class FrameworkText:
    """The framework as stored, in English, that a translation must cover."""

    code: str
    version: str
    goals: dict[str, str | None] = field(default_factory=dict)  # code -> short name
    objectives: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # goal, short
    themes: dict[str, str] = field(default_factory=dict)  # code -> name
    statements: dict[str, str] = field(default_factory=dict)  # code -> theme code


def read_text(file: str, content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_FILE_BYTES:
        raise TranslationFileError(
            file, [Problem("", f"must be at most {MAX_FILE_BYTES // 1_000_000} MB")]
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranslationFileError(
            file, [Problem("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None


def parse_translation(
    file: str, text: str, *, frameworks: dict[str, FrameworkText]
) -> TranslationIn:
    """Read and check a translation file against the stored frameworks (by code), raising
    TranslationFileError with every problem."""
    # YAML refuses a NUL byte wherever it is; read it as a mark instead, so that the problem
    # names the field that holds it.
    nul_line = text.count("\n", 0, text.index("\x00")) + 1 if "\x00" in text else None
    text = text.replace("\x00", NUL_MARK)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise TranslationFileError(
            file, [Problem("", f"not valid YAML: {where}{getattr(exc, 'problem', exc)}")]
        ) from None
    if not isinstance(raw, dict):
        raise TranslationFileError(
            file,
            [
                Problem(
                    "",
                    "must be a mapping with framework, version, language, official, "
                    "source, name, goals and themes",
                )
            ],
        )
    problems: list[Problem] = []
    parsed = None
    try:
        parsed = TranslationIn.model_validate(raw)
    except PydanticValidationError as exc:
        problems = [Problem(_path(err["loc"]), _reason(err)) for err in exc.errors()]
    found = _control_characters(raw, "", nul=nul_line is not None)
    if nul_line is not None and not found:
        found = [Problem(f"line {nul_line}", CONTROL)]
    problems += found
    problems += _header_checks(raw)
    target = frameworks.get(raw.get("framework")) if isinstance(raw.get("framework"), str) else None
    if isinstance(raw.get("framework"), str) and target is None:
        known = ", ".join(sorted(frameworks)) or "none; load the framework first"
        problems.append(
            Problem(
                "framework", f'no framework "{raw["framework"][:40]}" is loaded; loaded: {known}'
            )
        )
    if target is not None:
        version = raw.get("version")
        if isinstance(version, str) and version.strip() != target.version:
            problems.append(
                Problem(
                    "version",
                    f'translates version "{version[:40]}" of {target.code}; '
                    f'the loaded version is "{target.version}"',
                )
            )
        problems += _coverage_checks(raw, target)
    if problems or parsed is None:
        raise TranslationFileError(file, problems)
    return parsed


def _control_characters(value: Any, path: str, *, nul: bool) -> list[Problem]:
    if isinstance(value, str):
        bad = (nul and NUL_MARK in value) or bad_character(value, allow_line_breaks=False)
        return [Problem(path or "", CONTROL)] if bad else []
    if isinstance(value, dict):
        return [
            p
            for k, v in value.items()
            for p in _control_characters(v, f"{path}.{k}" if path else str(k), nul=nul)
        ] + [Problem(path or str(k), CONTROL) for k in value if nul and NUL_MARK in str(k)]
    if isinstance(value, list):
        return [
            p for i, v in enumerate(value) for p in _control_characters(v, f"{path}[{i}]", nul=nul)
        ]
    return []


def _header_checks(raw: dict) -> list[Problem]:
    problems = []
    language = raw.get("language")
    if isinstance(language, str) and language.strip():
        code = language.strip()
        allowed = ", ".join(LANGUAGES)
        if code.lower() == "en":
            problems.append(
                Problem(
                    "language",
                    "English is the framework's official text, its own file; "
                    f"a translation is in one of: {allowed}",
                )
            )
        elif code not in LANGUAGES:
            problems.append(
                Problem("language", f'unknown language "{code[:20]}"; allowed: {allowed}')
            )
    note = raw.get("note")
    if raw.get("official") is False and not (isinstance(note, str) and note.strip()):
        problems.append(
            Problem("note", "required for a translation that is not official: say what it is")
        )
    return problems


def _coverage_checks(raw: dict, target: FrameworkText) -> list[Problem]:
    """Codes the framework has, each under its own goal or theme, none twice, none left out."""
    goals = _items(raw, "goals")
    themes = _items(raw, "themes")
    problems = _duplicates([(f"goals[{i}].code", _code(g)) for i, g in goals])
    problems += _duplicates(
        [
            (f"goals[{i}].objectives[{j}].code", _code(o))
            for i, g in goals
            for j, o in _items(g, "objectives")
        ]
    )
    problems += _duplicates([(f"themes[{i}].code", _code(t)) for i, t in themes])
    problems += _duplicates(
        [
            (f"themes[{i}].statements[{j}].code", _code(s))
            for i, t in themes
            for j, s in _items(t, "statements")
        ]
    )
    seen_goals, seen_objectives, seen_themes, seen_statements = {}, set(), {}, set()
    for i, goal in goals:
        code = _code(goal)
        if code is None:
            continue
        if code not in target.goals:
            problems.append(
                Problem(
                    f"goals[{i}].code",
                    f'unknown goal "{code[:20]}"; {target.code} has ' + ", ".join(target.goals),
                )
            )
            continue
        seen_goals.setdefault(code, i)
        for j, objective in _items(goal, "objectives"):
            problems += _objective_checks(f"goals[{i}].objectives[{j}]", code, objective, target)
            seen_objectives.add(_code(objective))
    for i, theme in themes:
        code = _code(theme)
        if code is None:
            continue
        if code not in target.themes:
            problems.append(
                Problem(
                    f"themes[{i}].code",
                    f'unknown theme "{code[:20]}"; {target.code} has ' + ", ".join(target.themes),
                )
            )
            continue
        seen_themes.setdefault(code, i)
        for j, statement in _items(theme, "statements"):
            scode = _code(statement)
            where = f"themes[{i}].statements[{j}].code"
            if scode is None:
                continue
            if scode not in target.statements:
                problems.append(Problem(where, f'unknown theme statement "{scode[:20]}"'))
            elif target.statements[scode] != code:
                problems.append(
                    Problem(
                        where,
                        f'statement "{scode}" belongs to theme '
                        f"{target.statements[scode]}, not {code}",
                    )
                )
            seen_statements.add(scode)
    problems += _missing(target, seen_goals, seen_objectives, seen_themes, seen_statements)
    return problems


def _objective_checks(where: str, goal: str, objective: dict, target: FrameworkText) -> list:
    code = _code(objective)
    if code is None:
        return []
    if code not in target.objectives:
        return [Problem(f"{where}.code", f'unknown objective "{code[:20]}"')]
    owner, english_short = target.objectives[code]
    if owner != goal:
        return [Problem(f"{where}.code", f'objective "{code}" belongs to goal {owner}, not {goal}')]
    has_short = "short_name" in objective and objective["short_name"] is not None
    if english_short and not has_short:
        return [Problem(f"{where}.short_name", "required field is missing: the English has one")]
    if not english_short and has_short:
        return [Problem(f"{where}.short_name", "the English has no short name; leave it out")]
    return []


def _missing(target, seen_goals, seen_objectives, seen_themes, seen_statements) -> list:
    problems = []
    for code in target.goals:
        if code not in seen_goals:
            problems.append(Problem("goals", f'goal "{code}" is missing'))
    for code, (goal, _) in target.objectives.items():
        if goal in seen_goals and code not in seen_objectives:
            where = f"goals[{seen_goals[goal]}].objectives"
            problems.append(Problem(where, f'objective "{code}" is missing'))
    for code in target.themes:
        if code not in seen_themes:
            problems.append(Problem("themes", f'theme "{code}" is missing'))
    for code, theme in target.statements.items():
        if theme in seen_themes and code not in seen_statements:
            where = f"themes[{seen_themes[theme]}].statements"
            problems.append(Problem(where, f'theme statement "{code}" is missing'))
    return problems
