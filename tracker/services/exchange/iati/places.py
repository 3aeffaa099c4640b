"""Where an IATI activity's work is: its recipient countries and regions as the tracker's
places (ISO countries, the five INTERPOL regions), with their percentages; regions that name
no place (998, developing countries, unspecified) count as Global; an activity that names no
place takes those of the activities counted in it."""

from __future__ import annotations

from decimal import Decimal

from tracker.formats import Text
from tracker.locales import N_
from tracker.services.exchange.files import printable
from tracker.services.exchange.iati import activity as read
from tracker.services.exchange.iati.codes import DAC_REGIONS, UNSPECIFIED_REGIONS
from tracker.services.exchange.iati.hierarchy import Node
from tracker.services.exchange.plans import Catalogue


def locations(activity: read.Activity, within: list[Node], catalogue: Catalogue, notes: list[str]):
    """[place code, percentage] of the activity; where it names none, those of the activities
    counted in it (in equal parts); or why they cannot be kept."""
    places = _places(activity.element, catalogue, notes)
    if not places and within:
        found: list[str] = []
        for other in within:
            for code, _ in _places(other.activity.element, catalogue, []):
                if code not in found:
                    found.append(code)
        if found:
            notes.append(
                Text(
                    N_(
                        "it names no place; those of the activities counted in it are kept, in "
                        "equal parts"
                    )
                )
            )
        places = [[code, None] for code in found]
    return _percentages(places, notes)


def _places(element, catalogue: Catalogue, notes: list[str]) -> list[list]:
    countries, regions = read.recipients(element)
    known_countries = catalogue.lookups.countries
    known_regions = catalogue.lookups.regions
    places: list[list] = []
    for code, pct in countries:
        if code not in known_countries:
            not_iso = N_("recipient-country %(code)s is not an ISO country; left out")
            notes.append(Text(not_iso, code=printable(code, 10)))
            continue
        places.append([code, pct])
    for vocabulary, code, pct in regions:
        unspecified = UNSPECIFIED_REGIONS.get((vocabulary, code))
        if unspecified:
            alone = not countries and len(regions) == 1
            said = (
                N_("recipient-region %(code)s (%(name)s) names no place: it counts as Global")
                if alone
                else N_(
                    "recipient-region %(code)s (%(name)s) names no place: left out, and its "
                    "other places share the budget"
                )
            )
            notes.append(Text(said, code=code, name=unspecified))
            continue
        region = DAC_REGIONS.get(code) if vocabulary == "1" else None
        if region is None or region not in known_regions:
            notes.append(
                Text(
                    N_(
                        "recipient-region %(code)s (vocabulary %(vocabulary)s) has no INTERPOL "
                        "region; left out"
                    ),
                    code=printable(code, 10),
                    vocabulary=printable(vocabulary, 10),
                )
            )
            continue
        if any(place[0] == region for place in places):
            again = N_("recipient-region %(code)s is %(region)s again; counted once")
            notes.append(Text(again, code=code, region=region))
            continue
        places.append([region, pct])
    return places


def _percentages(places: list[list], notes: list[str]) -> list | str:
    for place, pct in places:
        if pct not in (None, "") and not read.PERCENTAGE.match(pct.strip()):
            return Text(
                N_(
                    'the percentage of %(place)s ("%(value)s") is not a number from 0 to 100 '
                    "written with the digits 0 to 9"
                ),
                place=place,
                value=printable(pct, 20),
            )
    pcts = [Decimal(p) for _, p in places if p not in (None, "")]
    if places and len(pcts) == len(places) and sum(pcts) and sum(pcts) != 100:
        scale = Decimal(100) / sum(pcts)
        rescaled = [(p * scale).quantize(Decimal("0.01")) for p in pcts]
        rescaled[-1] += Decimal(100) - sum(rescaled)
        for place, p in zip(places, rescaled, strict=True):
            place[1] = str(p)
        added = N_("recipient percentages added up to %(total)s; rescaled to 100")
        notes.append(Text(added, total=f"{sum(pcts):g}"))
    elif places and len(pcts) != len(places):
        for place in places:
            place[1] = None  # some without a percentage: split equally
    return places
