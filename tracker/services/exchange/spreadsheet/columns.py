"""The columns of the projects spreadsheet, shared by the template, the export and the import.
Their names are the file's contract and stay English; what to write in each is marked for the
catalogues, so that the template's guide is in the reader's language."""

from __future__ import annotations

import re
from decimal import Decimal

from tracker.locales import N_

COLUMNS: dict[str, str] = {
    "code": N_(
        "Required. A unique project code such as CYB-2026-0042. Importing a file again "
        "updates the projects with the same code instead of adding new ones."
    ),
    "title": N_("Required. Up to 200 characters."),
    "summary": N_("What the project does, where and for whom. Up to 5,000 characters."),
    "kind": N_("capacity_building or operation."),
    "status": N_("pipeline, active, completed, suspended or cancelled."),
    "start_date": N_("The start date, as YYYY-MM-DD (2026-03-12)."),
    "end_date": N_("The end date, as YYYY-MM-DD; not before the start date."),
    "budget_amount": N_(
        "The budget as a number, without a currency sign or thousands separators "
        "(250000.50); not negative."
    ),
    "budget_currency": N_("The budget's three-letter currency code, such as EUR or USD."),
    "donor": N_("Who funds the project. Up to 200 characters."),
    "programme": N_("Required. The programme code: CT, CYB, FCAC or OEC."),
    "manager": N_("Optional. The email of the project's manager in the tracker."),
    "locations": N_(
        "Countries (ISO codes such as KE) or whole regions (AFR, AME, ASP, EUR, MENA), "
        "separated by semicolons, each with an optional percentage after a colon: KE:60; UG:40. "
        "Give percentages for all places or for none; they add up to 100. Empty means global."
    ),
    "objectives": N_(
        "Objective tags separated by semicolons: the code, principal or significant, and "
        "an optional budget share in percent: 4.2 principal 60; 4.3 significant. Shares add up to "
        "at most 100."
    ),
    "themes": N_("Cross-cutting theme tags, written the same way: I significant; IV principal 30."),
    "screened": N_(
        "The date the project was screened against the whole framework (YYYY-MM-DD), "
        "or empty if it has not been."
    ),
}
REQUIRED = ("code", "title", "programme")
EXAMPLE = {
    "code": "CYB-2026-0042",
    "title": "Cyber investigation training in Kenya and Uganda",
    "summary": "Trains investigators in digital evidence and cryptocurrency tracing.",
    "kind": "capacity_building",
    "status": "active",
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "budget_amount": "250000",
    "budget_currency": "EUR",
    "donor": "European Union",
    "programme": "CYB",
    "manager": "",
    "locations": "KE:60; UG:40",
    "objectives": "4.3 principal 70; 4.2 significant",
    "themes": "IV principal",
    "screened": "2026-02-01",
}
_TAG = re.compile(
    r"^(?P<code>\S+)\s+(?P<significance>principal|significant)(\s+(?P<share>\S+?)%?)?$", re.I
)


def split_items(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def parse_places(value: str) -> list[tuple[str, str | None]]:
    out = []
    for item in split_items(value):
        place, _, pct = item.partition(":")
        out.append((place.strip().upper(), pct.strip().rstrip("%") or None))
    return out


def parse_tags(value: str) -> list[tuple[str, str, str | None] | str]:
    """(code, significance, share) per tag; the raw text where it cannot be read."""
    out: list[tuple[str, str, str | None] | str] = []
    for item in split_items(value):
        match = _TAG.match(item)
        out.append(
            (match["code"], match["significance"].lower(), match["share"]) if match else item
        )
    return out


def format_places(places: list[tuple[str, Decimal | None]]) -> str:
    return "; ".join(f"{code}:{_plain(pct)}" if pct is not None else code for code, pct in places)


def format_tags(tags: list[tuple[str, int, Decimal | None]]) -> str:
    words = {2: "principal", 1: "significant"}
    return "; ".join(
        f"{code} {words[significance]}" + (f" {_plain(share)}" if share is not None else "")
        for code, significance, share in tags
    )


def _plain(number: Decimal) -> str:
    return format(Decimal(number).normalize(), "f")
