"""Reference data: countries in regions, programmes, SDGs, currencies."""

from __future__ import annotations

from decimal import Decimal

import pycountry
import pytest
from sqlmodel import Session, func, select

from tracker.config import get_settings
from tracker.db import session_scope
from tracker.models import SDG, Country, Currency, Programme, Region, SDGTarget
from tracker.services.reference.load import ReferenceDataError, load_reference_data


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
    assert sdgs[16] == "Peace, justice and strong institutions"
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


# Rates are relative to the reporting currency


def _rates(engine, *codes: str) -> dict[str, Decimal]:
    with Session(engine) as session:
        return {code: session.get(Currency, code).rate_to_reporting for code in codes}


def test_a_new_installation_reporting_in_dollars(engine):
    """The seed's euro rates, converted: the dollar's own rate is 1."""
    with session_scope(engine) as session:
        load_reference_data(session=session, reporting_currency="USD")
    assert _rates(engine, "USD", "EUR", "GBP", "JPY") == {
        "USD": Decimal("1"),
        "EUR": Decimal("1.08577633"),  # 1 / 0.9210
        "GBP": Decimal("1.27470141"),  # 1.1740 / 0.9210
        "JPY": Decimal("0.00664495"),  # 0.006120 / 0.9210
    }
    with session_scope(engine) as session:
        assert not load_reference_data(session=session, reporting_currency="USD").changed


def test_changing_the_reporting_currency_keeps_the_rates_between_currencies(engine):
    with session_scope(engine) as session:
        load_reference_data(session=session, reporting_currency="EUR")
        # An administrator's rates: 1 USD = 0.5 EUR, 1 GBP = 2 EUR.
        session.get(Currency, "USD").rate_to_reporting = Decimal("0.5")
        session.get(Currency, "GBP").rate_to_reporting = Decimal("2")
    with session_scope(engine) as session:
        report = load_reference_data(session=session, reporting_currency="USD")
    assert report.updated["currency"] == 11
    assert _rates(engine, "USD", "EUR", "GBP") == {
        "USD": Decimal("1"),
        "EUR": Decimal("2"),
        "GBP": Decimal("4"),
    }
    with session_scope(engine) as session:
        load_reference_data(session=session, reporting_currency="EUR")
    assert _rates(engine, "USD", "EUR", "GBP") == {
        "USD": Decimal("0.5"),
        "EUR": Decimal("1"),
        "GBP": Decimal("2"),
    }


def test_the_reporting_currency_comes_from_the_settings(engine, monkeypatch):
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "GBP")
    get_settings.cache_clear()
    try:
        with session_scope(engine) as session:
            load_reference_data(session=session)
    finally:
        get_settings.cache_clear()
    assert _rates(engine, "GBP", "EUR") == {"GBP": Decimal("1"), "EUR": Decimal("0.85178876")}


def test_a_reporting_currency_without_a_rate_is_named(engine):
    with session_scope(engine) as session, pytest.raises(ReferenceDataError) as refused:
        load_reference_data(session=session, reporting_currency="BRL")
    assert "no rate for the reporting currency BRL" in str(refused.value)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Currency)).one() == 0


# The UN's count of targets per SDG: 169 in all.
TARGETS_PER_SDG = {
    1: 7, 2: 8, 3: 13, 4: 10, 5: 9, 6: 8, 7: 5, 8: 12, 9: 8,
    10: 10, 11: 10, 12: 11, 13: 5, 14: 10, 15: 12, 16: 12, 17: 19,
}  # fmt: skip


def test_every_sdg_target_is_there_in_four_languages(engine):
    with session_scope(engine) as session:
        load_reference_data(session=session)
        targets = session.exec(select(SDGTarget).order_by(SDGTarget.position)).all()
        goals = session.exec(select(SDG).order_by(SDG.number)).all()
    assert len(targets) == 169
    per_sdg = {n: sum(1 for t in targets if t.sdg_number == n) for n in range(1, 18)}
    assert per_sdg == TARGETS_PER_SDG
    for target in targets:
        number, part = target.code.split(".")
        assert int(number) == target.sdg_number and (part.isdigit() or part.isalpha())
        assert target.title and target.short_title and len(target.short_title) <= 80
        assert set(target.translations) == {"fr", "es", "ar"}
        assert all(target.translations.values())
    for goal in goals:
        assert goal.title and set(goal.translations) == {"fr", "es", "ar"}
    by_code = {t.code: t for t in targets}
    assert by_code["16.4"].title.startswith("By 2030, significantly reduce illicit financial")
    assert by_code["16.4"].short_title == "Significantly reduce illicit financial and arms flows"
    assert by_code["16.a"].translations["fr"].startswith("Appuyer")
    # Numbered targets come first, then lettered ones, in the UN's order.
    assert [t.code for t in targets if t.sdg_number == 16][-3:] == ["16.10", "16.a", "16.b"]
