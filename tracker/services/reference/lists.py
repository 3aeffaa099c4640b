"""Reference lists for selectors: programmes, regions, countries, currencies and the people who
may manage projects, in display order. Every page's dropdowns are built from these."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.models import Country, Currency, Programme, Region, Role, User


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


def place_groups(*, session: Session, regions: list[Region]) -> list[tuple[str, list]]:
    """Regions, then the countries of each region: the "Where" filter of the project list."""
    countries = countries_by_region(session=session)
    groups = [("Regions", [(r.code, r.name) for r in regions] + [("global", "Global (no place)")])]
    groups += [
        (f"Countries of {r.name}", [(c.code, c.name) for c in countries.get(r.id, [])])
        for r in regions
    ]
    return groups


def project_places(*, session: Session) -> list[tuple[str, list]]:
    """Each region as a whole, then its countries: where a project takes place."""
    countries = countries_by_region(session=session)
    return [
        (
            region.name,
            [(region.code, f"{region.name} (whole region)")]
            + [(c.code, c.name) for c in countries.get(region.id, [])],
        )
        for region in session.exec(select(Region).order_by(Region.position))
    ]


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
