"""One IATI activity as its XML says it, before anything is decided about it: its identifier,
its level and links in the publisher's hierarchy, its texts and their languages, its money
(budget lines netted, or commitments), its places, sectors and tags. Nothing here reads the
database; `plan` decides what the activity becomes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from tracker import formats
from tracker.locales import N_
from tracker.services.exchange.files import printable
from tracker.services.exchange.iati.codes import (
    CHILD,
    COMMITMENT,
    DAC_SECTORS_VOCABULARY,
    PARENT,
    SDG_SECTORS,
)
from tracker.services.reference.dac_sectors import is_sector_code

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Numbers as IATI writes them: ASCII digits, a point, no exponent (a superscript two or an
# Arabic-Indic three is not read as a digit).
AMOUNT = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,10})?$")
PERCENTAGE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,10})?$")
# A language tag as xml:lang holds it: es, nl, en-GB.
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$")
MAX_LEVEL = 9


@dataclass(frozen=True)
class Text:
    text: str
    language: str | None  # an ISO 639 code (es, nl, en-GB); None where the file says none

    @property
    def primary(self) -> str | None:
        return self.language.split("-")[0] if self.language else None


NO_TEXT = Text("", None)


@dataclass
class Money:
    """An activity's money as its file gives it, in each currency."""

    totals: dict[str, Decimal] = field(default_factory=dict)
    source: str = ""  # "budget", "commitments", or "" when it has neither
    not_provided: str | None = None  # the budget-not-provided code
    negative_lines: list[str] = field(default_factory=list)  # "-50,000.00 EUR"
    unused_lines: int = 0  # commitments left aside (budget-not-provided)
    ignored_not_provided: str | None = None  # budget-not-provided beside budget lines
    problems: list[str] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.source) and not self.problems


@dataclass
class Activity:
    """An activity's identity and place in its publisher's hierarchy, read first for every
    activity of a file; the rest is read when the activity is planned."""

    element: ElementTree.Element
    number: int  # its place in the file, from 1
    identifier: str
    level: int  # hierarchy: 1 the top (the default), 2 below it...
    language: str | None  # the activity's xml:lang
    org_language: str | None  # the reporting organisation's narrative's, where given
    parents: list[str]  # related-activity type 1
    children: list[str]  # related-activity type 2
    title: Text
    notes: list[str] = field(default_factory=list)
    _money: Money | None = None

    @property
    def money(self) -> Money:
        if self._money is None:
            self._money = read_money(self.element)
        return self._money


def language_of(value: str | None) -> str | None:
    value = (value or "").strip()
    return value.lower() if value and LANGUAGE.match(value) else None


def read_activity(element: ElementTree.Element, number: int) -> Activity:
    identifier = (element.findtext("iati-identifier") or "").strip()
    language = language_of(element.get(XML_LANG))
    notes: list[str] = []
    if element.get(XML_LANG) and language is None:
        notes.append(
            formats.Text(
                N_(
                    'its xml:lang "%(value)s" is not a language code; the language of its texts '
                    "is not known"
                ),
                value=printable(element.get(XML_LANG), 20),
            )
        )
    org = element.find("reporting-org/narrative")
    org_language = language_of(org.get(XML_LANG)) if org is not None else None
    raw_level = (element.get("hierarchy") or "1").strip()
    level = int(raw_level) if raw_level.isascii() and raw_level.isdigit() else 0
    if not 1 <= level <= MAX_LEVEL:
        notes.append(
            formats.Text(
                N_('its hierarchy "%(value)s" is not a level from 1 to %(most)s; read as 1'),
                value=printable(raw_level, 10),
                most=MAX_LEVEL,
            )
        )
        level = 1
    links: dict[int, list[str]] = {PARENT: [], CHILD: []}
    for related in element.findall("related-activity"):
        kind, ref = (related.get("type") or "").strip(), (related.get("ref") or "").strip()
        if kind in ("1", "2") and ref and ref != identifier and ref not in links[int(kind)]:
            links[int(kind)].append(ref)
    activity = Activity(
        element=element,
        number=number,
        identifier=identifier,
        level=level,
        language=language,
        org_language=org_language,
        parents=links[PARENT],
        children=links[CHILD],
        title=NO_TEXT,
        notes=notes,
    )
    activity.title = narrative(element.find("title"), activity)
    return activity


# Texts ------------------------------------------------------------------------------------


def narrative(element: ElementTree.Element | None, activity: Activity) -> Text:
    """The narrative to keep: English where there is one; else the one in the activity's
    language, else in the reporting organisation's; else the first. A narrative without
    xml:lang is in the activity's language."""
    if element is None:
        return NO_TEXT
    texts = [
        Text(
            (n.text or "").strip(),
            language_of(n.get(XML_LANG)) or (None if n.get(XML_LANG) else activity.language),
        )
        for n in element.findall("narrative")
    ]
    texts = [t for t in texts if t.text]
    if not texts:
        return NO_TEXT
    for wanted in ("en", _primary(activity.language), _primary(activity.org_language)):
        for text in texts:
            if wanted and text.primary == wanted:
                return text
    return texts[0]


def _primary(language: str | None) -> str | None:
    return language.split("-")[0] if language else None


def description(activity: Activity) -> Text:
    """The general description (type 1), else the first."""
    descriptions = activity.element.findall("description")
    general = next(
        (d for d in descriptions if d.get("type", "1") == "1"),
        descriptions[0] if descriptions else None,
    )
    return narrative(general, activity)


def donor(activity: Activity) -> Text:
    return narrative(activity.element.find("participating-org[@role='1']"), activity)


# Money ------------------------------------------------------------------------------------


def money_text(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


# What can be wrong with a budget line's or a commitment's <value>, one sentence each.
_MONEY_PROBLEMS = {
    "budget": {
        "no value": N_("a budget %(when)s has no value"),
        "no currency": N_(
            "the budget %(when)s has no currency and the activity no default-currency"
        ),
        "not a number": N_(
            'budget value "%(value)s" (%(when)s) is not a number written with the digits 0 to 9 '
            "and a point, such as 250000.50"
        ),
    },
    "commitment": {
        "no value": N_("a commitment %(when)s has no value"),
        "no currency": N_(
            "the commitment %(when)s has no currency and the activity no default-currency"
        ),
        "not a number": N_(
            'commitment value "%(value)s" (%(when)s) is not a number written with the digits 0 '
            "to 9 and a point, such as 250000.50"
        ),
    },
}


def _value(value: ElementTree.Element | None, default_currency, noun: str, when, problems):
    """(currency, amount) of a budget's or transaction's <value>, or None with the problem
    noted."""
    said = _MONEY_PROBLEMS[noun]
    if value is None or not (value.text or "").strip():
        problems.append(formats.Text(said["no value"], when=when))
        return None
    currency = (value.get("currency") or default_currency or "").strip().upper()
    if not currency:
        problems.append(formats.Text(said["no currency"], when=when))
        return None
    text = value.text.strip()
    if not AMOUNT.match(text):
        problems.append(formats.Text(said["not a number"], value=printable(text, 20), when=when))
        return None
    return currency, Decimal(text)


def _budget_lines(element: ElementTree.Element, default_currency, problems) -> dict:
    """Budget lines by period: each period's revised lines (type 2) where it has any, else
    its original ones, summed per currency."""
    periods: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: {"1": [], "2": []})
    for budget in element.findall("budget"):
        start = budget.find("period-start")
        end = budget.find("period-end")
        period = (
            start.get("iso-date", "") if start is not None else "",
            end.get("iso-date", "") if end is not None else "",
        )
        when = formats.Text(
            N_("for %(start)s to %(end)s"), start=period[0] or "?", end=period[1] or "?"
        )
        line = _value(budget.find("value"), default_currency, "budget", when, problems)
        if line is not None:
            kind = "2" if budget.get("type", "1").strip() == "2" else "1"
            periods[period][kind].append(line)
    return {period: lines["2"] or lines["1"] for period, lines in periods.items()}


def read_money(element: ElementTree.Element) -> Money:
    """What the activity says of its money: its budget lines netted (a revised line replaces
    the original of its period; a negative line reduces the total), or, where it has none, its
    commitments (transaction type 2); nothing where it has no budget lines and says
    budget-not-provided."""
    default_currency = element.get("default-currency")
    money = Money()
    not_provided = (element.get("budget-not-provided") or "").strip()
    budgets = element.findall("budget")
    commitments = [
        t
        for t in element.findall("transaction")
        if (t.find("transaction-type") is not None)
        and t.find("transaction-type").get("code", "").strip() == COMMITMENT
    ]
    if not_provided and not budgets:
        money.not_provided = not_provided
        money.unused_lines = len(commitments)
        return money
    if not_provided:
        # The attribute is for activities without budget lines: these are read all the same.
        money.ignored_not_provided = not_provided
    totals: dict[str, Decimal] = defaultdict(Decimal)
    if budgets:
        money.source = "budget"
        for lines in _budget_lines(element, default_currency, money.problems).values():
            for currency, amount in lines:
                totals[currency] += amount
                if amount < 0:
                    money.negative_lines.append(money_text(amount, currency))
    elif commitments:
        money.source = "commitments"
        for transaction in commitments:
            day = transaction.find("transaction-date")
            when = (
                formats.Text(N_("of %(day)s"), day=day.get("iso-date", "?"))
                if day is not None
                else formats.Text(N_("without a date"))
            )
            line = _value(
                transaction.find("value"), default_currency, "commitment", when, money.problems
            )
            if line is not None:
                totals[line[0]] += line[1]
    money.totals = dict(totals)
    return money


# Places, sectors, tags ------------------------------------------------------------------------


def recipients(element: ElementTree.Element) -> tuple[list, list]:
    """(country code, percentage) and (vocabulary, region code, percentage) as written."""
    countries = [
        ((c.get("code") or "").strip().upper(), c.get("percentage"))
        for c in element.findall("recipient-country")
    ]
    regions = [
        ((r.get("vocabulary") or "1").strip(), (r.get("code") or "").strip(), r.get("percentage"))
        for r in element.findall("recipient-region")
    ]
    return countries, regions


def sectors(element: ElementTree.Element, notes: list[str]) -> list[tuple[str, str | None]]:
    """DAC CRS purpose codes (vocabulary 1, five digits) with their percentage as written;
    other sectors are noted and left out. Where the activity has none, those of its
    transactions (without percentages)."""
    found: dict[str, str | None] = {}
    own = element.findall("sector")
    on_transactions = not own
    for sector in own or element.findall("transaction/sector"):
        vocabulary = (sector.get("vocabulary") or DAC_SECTORS_VOCABULARY).strip()
        code = (sector.get("code") or "").strip()
        if vocabulary in SDG_SECTORS:
            continue  # SDGs: read with the SDG tags
        if vocabulary != DAC_SECTORS_VOCABULARY:
            notes.append(
                formats.Text(
                    N_(
                        "sector %(code)s (vocabulary %(vocabulary)s) is not a DAC purpose code "
                        "of five digits; left out"
                    ),
                    code=printable(code, 12),
                    vocabulary=printable(vocabulary, 10),
                )
            )
        elif not is_sector_code(code):
            notes.append(
                formats.Text(
                    N_("sector %(code)s is not a DAC code of five digits; left out"),
                    code=printable(code, 12),
                )
            )
        elif code in found:
            twice = N_("sector %(code)s is given twice; counted once")
            notes.append(formats.Text(twice, code=code))
        else:
            found[code] = None if on_transactions else sector.get("percentage")
    percentages = list(found.values())
    if any(p is not None and not is_percentage(p) for p in percentages) or (
        None in percentages and any(p is not None for p in percentages)
    ):
        if any(p is not None for p in percentages):
            wrong = N_("sector percentages are incomplete or not numbers from 0 to 100; left out")
            notes.append(formats.Text(wrong))
        return [(code, None) for code in found]
    return [(code, pct.strip() if pct else None) for code, pct in found.items()]


def is_percentage(text: str) -> bool:
    text = text.strip()
    return bool(PERCENTAGE.match(text)) and Decimal(text) <= 100


def dates(element: ElementTree.Element) -> dict[str, str]:
    return {d.get("type"): d.get("iso-date") for d in element.findall("activity-date")}
