"""Reference data: countries in regions, programmes, SDGs, currencies."""

from __future__ import annotations

import pycountry
from sqlmodel import func, select

from tracker.db import session_scope
from tracker.models import SDG, Country, Currency, Programme, Region
from tracker.services.reference import load_reference_data


def test_reference_data_is_complete_and_idempotent(engine):
    with session_scope(engine) as session:
        first = load_reference_data(session=session)
    with session_scope(engine) as session:
        second = load_reference_data(session=session)
        regions = dict(session.exec(select(Region.code, Region.name)).all())
        per_region = dict(
            session.exec(
                select(Region.code, func.count(Country.id)).join(Country).group_by(Region.code)
            ).all()
        )
        countries = set(session.exec(select(Country.code)).all())
        programmes = sorted(session.exec(select(Programme.name)).all())
        sdgs = dict(session.exec(select(SDG.number, SDG.name)).all())
        eur = session.get(Currency, "EUR")
    assert first.created["country"] == len(pycountry.countries)
    assert not second.changed
    assert regions == {
        "AFR": "Africa",
        "AME": "Americas",
        "ASP": "Asia and South Pacific",
        "EUR": "Europe",
        "MENA": "Middle East and North Africa",
    }
    assert countries == {c.alpha_2 for c in pycountry.countries}
    assert sum(per_region.values()) == len(countries)
    assert all(per_region[code] >= 14 for code in regions)
    assert programmes == [
        "Counter-Terrorism",
        "Cybercrime",
        "Financial Crime and Anti-Corruption",
        "Organized and Emerging Crime",
    ]
    assert sorted(sdgs) == list(range(1, 18))
    assert sdgs[16] == "Peace, Justice and Strong Institutions"
    assert eur.rate_to_reporting == 1


def test_a_stored_rate_is_not_overwritten(engine):
    with session_scope(engine) as session:
        load_reference_data(session=session)
        session.get(Currency, "USD").rate_to_reporting = 0.5
    with session_scope(engine) as session:
        load_reference_data(session=session)
        assert float(session.get(Currency, "USD").rate_to_reporting) == 0.5


def test_well_known_countries_are_in_the_right_region(engine):
    with session_scope(engine) as session:
        load_reference_data(session=session)
        region_of = dict(session.exec(select(Country.code, Region.code).join(Region)).all())
    expected = {
        "NO": "EUR",
        "KE": "AFR",
        "BR": "AME",
        "JP": "ASP",
        "EG": "MENA",
        "US": "AME",
        "TR": "EUR",
    }
    assert {c: region_of[c] for c in expected} == expected
