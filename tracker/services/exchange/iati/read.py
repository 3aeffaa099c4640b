"""Importing IATI 2.03 activity files: each activity becomes a project, or is reported with the
reason it cannot be; nothing is dropped in silence, and hostile XML is refused."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import defusedxml
import defusedxml.ElementTree as SafeElementTree
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.inputs import bad_character
from tracker.models import Currency
from tracker.services.accounts.permissions import Principal
from tracker.services.errors import InputError
from tracker.services.exchange.files import MAX_ROWS, FileRefused, check_size, printable
from tracker.services.exchange.iati.codes import (
    DAC_REGIONS,
    OBJECTIVE_VOCABULARY_URI,
    SDG_GOALS,
    SDG_TARGETS,
    STATUS_FROM_IATI,
)
from tracker.services.exchange.plans import (
    MAX_AMOUNT,
    Catalogue,
    KnownCode,
    ProjectPlan,
    TagPlan,
    places_of,
)
from tracker.services.exchange.spreadsheet.read import Progress
from tracker.services.exchange.writer import write_plans
from tracker.services.projects import edit as project_edit
from tracker.services.projects.tagging import SIGNIFICANCE

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Numbers as IATI writes them: ASCII digits, a point, no exponent (a superscript two or an
# Arabic-Indic three is not read as a digit).
AMOUNT = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,10})?$")
PERCENTAGE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,10})?$")
SDG_TARGET = re.compile(r"^[0-9]{1,2}\.[0-9a-z]{1,2}$")


@dataclass
class IatiReport:
    activities: int = 0
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    unmapped: list[dict] = field(default_factory=list)  # {"activity", "reason"}
    notes: list[dict] = field(default_factory=list)  # {"activity", "note"}
    refused: str | None = None
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.unmapped

    def public(self) -> dict:
        return {
            "activities": self.activities,
            "creates": self.creates,
            "updates": self.updates,
            "unmapped": self.unmapped,
            "notes": self.notes,
            "refused": self.refused,
            "committed": self.committed,
        }


def parse_xml(content: bytes, settings: Settings) -> ElementTree.Element:
    """Parse without expanding entities or fetching anything: such files are refused."""
    check_size(content, settings)
    try:
        root = SafeElementTree.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden:
        if re.search(rb"<!ENTITY[^>]*\s(SYSTEM|PUBLIC)\s", content):
            raise FileRefused(
                "the file declares external entities, which would read files or addresses "
                "outside it; it is refused"
            ) from None
        raise FileRefused(
            "the file declares XML entities, which can expand a small file into gigabytes "
            '("billion laughs"); it is refused'
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise FileRefused("the file refers to external entities or files; it is refused") from None
    except defusedxml.DTDForbidden:
        raise FileRefused("the file carries a document type definition; it is refused") from None
    except ElementTree.ParseError as exc:
        raise FileRefused(f"the file is not valid XML: {exc}") from None
    if root.tag != "iati-activities":
        raise FileRefused(
            f"the file is XML but not IATI activities: its root is <{printable(root.tag, 40)}>, "
            "not <iati-activities>"
        )
    return root


def inspect_file(*, content: bytes, settings: Settings) -> None:
    """The whole file parsed once, before an upload is kept: FileRefused for XML that is not
    IATI activities, or is hostile (entities, external references)."""
    parse_xml(content, settings)


def _narrative(element: ElementTree.Element | None, default_lang: str) -> str:
    """The English narrative where there are several, else the first."""
    if element is None:
        return ""
    narratives = element.findall("narrative")
    for n in narratives:
        if (n.get(XML_LANG) or default_lang) == "en":
            return (n.text or "").strip()
    return (narratives[0].text or "").strip() if narratives else ""


def _budget(activity, default_currency: str | None) -> tuple[dict[str, Decimal], list[str]]:
    """Budgets summed per currency; a revised budget replaces the original of the same period."""
    problems: list[str] = []
    by_period: dict[tuple[str, str], tuple[str, str, Decimal]] = {}
    for budget in activity.findall("budget"):
        kind = budget.get("type", "1")
        start = (
            budget.find("period-start").get("iso-date")
            if budget.find("period-start") is not None
            else ""
        )
        end = (
            budget.find("period-end").get("iso-date")
            if budget.find("period-end") is not None
            else ""
        )
        value = budget.find("value")
        if value is None or not (value.text or "").strip():
            problems.append(f"a budget for {start} to {end} has no value")
            continue
        currency = value.get("currency") or default_currency
        if not currency:
            problems.append(
                f"the budget for {start} to {end} has no currency "
                "and the activity no default-currency"
            )
            continue
        text = value.text.strip()
        if not AMOUNT.match(text):
            problems.append(
                f'budget value "{printable(text, 20)}" is not a number written with the digits '
                "0 to 9 and a point, such as 250000.50"
            )
            continue
        amount = Decimal(text)
        key, current = (start, end), by_period.get((start, end))
        # A revised budget (type 2) replaces the original (type 1) of the same period.
        if current is None or (kind == "2" and current[0] != "2"):
            by_period[key] = (kind, currency, amount)
        elif kind == current[0] and currency == current[1]:
            by_period[key] = (kind, currency, current[2] + amount)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _, currency, amount in by_period.values():
        totals[currency] += amount
    return dict(totals), problems


@dataclass(frozen=True)
class _Context:
    """What every activity of a file is checked against, read once per file."""

    programme: str
    principal: Principal
    catalogue: Catalogue
    rates: dict[str, Decimal]


def _context(session: Session, programme: str, principal: Principal, identifiers: list[str]):
    return _Context(
        programme=programme,
        principal=principal,
        catalogue=Catalogue.load(session, codes=identifiers),
        rates={c.code: c.rate_to_reporting for c in session.exec(select(Currency))},
    )


def _plan(session: Session, activity, context: _Context) -> ProjectPlan | str:
    """The project an activity becomes, or the reason it cannot become one."""
    identifier = (activity.findtext("iati-identifier") or "").strip()
    if not identifier:
        return "it has no iati-identifier"
    default_lang = activity.get(XML_LANG, "en")
    notes: list[str] = []
    status = _status(activity)
    budget = _amount(activity, context, notes)
    locations = _locations(activity, context, notes)
    texts = _texts(activity, default_lang)
    for reason in (status, budget, locations, texts):
        if isinstance(reason, str):
            return reason
    existing, allowed = context.catalogue.stored(identifier, context.principal)
    if not allowed:
        return "you cannot change projects of its programme"
    dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    title, summary, donor = texts
    data = project_edit.ProjectInput(
        code=identifier,
        title=title or identifier,
        summary=summary,
        kind="capacity_building",
        status=status[0],
        start_date=dates.get("2") or dates.get("1"),
        end_date=dates.get("4") or dates.get("3"),
        budget_amount=budget[0],
        budget_currency=budget[1] or "",
        donor=donor,
        programme=context.programme,
        locations=[project_edit.LocationInput(code, pct) for code, pct in locations],
    )
    try:
        valid = project_edit.validate_project(
            session=session,
            data=data,
            principal=context.principal,
            current=KnownCode(identifier),
            lookups=context.catalogue.lookups,
        )
    except InputError as exc:
        return "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
    objectives, sdgs = _tags(activity, context, default_lang, notes)
    return ProjectPlan(
        label=printable(identifier, 40),
        values=valid.values,
        locations=valid.locations,
        places=places_of(context.catalogue.lookups, valid.locations),
        objectives=objectives or None,  # none in the file: the project's tags stay as they are
        themes=None,
        sdgs=sdgs,
        existing=existing,
        notes=notes,
    )


def _status(activity) -> tuple[str] | str:
    element = activity.find("activity-status")
    code = element.get("code") if element is not None else ""
    status = STATUS_FROM_IATI.get(code)
    if status is None:
        return f'its activity-status "{printable(code or "", 20)}" is not one of 1 to 6'
    return (status,)


def _amount(activity, context: _Context, notes: list[str]) -> tuple | str:
    """(amount, currency) of the activity's budgets, converted to EUR when they are in several
    currencies; or why they cannot be kept."""
    totals, problems = _budget(activity, activity.get("default-currency"))
    if problems:
        return "; ".join(problems)
    rates = context.rates
    unknown = [c for c in totals if c not in rates]
    if unknown:
        shown = ", ".join(printable(c, 10) for c in unknown)
        return f"its budget is in {shown}, a currency the tracker has no rate for"
    amount, currency = None, None
    if len(totals) == 1:
        currency, amount = next(iter(totals.items()))
    elif totals:
        currency = "EUR"
        amount = sum(v * rates[c] / rates["EUR"] for c, v in totals.items()).quantize(
            Decimal("0.01")
        )
        notes.append(
            "budgets in "
            + ", ".join(sorted(totals))
            + f" were converted and added up as {amount} EUR"
        )
    if amount is not None and amount > MAX_AMOUNT:
        return f"its budget adds up to {amount:,} {currency}; at most {MAX_AMOUNT:,} is kept"
    return amount, currency


def _texts(activity, default_lang: str) -> tuple[str, str, str] | str:
    """Title, summary and donor; or why they cannot be kept."""
    descriptions = activity.findall("description")
    general = next(
        (d for d in descriptions if d.get("type", "1") == "1"),
        descriptions[0] if descriptions else None,
    )
    texts = (
        _narrative(activity.find("title"), default_lang),
        _narrative(general, default_lang)[:5000],
        _narrative(activity.find("participating-org[@role='1']"), default_lang),
    )
    for name, text in zip(("title", "summary", "donor"), texts, strict=True):
        if bad_character(text, allow_line_breaks=True):
            return f"its {name} holds control characters (such as a NUL byte)"
    return texts


def _locations(activity, context: _Context, notes: list[str]) -> list | str:
    locations, countries = [], context.catalogue.lookups.countries
    regions = context.catalogue.lookups.regions
    for element in activity.findall("recipient-country"):
        code = (element.get("code") or "").upper()
        if code not in countries:
            notes.append(f"recipient-country {printable(code, 10)} is not an ISO country; left out")
            continue
        locations.append([code, element.get("percentage")])
    for element in activity.findall("recipient-region"):
        code, vocabulary = element.get("code", ""), element.get("vocabulary", "1")
        region = DAC_REGIONS.get(code) if vocabulary == "1" else None
        if region is None or region not in regions:
            notes.append(
                f"recipient-region {printable(code, 10)} (vocabulary {printable(vocabulary, 10)}) "
                "has no INTERPOL region; left out"
            )
            continue
        if any(loc[0] == region for loc in locations):
            notes.append(f"recipient-region {code} is {region} again; counted once")
            continue
        locations.append([region, element.get("percentage")])
    for place, pct in locations:
        if pct not in (None, "") and not PERCENTAGE.match(pct.strip()):
            return (
                f'the percentage of {place} ("{printable(pct, 20)}") is not a number from 0 to '
                "100 written with the digits 0 to 9"
            )
    pcts = [Decimal(p) for _, p in locations if p not in (None, "")]
    if locations and len(pcts) == len(locations) and sum(pcts) and sum(pcts) != 100:
        scale = Decimal(100) / sum(pcts)
        rescaled = [(p * scale).quantize(Decimal("0.01")) for p in pcts]
        rescaled[-1] += Decimal(100) - sum(rescaled)
        for loc, p in zip(locations, rescaled, strict=True):
            loc[1] = str(p)
        notes.append(f"recipient percentages added up to {sum(pcts):g}; rescaled to 100")
    elif locations and len(pcts) != len(locations):
        for loc in locations:
            loc[1] = None  # some without a percentage: split equally
    return locations


def _tags(activity, context: _Context, default_lang: str, notes: list[str]):
    objectives: dict[str, TagPlan] = {}
    sdgs: list[tuple[int, str]] = []
    known = context.catalogue.objectives
    for tag in activity.findall("tag"):
        vocabulary, code = tag.get("vocabulary"), (tag.get("code") or "").strip()
        if vocabulary == SDG_GOALS:
            if code.isascii() and code.isdigit() and len(code) <= 2 and 1 <= int(code) <= 17:
                sdgs.append((2, code))
            else:
                notes.append(f"SDG {printable(code, 10)} is not a goal from 1 to 17; left out")
        elif vocabulary == SDG_TARGETS:
            if SDG_TARGET.match(code):
                sdgs.append((3, code))
            else:
                notes.append(f"SDG target {printable(code, 10)} is not a target; left out")
        elif vocabulary == "99" and tag.get("vocabulary-uri") == OBJECTIVE_VOCABULARY_URI:
            if code not in known:
                notes.append(f"objective {printable(code, 10)} is not in the framework; left out")
            elif code in objectives:
                notes.append(f"objective {code} is tagged twice; counted once")
            else:
                words = _narrative(tag, default_lang).lower()
                significance = "principal" if "principal" in words else "significant"
                objectives[code] = TagPlan(known[code], SIGNIFICANCE[significance], None)
    return list(objectives.values()), list(dict.fromkeys(sdgs))


def check_file(
    *,
    session: Session,
    content: bytes,
    programme: str,
    principal: Principal,
    settings: Settings,
    progress: Progress | None = None,
) -> tuple[IatiReport, list[ProjectPlan], Catalogue | None]:
    """Read and check every activity of a file; nothing is written."""
    try:
        root = parse_xml(content, settings)
    except FileRefused as exc:
        return IatiReport(refused=str(exc)), [], None
    activities = root.findall("iati-activity")
    if len(activities) > MAX_ROWS:
        message = f"the file has more than {MAX_ROWS:,} activities; split it"
        return IatiReport(refused=message), [], None
    report = IatiReport(activities=len(activities))
    identifiers = [(a.findtext("iati-identifier") or "").strip() for a in activities]
    context = _context(session, programme, principal, identifiers)
    plans: list[ProjectPlan] = []
    seen: set[str] = set()
    for n, activity in enumerate(activities, start=1):
        plan = _plan(session, activity, context)
        label = printable((activity.findtext("iati-identifier") or f"activity {n}").strip(), 60)
        if isinstance(plan, str):
            report.unmapped.append({"activity": label, "reason": plan})
        elif plan.code in seen:
            report.unmapped.append(
                {"activity": label, "reason": "the same iati-identifier appears twice in the file"}
            )
        else:
            seen.add(plan.code)
            plans.append(plan)
            (report.updates if plan.existing else report.creates).append(plan.code)
            report.notes += [{"activity": plan.code, "note": note} for note in plan.notes]
        if progress:
            progress(n, len(activities))
    return report, plans, context.catalogue


def import_iati(
    *,
    session: Session,
    content: bytes,
    programme: str,
    principal: Principal,
    settings: Settings,
    commit: bool,
    progress: Progress | None = None,
) -> IatiReport:
    """Check a file; with commit and every activity mapped, write them all in the caller's
    transaction (the caller commits). The web app's imports write in batches instead."""
    report, plans, catalogue = check_file(
        session=session,
        content=content,
        programme=programme,
        principal=principal,
        settings=settings,
        progress=progress,
    )
    if commit and report.ok:
        write_plans(session=session, plans=plans, principal=principal, catalogue=catalogue)
        report.committed = True
    return report
