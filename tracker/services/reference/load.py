"""Loading reference data: regions with their countries, programmes, SDGs and currencies.

Loading is idempotent: what is missing is added, names follow the seed files, and currency
rates that an administrator has already set are left alone.

Every rate is the value of one unit in the reporting currency (TRACKER_REPORTING_CURRENCY), so
that the reporting currency's own rate is 1. The seed file gives its rates in a currency of its
own (EUR); they are converted as they are loaded. Should the reporting currency change, the
stored rates are converted too, keeping what an administrator set between any two currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pycountry
import yaml
from sqlmodel import Session, select

from tracker.config import PROJECT_ROOT, get_settings
from tracker.formats import Text, listed
from tracker.locales import N_, Nn_
from tracker.models import SDG, Country, Currency, Programme, Region, SDGTarget

REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"


class ReferenceDataError(ValueError):
    pass


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, *, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> Text:
        if not self.changed:
            return Text(N_("Reference data: already up to date."))
        parts = []
        for verb, counts in (
            (N_("added %(things)s"), self.created),
            (N_("updated %(things)s"), self.updated),
        ):
            if counts:
                things = listed(
                    Text.counted(*_COUNTED[kind], n) if kind in _COUNTED else f"{n} {kind}"
                    for kind, n in counts.items()
                )
                parts.append(Text(verb, things=things))
        return Text(N_("Reference data: %(changes)s."), changes=listed(parts, clauses=True))


_COUNTED = {
    "region": Nn_("%(num)s region", "%(num)s regions"),
    "country": Nn_("%(num)s country", "%(num)s countries"),
    "programme": Nn_("%(num)s programme", "%(num)s programmes"),
    "SDG": Nn_("%(num)s SDG", "%(num)s SDGs"),
    "SDG target": Nn_("%(num)s SDG target", "%(num)s SDG targets"),
    "currency": Nn_("%(num)s currency", "%(num)s currencies"),
}


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _upsert(session: Session, report: LoadReport, kind: str, existing, new, **values) -> object:
    """Add `new` when nothing exists, else copy changed values onto `existing`."""
    if existing is None:
        session.add(new)
        report.count(kind, created=True)
        return new
    changed = False
    for name, value in values.items():
        if getattr(existing, name) != value:
            setattr(existing, name, value)
            changed = True
    if changed:
        report.count(kind, created=False)
    return existing


def country_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


def load_reference_data(
    *,
    session: Session,
    directory: Path = REFERENCE_DIR,
    reporting_currency: str | None = None,
) -> LoadReport:
    """Add or update the reference data; rates are made relative to `reporting_currency` (by
    default the settings')."""
    reporting_currency = reporting_currency or get_settings().reporting_currency
    report = LoadReport()
    _load_regions_and_countries(session, report, _read(directory / "regions.yaml"))
    _load_programmes(session, report, _read(directory / "programmes.yaml"))
    _load_sdgs(session, report, _read(directory / "sdgs.yaml"))
    _load_currencies(session, report, _read(directory / "currencies.yaml"), reporting_currency)
    session.flush()
    return report


def _load_regions_and_countries(session: Session, report: LoadReport, data: dict) -> None:
    regions = {r.code: r for r in session.exec(select(Region))}
    countries = {c.code: c for c in session.exec(select(Country))}
    region_of: dict[str, str] = {}
    for position, item in enumerate(data["regions"]):
        region = _upsert(
            session,
            report,
            "region",
            regions.get(item["code"]),
            Region(code=item["code"], name=item["name"], position=position),
            name=item["name"],
            position=position,
        )
        regions[item["code"]] = region
        for code in item["countries"]:
            if code in region_of:
                raise ReferenceDataError(
                    f"regions.yaml: country {code} is in both {region_of[code]} and {item['code']}"
                )
            region_of[code] = item["code"]
    session.flush()

    missing = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in region_of]
    if missing:
        raise ReferenceDataError(f"regions.yaml: no region for {', '.join(sorted(missing))}")
    for entry in pycountry.countries:
        region = regions[region_of[entry.alpha_2]]
        name = country_name(entry)
        _upsert(
            session,
            report,
            "country",
            countries.get(entry.alpha_2),
            Country(code=entry.alpha_2, alpha3=entry.alpha_3, name=name, region_id=region.id),
            alpha3=entry.alpha_3,
            name=name,
            region_id=region.id,
        )


def _load_programmes(session: Session, report: LoadReport, data: dict) -> None:
    existing = {p.code: p for p in session.exec(select(Programme))}
    for item in data["programmes"]:
        _upsert(
            session,
            report,
            "programme",
            existing.get(item["code"]),
            Programme(code=item["code"], name=item["name"]),
            name=item["name"],
        )


def _load_sdgs(session: Session, report: LoadReport, data: dict) -> None:
    """The 17 SDGs and their 169 targets, with their titles in every language of the file."""
    existing = {s.number: s for s in session.exec(select(SDG))}
    targets = {t.code: t for t in session.exec(select(SDGTarget))}
    for item in data["sdg_goals"]:
        titles = item["titles"]
        values = {
            "name": titles["en"]["short"],
            "title": titles["en"]["title"],
            "translations": {lang: t for lang, t in titles.items() if lang != "en"},
        }
        _upsert(
            session,
            report,
            "SDG",
            existing.get(item["number"]),
            SDG(number=item["number"], **values),
            **values,
        )
    session.flush()
    position = 0
    for item in data["sdg_goals"]:
        for target in item["targets"]:
            values = {
                "sdg_number": item["number"],
                "position": position,
                "short_title": target["short"],
                "title": target["titles"]["en"],
                "translations": {lang: t for lang, t in target["titles"].items() if lang != "en"},
            }
            _upsert(
                session,
                report,
                "SDG target",
                targets.get(target["code"]),
                SDGTarget(code=target["code"], **values),
                **values,
            )
            position += 1


def _load_currencies(session: Session, report: LoadReport, data: dict, reporting: str) -> None:
    existing = {c.code: c for c in session.exec(select(Currency))}
    as_of = data["as_of"] if isinstance(data["as_of"], date) else date.fromisoformat(data["as_of"])
    _rebase_stored_rates(report, existing, reporting)
    seed_rates = {item["code"]: Decimal(str(item["rate"])) for item in data["currencies"]}
    unit = _seed_unit(data, seed_rates, existing, reporting)
    for item in data["currencies"]:
        # Only the name follows the file; a stored rate is the administrator's to change.
        _upsert(
            session,
            report,
            "currency",
            existing.get(item["code"]),
            Currency(
                code=item["code"],
                name=item["name"],
                rate_to_reporting=_rate(seed_rates[item["code"]] * unit),
                as_of=as_of,
            ),
            name=item["name"],
        )


RATE_PLACES = Decimal("0.00000001")  # the rate column's scale


def _rate(value: Decimal) -> Decimal:
    """A rate as the column keeps it, never rounded down to nothing."""
    return max(value.quantize(RATE_PLACES), RATE_PLACES)


def _seed_unit(data: dict, seed_rates: dict, existing: dict, reporting: str) -> Decimal:
    """What one unit of the seed file's own currency is worth in the reporting currency."""
    if reporting in seed_rates:
        return 1 / seed_rates[reporting]
    base = data.get("reporting_currency", "EUR")
    if base in existing:  # the reporting currency was added by hand; the seed's is stored
        return existing[base].rate_to_reporting / seed_rates.get(base, Decimal(1))
    raise ReferenceDataError(
        f"currencies.yaml: no rate for the reporting currency {reporting} "
        f"(TRACKER_REPORTING_CURRENCY); add one, or report in one of "
        f"{', '.join(sorted(seed_rates))}"
    )


def _rebase_stored_rates(report: LoadReport, existing: dict, reporting: str) -> None:
    """Stored rates made relative to the reporting currency when they were relative to another
    (the reporting currency changed): each divided by the reporting currency's stored rate, so
    that what an administrator set between any two currencies stays as it was."""
    own = existing.get(reporting)
    if own is None or own.rate_to_reporting == 1:
        return
    unit = own.rate_to_reporting
    for currency in existing.values():
        currency.rate_to_reporting = _rate(currency.rate_to_reporting / unit)
        report.count("currency", created=False)
    own.rate_to_reporting = Decimal(1)
