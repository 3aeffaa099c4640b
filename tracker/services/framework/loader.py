"""Loading a strategic framework from a YAML file.

The file is validated as a whole first, and every problem is reported with the file, the
path inside it and the reason. Only a valid file is written, upserted by code, so that
loading the same file twice changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from sqlmodel import Session, func, select

from tracker.formats import Text, listed
from tracker.locales import N_, Nn_
from tracker.models import (
    SDG,
    Framework,
    Goal,
    Objective,
    ObjectiveTag,
    SDGLink,
    SDGTarget,
    Target,
    Theme,
    ThemeStatement,
    ThemeTag,
    User,
)
from tracker.services.audit.record import record

Code = Annotated[
    StrictStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^\S+$"),
]
Label = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Name = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Statement = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SDGLinkIn(_Strict):
    """A link to an SDG target (`target: "16.4"`) or to an SDG as a whole (`sdg: 14`), with an
    optional weight (a percentage of the item's budget) and note. `proposed: true` marks a link
    an administrator has yet to confirm."""

    target: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=8)] | None = (
        None
    )
    sdg: StrictInt | None = None
    weight: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    note: Annotated[StrictStr, StringConstraints(strip_whitespace=True, max_length=500)] | None = (
        None
    )
    proposed: bool = False

    @model_validator(mode="after")
    def _one_of(self) -> SDGLinkIn:
        if (self.target is None) == (self.sdg is None):
            raise ValueError("give either target (such as 16.4) or sdg (such as 16), not both")
        return self

    @property
    def key(self) -> tuple[int, str | None]:
        if self.target is not None:
            return int(self.target.split(".")[0]), self.target
        return int(self.sdg), None


class ObjectiveIn(_Strict):
    code: Code
    short_name: Label | None = None
    statement: Statement
    sdg_links: list[SDGLinkIn] = Field(default_factory=list)


class GoalIn(_Strict):
    code: Code
    short_name: Label
    statement: Statement
    # Whole SDGs, a shorthand for sdg_links of the form {sdg: N}.
    sdgs: list[StrictInt] = Field(default_factory=list)
    sdg_links: list[SDGLinkIn] = Field(default_factory=list)
    objectives: list[ObjectiveIn] = Field(min_length=1)

    @property
    def all_sdg_links(self) -> list[SDGLinkIn]:
        return [SDGLinkIn(sdg=n) for n in self.sdgs] + self.sdg_links


class ThemeStatementIn(_Strict):
    code: Code
    statement: Statement


class ThemeIn(_Strict):
    code: Code
    name: Name
    statements: list[ThemeStatementIn] = Field(default_factory=list)


class FrameworkIn(_Strict):
    code: Annotated[
        StrictStr,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^\S+$"),
    ]
    name: Name
    version: Annotated[
        StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    source: Annotated[StrictStr, StringConstraints(max_length=500)] | None = None
    goals: list[GoalIn] = Field(min_length=1)
    themes: list[ThemeIn] = Field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str

    def render(self, file: str) -> str:
        return f"{file}: {self.path}: {self.reason}" if self.path else f"{file}: {self.reason}"


class FrameworkFileError(ValueError):
    """A framework file that cannot be loaded, with every problem found in it."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.render(file) for p in problems))


@dataclass
class FrameworkLoadReport:
    framework_code: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    activated: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.activated)

    def summary(self) -> Text:
        if not self.changed:
            return Text(
                N_("Framework %(code)s: already up to date, nothing changed."),
                code=self.framework_code,
            )
        parts = []
        for verb, counts in (
            (N_("created %(things)s"), self.created),
            (N_("updated %(things)s"), self.updated),
            (N_("removed %(things)s"), self.removed),
        ):
            if counts:
                things = listed(counted(kind, n) for kind, n in sorted(counts.items()))
                parts.append(Text(verb, things=things))
        if self.activated:
            parts.append(Text(N_("made active")))
        return Text(
            N_("Framework %(code)s: %(changes)s."),
            code=self.framework_code,
            changes=listed(parts, clauses=True),
        )


# What a load counts, as a report says it: "7 goals".
COUNTED = {
    "framework": Nn_("%(num)s framework", "%(num)s frameworks"),
    "goal": Nn_("%(num)s goal", "%(num)s goals"),
    "objective": Nn_("%(num)s objective", "%(num)s objectives"),
    "theme": Nn_("%(num)s theme", "%(num)s themes"),
    "theme statement": Nn_("%(num)s theme statement", "%(num)s theme statements"),
    "SDG link": Nn_("%(num)s SDG link", "%(num)s SDG links"),
}


def counted(kind: str, n: int) -> Text:
    singular, plural = COUNTED.get(kind, (f"%(num)s {kind}", f"%(num)s {kind}s"))
    return Text.counted(singular, plural, n)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _reason(error: dict[str, Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_type":
        if isinstance(value, int | float):
            return f'must be text, got the number {value!r}; put it in quotes, as in "{value}"'
        return f"must be text, got {type(value).__name__}"
    if kind == "int_type":
        return f"must be a whole number, got {value!r}"
    if kind == "list_type":
        return f"must be a list, got {type(value).__name__}"
    if kind == "model_type" or kind == "dict_type":
        return f"must be a mapping of fields, got {type(value).__name__}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"must not contain spaces, got {value!r}"
    return error["msg"]


def _duplicates(items: list[tuple[str, str | None]]) -> list[Problem]:
    """items are (path, code) pairs; report every repeat after the first."""
    first: dict[str, str] = {}
    problems = []
    for path, code in items:
        if code is None:
            continue
        if code in first:
            problems.append(Problem(path, f'duplicate "{code}" (first at {first[code]})'))
        else:
            first[code] = path
    return problems


def parse_framework_file(
    path: Path, *, known_sdgs: set[int], known_targets: set[str] | None = None
) -> FrameworkIn:
    """Read and validate a framework file, raising FrameworkFileError with every problem."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkFileError(file, [Problem("", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise FrameworkFileError(
            file, [Problem("", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise FrameworkFileError(
            file, [Problem("", f"not valid YAML: {where}{getattr(exc, 'problem', exc)}")]
        ) from None
    if not isinstance(raw, dict):
        raise FrameworkFileError(
            file, [Problem("", "must be a mapping with code, name, version, goals and themes")]
        )

    problems: list[Problem] = []
    parsed = None
    try:
        parsed = FrameworkIn.model_validate(raw)
    except PydanticValidationError as exc:
        problems = [Problem(_path(err["loc"]), _reason(err)) for err in exc.errors()]
    # Cross-field checks read the raw file, so that they are reported alongside any
    # problems of shape above rather than after those are fixed.
    problems += _cross_checks(raw, known_sdgs)
    problems += _link_checks(raw, known_sdgs, known_targets)
    if problems or parsed is None:
        raise FrameworkFileError(file, problems)
    return parsed


def _items(container: Any, key: str) -> list[tuple[int, dict]]:
    value = container.get(key) if isinstance(container, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _code(item: dict) -> str | None:
    code = item.get("code")
    return code.strip() if isinstance(code, str) else None


def _cross_checks(raw: dict, known_sdgs: set[int]) -> list[Problem]:
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
            (f"themes[{i}].statements[{j}].code", _code(st))
            for i, t in themes
            for j, st in _items(t, "statements")
        ]
    )
    if known_sdgs:
        allowed = f"{min(known_sdgs)} to {max(known_sdgs)}"
    else:
        allowed = "none loaded yet; run `tracker reference load` first"
    for i, goal in goals:
        sdgs = goal.get("sdgs")
        seen: set[int] = set()
        for j, number in enumerate(sdgs if isinstance(sdgs, list) else []):
            if not isinstance(number, int) or isinstance(number, bool):
                continue  # reported above as not a whole number
            if number not in known_sdgs:
                problems.append(
                    Problem(f"goals[{i}].sdgs[{j}]", f"unknown SDG {number}; allowed: {allowed}")
                )
            elif number in seen:
                problems.append(Problem(f"goals[{i}].sdgs[{j}]", f"SDG {number} is listed twice"))
            seen.add(number)
    return problems


def _link_checks(raw: dict, known_sdgs: set[int], known_targets: set[str] | None) -> list[Problem]:
    """Each goal's and objective's SDG links: known targets and SDGs, none twice, weights that
    add up to at most 100."""
    problems: list[Problem] = []
    owners = []
    for i, goal in _items(raw, "goals"):
        owners.append((f"goals[{i}]", goal, goal.get("sdgs")))
        owners += [(f"goals[{i}].objectives[{j}]", o, None) for j, o in _items(goal, "objectives")]
    for where, owner, numbers in owners:
        seen = {n for n in numbers if isinstance(n, int)} if isinstance(numbers, list) else set()
        seen = {(n, None) for n in seen}
        total = Decimal(0)
        for k, link in _items(owner, "sdg_links"):
            path = f"{where}.sdg_links[{k}]"
            target, number = link.get("target"), link.get("sdg")
            if isinstance(target, str):
                target = target.strip()
                if known_targets is not None and target not in known_targets:
                    problems.append(
                        Problem(
                            f"{path}.target", f'unknown SDG target "{target[:8]}"; such as 16.4'
                        )
                    )
                    continue
                key = (int(target.split(".")[0]), target)
            elif isinstance(number, int) and not isinstance(number, bool):
                if number not in known_sdgs:
                    problems.append(
                        Problem(f"{path}.sdg", f"unknown SDG {number}; allowed: 1 to 17")
                    )
                    continue
                key = (number, None)
            else:
                continue  # reported with the shape
            if key in seen:
                named = key[1] or f"SDG {key[0]}"
                problems.append(Problem(path, f"{named} is linked twice"))
            seen.add(key)
            weight = link.get("weight")
            if isinstance(weight, int | float) and not isinstance(weight, bool):
                total += Decimal(str(weight))
        if total > 100:
            problems.append(
                Problem(f"{where}.sdg_links", f"weights add up to {total}; at most 100")
            )
    return problems


class _Sync:
    """Upserts rows by code and remembers what changed, for the report and the audit event."""

    def __init__(self, session: Session, report: FrameworkLoadReport):
        self.session = session
        self.report = report
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    def upsert(self, kind: str, existing, make, **values):
        key = f"{kind} {values.get('code') or getattr(existing, 'code', '')}"
        if existing is None:
            row = make(**values)
            self.session.add(row)
            self.report.created[kind] += 1
            self.after[key] = _public(values)
            return row
        changes = {k: v for k, v in values.items() if getattr(existing, k) != v}
        if changes:
            self.before[key] = {k: getattr(existing, k) for k in changes}
            self.after[key] = _public(changes)
            for name, value in changes.items():
                setattr(existing, name, value)
            self.report.updated[kind] += 1
        return existing

    def remove(self, kind: str, row) -> None:
        self.before[f"{kind} {row.code}"] = {"removed": True}
        self.session.delete(row)
        self.report.removed[kind] += 1


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if not k.endswith("_id")}


def load_framework(
    *, session: Session, path: Path, activate: bool = False, actor: User | None = None
) -> FrameworkLoadReport:
    known_sdgs = set(session.exec(select(SDG.number)))
    known_targets = set(session.exec(select(SDGTarget.code)))
    data = parse_framework_file(path, known_sdgs=known_sdgs, known_targets=known_targets)
    report = FrameworkLoadReport(framework_code=data.code)
    sync = _Sync(session, report)

    framework = sync.upsert(
        "framework",
        session.exec(select(Framework).where(Framework.code == data.code)).first(),
        Framework,
        code=data.code,
        name=data.name,
        version=data.version,
        source=data.source,
    )
    session.flush()
    fid = framework.id

    goals = {g.code: g for g in session.exec(select(Goal).where(Goal.framework_id == fid))}
    objectives = {
        o.code: o for o in session.exec(select(Objective).where(Objective.framework_id == fid))
    }
    themes = {t.code: t for t in session.exec(select(Theme).where(Theme.framework_id == fid))}
    statements = {
        s.code: s
        for s in session.exec(select(ThemeStatement).where(ThemeStatement.framework_id == fid))
    }
    _refuse_removing_used(session, path, data, objectives, themes, goals)
    links: list[tuple[Any, str, list[SDGLinkIn]]] = []

    for position, goal_in in enumerate(data.goals):
        goal = sync.upsert(
            "goal",
            goals.get(goal_in.code),
            Goal,
            framework_id=fid,
            code=goal_in.code,
            short_name=goal_in.short_name,
            statement=goal_in.statement,
            position=position,
        )
        session.flush()
        links.append((goal, "goal", goal_in.all_sdg_links))
        for obj_position, objective_in in enumerate(goal_in.objectives):
            objective = sync.upsert(
                "objective",
                objectives.get(objective_in.code),
                Objective,
                framework_id=fid,
                goal_id=goal.id,
                code=objective_in.code,
                short_name=objective_in.short_name,
                statement=objective_in.statement,
                position=obj_position,
            )
            links.append((objective, "objective", objective_in.sdg_links))

    for position, theme_in in enumerate(data.themes):
        theme = sync.upsert(
            "theme",
            themes.get(theme_in.code),
            Theme,
            framework_id=fid,
            code=theme_in.code,
            name=theme_in.name,
            position=position,
        )
        session.flush()
        for st_position, statement_in in enumerate(theme_in.statements):
            sync.upsert(
                "theme statement",
                statements.get(statement_in.code),
                ThemeStatement,
                framework_id=fid,
                theme_id=theme.id,
                code=statement_in.code,
                statement=statement_in.statement,
                position=st_position,
            )

    session.flush()
    for owner, kind, wanted in links:
        _sync_sdg_links(session, sync, fid, owner, kind, wanted)

    # What the file no longer lists goes, children before parents.
    file_objectives = {o.code for g in data.goals for o in g.objectives}
    file_statements = {s.code for t in data.themes for s in t.statements}
    for code, row in objectives.items():
        if code not in file_objectives:
            sync.remove("objective", row)
    for code, row in statements.items():
        if code not in file_statements:
            sync.remove("theme statement", row)
    session.flush()
    for code, row in goals.items():
        if code not in {g.code for g in data.goals}:
            sync.remove("goal", row)
    for code, row in themes.items():
        if code not in {t.code for t in data.themes}:
            sync.remove("theme", row)

    active = session.exec(select(Framework).where(Framework.active)).first()
    if not framework.active and (activate or active is None):
        if active is not None:
            active.active = False
            session.flush()
        framework.active = True
        report.activated = True
    session.flush()

    if report.changed:
        record(
            session=session,
            actor=actor,
            action="load",
            entity_type="framework",
            entity_key=data.code,
            before=sync.before or None,
            after={**sync.after, **({"active": True} if report.activated else {})},
        )
    return report


def _sync_sdg_links(
    session: Session, sync: _Sync, framework_id: int, owner, kind: str, wanted: list[SDGLinkIn]
) -> None:
    """The SDG links of a goal or objective made those of the file. A link the file marks as
    proposed stays confirmed once an administrator has confirmed it."""
    column = SDGLink.goal_id if kind == "goal" else SDGLink.objective_id
    stored = {
        (link.sdg_number, link.target_code): link
        for link in session.exec(select(SDGLink).where(column == owner.id))
    }
    before = [link_summary(link) for link in stored.values()]
    changed = False
    for key, link in stored.items():
        if key not in {w.key for w in wanted}:
            session.delete(link)
            sync.report.removed["SDG link"] += 1
            changed = True
    for link_in in wanted:
        number, target = link_in.key
        link = stored.get(link_in.key)
        if link is None:
            session.add(
                SDGLink(
                    framework_id=framework_id,
                    goal_id=owner.id if kind == "goal" else None,
                    objective_id=owner.id if kind == "objective" else None,
                    sdg_number=number,
                    target_code=target,
                    weight=link_in.weight,
                    note=link_in.note,
                    proposed=link_in.proposed,
                )
            )
            sync.report.created["SDG link"] += 1
            changed = True
        elif (link.weight, link.note) != (link_in.weight, link_in.note):
            link.weight, link.note = link_in.weight, link_in.note
            sync.report.updated["SDG link"] += 1
            changed = True
    if changed:
        key = f"{kind} {owner.code}"
        if before:
            sync.before.setdefault(key, {})["sdg_links"] = before
        sync.after.setdefault(key, {})["sdg_links"] = [link_summary(w) for w in wanted]


def link_summary(link) -> str:
    """A link as one line of text, for the audit trail: "16.4 (50%): note"."""
    target = getattr(link, "target_code", None) if isinstance(link, SDGLink) else link.target
    number = link.sdg_number if isinstance(link, SDGLink) else link.key[0]
    text = target or f"SDG {number}"
    if link.weight is not None:
        text += f" ({link.weight:g}%)"
    if link.note:
        text += f": {link.note}"
    return text


def _refuse_removing_used(session, path, data: FrameworkIn, objectives, themes, goals) -> None:
    """An objective or theme that projects are tagged with cannot silently disappear."""
    problems = []
    file_objectives = {o.code for g in data.goals for o in g.objectives}
    gone = [o for code, o in objectives.items() if code not in file_objectives]
    for objective in gone:
        tags = session.exec(
            select(func.count()).where(ObjectiveTag.objective_id == objective.id)
        ).one()
        targets = session.exec(
            select(func.count()).where(Target.objective_id == objective.id)
        ).one()
        if tags or targets:
            problems.append(
                Problem(
                    "goals",
                    f'objective "{objective.code}" is missing from the file but has '
                    f"{tags} tag(s) and {targets} target(s); keep it in the file",
                )
            )
    file_themes = {t.code for t in data.themes}
    for code, theme in themes.items():
        if code not in file_themes:
            tags = session.exec(select(func.count()).where(ThemeTag.theme_id == theme.id)).one()
            if tags:
                problems.append(
                    Problem(
                        "themes",
                        f'theme "{code}" is missing from the file but has {tags} tag(s); '
                        "keep it in the file",
                    )
                )
    file_goals = {g.code for g in data.goals}
    for code, goal in goals.items():
        if code not in file_goals:
            targets = session.exec(select(func.count()).where(Target.goal_id == goal.id)).one()
            if targets:
                problems.append(
                    Problem(
                        "goals",
                        f'goal "{code}" is missing from the file but has {targets} target(s); '
                        "keep it in the file",
                    )
                )
    if problems:
        raise FrameworkFileError(str(path), problems)
