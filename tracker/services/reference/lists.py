"""Reference lists for selectors: programmes, regions, countries, currencies, the people who
may manage projects, and the active framework's goals, objectives and themes, in display order.
Every page's dropdowns are built from these, and messages that say which regions or programmes
are allowed name them from here too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from tracker import formats
from tracker.fields import allowed_names
from tracker.formats import Text
from tracker.locales import DEFAULT, N_
from tracker.models import (
    Country,
    Currency,
    Framework,
    Goal,
    Objective,
    Programme,
    Region,
    Role,
    Theme,
    User,
)
from tracker.places import Place

if TYPE_CHECKING:
    from tracker.services.framework.translations import Names

# Between a code and its name in a selector's option: "1.2 — Terrorist threat awareness".
DASH = " \u2014 "
MAX_LABEL = 90


def programmes_and_regions(*, session: Session) -> tuple[list[Programme], list[Region]]:
    programmes = list(session.exec(select(Programme).order_by(Programme.name)))
    regions = list(session.exec(select(Region).order_by(Region.position)))
    return programmes, regions


def countries_by_region(*, session: Session) -> dict[int, list[Country]]:
    """Each region's countries by name, in one query."""
    by_region: dict[int, list[Country]] = {}
    for country in session.exec(select(Country).order_by(Country.name)):
        by_region.setdefault(country.region_id, []).append(country)
    return by_region


def _countries(session: Session, locale: str) -> dict[int, list[tuple[str, Place]]]:
    """Each region's countries as (code, name said in the page's language), sorted as that
    language sorts their names (Égypte before Éthiopie in French, Tchad under T)."""
    out = {}
    for region_id, countries in countries_by_region(session=session).items():
        named = [(c.code, Place("country", c.code, c.name)) for c in countries]
        out[region_id] = formats.sort_names(
            named, locale=locale, key=lambda item: item[1].in_locale(locale)
        )
    return out


def place_groups(
    *, session: Session, regions: list[Region], locale: str = DEFAULT
) -> list[tuple[str, list]]:
    """Regions, then the countries of each region: the "Where" filter of the project list."""
    countries = _countries(session, locale)
    everywhere = [("global", Text(N_("Global (no place)")))]
    named = [(r.code, Place("region", r.code, r.name)) for r in regions]
    groups = [(Text(N_("Regions")), named + everywhere)]
    groups += [
        (Text(N_("Countries of %(region)s"), region=name), countries.get(r.id, []))
        for r, (_, name) in zip(regions, named, strict=True)
    ]
    return groups


def project_places(*, session: Session, locale: str = DEFAULT) -> list[tuple[str, list]]:
    """Each region as a whole, then its countries: where a project takes place."""
    countries = _countries(session, locale)
    groups = []
    for region in session.exec(select(Region).order_by(Region.position)):
        name = Place("region", region.code, region.name)
        whole = Text(N_("%(region)s (whole region)"), region=name)
        groups.append((name, [(region.code, whole), *countries.get(region.id, [])]))
    return groups


def currency_codes(*, session: Session) -> list[str]:
    return list(session.exec(select(Currency.code).order_by(Currency.code)))


def project_managers(*, session: Session) -> list[User]:
    """Active managers and administrators, who may be named a project's manager."""
    return list(
        session.exec(
            select(User)
            .where(User.active, User.role.in_([Role.manager, Role.admin]))
            .order_by(User.full_name)
        )
    )


def region_names(*, session: Session) -> str:
    """Every region as a refusal names what is allowed: "Africa (AFR), Americas (AME), …"."""
    return allowed_names(session.exec(select(Region.code, Region.name).order_by(Region.position)))


def programme_names(*, session: Session) -> str:
    """Every programme as a refusal names what is allowed: "Counter-terrorism (CT), …"."""
    return allowed_names(
        session.exec(select(Programme.code, Programme.name).order_by(Programme.name))
    )


def option_label(code: str, name: str | None) -> str:
    """A selector's option for a code with its name: "1.2 — Terrorist threat awareness"."""
    name = " ".join((name or "").split())
    if len(name) > MAX_LABEL:
        name = name[: MAX_LABEL - 1].rstrip() + "\u2026"
    return f"{code}{DASH}{name}" if name else code


@dataclass(frozen=True)
class FrameworkOptions:
    """The active framework for selectors, as (code, label) choices: its goals, its objectives
    grouped under their goal (the group's label, its choices), and its themes."""

    goals: list[tuple[str, str]]
    objectives: list[tuple[str, list[tuple[str, str]]]]
    themes: list[tuple[str, str]]


def framework_options(*, session: Session, names: Names | None = None) -> FrameworkOptions:
    """Goals, objectives by goal and themes of the active framework: three queries. With
    `names` (the framework's names in the reader's language), each is named in that language."""

    def named(level: str, code: str, english: str | None) -> str:
        return names.get(level, code, english) if names is not None and english else english

    active = select(Framework.id).where(Framework.active).limit(1).scalar_subquery()
    goals: list[tuple[str, str]] = []
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for goal in session.exec(
        select(Goal).where(Goal.framework_id == active).order_by(Goal.position)
    ):
        label = option_label(goal.code, named("goal", goal.code, goal.short_name))
        goals.append((goal.code, label))
        groups[goal.id] = (label, [])
    for objective in session.exec(
        select(Objective)
        .where(Objective.framework_id == active)
        .order_by(Objective.position, Objective.id)
    ):
        if objective.short_name:
            name = named("objective", objective.code, objective.short_name)
        elif names is not None:
            name = names.statement("objective", objective.code, objective.statement)
        else:
            name = objective.statement
        groups[objective.goal_id][1].append((objective.code, option_label(objective.code, name)))
    themes = [
        (theme.code, option_label(theme.code, named("theme", theme.code, theme.name)))
        for theme in session.exec(
            select(Theme).where(Theme.framework_id == active).order_by(Theme.position)
        )
    ]
    return FrameworkOptions(goals, [g for g in groups.values() if g[1]], themes)
