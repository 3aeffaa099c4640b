"""Importing IATI 2.03 activity files: each activity becomes a project, or is reported with the
reason it cannot be; nothing is dropped in silence, and hostile XML is refused."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import defusedxml
import defusedxml.ElementTree as SafeElementTree
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import Currency, Objective, Project, ProjectSDGTag
from tracker.services import project_edit, tagging
from tracker.services.coverage.filters import active_framework_id
from tracker.services.errors import InputError
from tracker.services.iati_format import (
    DAC_REGIONS,
    OBJECTIVE_VOCABULARY_URI,
    SDG_GOALS,
    SDG_TARGETS,
    STATUS_FROM_IATI,
)
from tracker.services.imports.files import FileRefused, check_size
from tracker.services.imports.spreadsheet import Progress
from tracker.services.permissions import Principal

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class ActivityPlan:
    identifier: str
    data: project_edit.ProjectInput
    objectives: list[tagging.TagChange]
    sdgs: list[tuple[int, str]]
    notes: list[str]
    existing: Project | None


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
            f"the file is XML but not IATI activities: its root is <{root.tag}>, "
            "not <iati-activities>"
        )
    return root


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
        try:
            amount = Decimal(value.text.strip())
        except InvalidOperation:
            problems.append(f'budget value "{value.text.strip()[:20]}" is not a number')
            continue
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
    lookups: project_edit.Lookups
    rates: dict[str, Decimal]
    objectives: frozenset[str]
    existing: dict[str, Project]


def _context(session: Session, programme: str, principal: Principal, identifiers: list[str]):
    fid = active_framework_id(session)
    return _Context(
        programme=programme,
        principal=principal,
        lookups=project_edit.Lookups.load(session),
        rates={c.code: c.rate_to_reporting for c in session.exec(select(Currency))},
        objectives=frozenset(
            session.exec(select(Objective.code).where(Objective.framework_id == fid))
        ),
        existing={
            p.code: p for p in session.exec(select(Project).where(Project.code.in_(identifiers)))
        },
    )


def _plan(session: Session, activity, context: _Context) -> ActivityPlan | str:
    """The project an activity becomes, or the reason it cannot become one."""
    identifier = (activity.findtext("iati-identifier") or "").strip()
    if not identifier:
        return "it has no iati-identifier"
    default_lang = activity.get(XML_LANG, "en")
    notes: list[str] = []
    title = _narrative(activity.find("title"), default_lang)
    descriptions = activity.findall("description")
    general = next(
        (d for d in descriptions if d.get("type", "1") == "1"),
        descriptions[0] if descriptions else None,
    )
    status_code = (
        activity.find("activity-status").get("code")
        if activity.find("activity-status") is not None
        else ""
    )
    status = STATUS_FROM_IATI.get(status_code)
    if status is None:
        return f'its activity-status "{status_code}" is not one of 1 to 6'
    dates = {d.get("type"): d.get("iso-date") for d in activity.findall("activity-date")}
    start = dates.get("2") or dates.get("1")
    end = dates.get("4") or dates.get("3")

    totals, problems = _budget(activity, activity.get("default-currency"))
    if problems:
        return "; ".join(problems)
    known_currencies = context.rates
    unknown = [c for c in totals if c not in known_currencies]
    if unknown:
        return f"its budget is in {', '.join(unknown)}, a currency the tracker has no rate for"
    amount, currency = None, None
    if len(totals) == 1:
        currency, amount = next(iter(totals.items()))
    elif totals:
        currency = "EUR"
        amount = sum(
            v * known_currencies[c] / known_currencies["EUR"] for c, v in totals.items()
        ).quantize(Decimal("0.01"))
        notes.append(
            "budgets in "
            + ", ".join(sorted(totals))
            + f" were converted and added up as {amount} EUR"
        )

    locations, countries, regions = [], context.lookups.countries, context.lookups.regions
    for element in activity.findall("recipient-country"):
        code = (element.get("code") or "").upper()
        if code not in countries:
            notes.append(f"recipient-country {code} is not an ISO country; left out")
            continue
        locations.append([code, element.get("percentage")])
    for element in activity.findall("recipient-region"):
        code, vocabulary = element.get("code", ""), element.get("vocabulary", "1")
        region = DAC_REGIONS.get(code) if vocabulary == "1" else None
        if region is None or region not in regions:
            notes.append(
                f"recipient-region {code} (vocabulary {vocabulary}) "
                "has no INTERPOL region; left out"
            )
            continue
        if any(loc[0] == region for loc in locations):
            notes.append(f"recipient-region {code} is {region} again; counted once")
            continue
        locations.append([region, element.get("percentage")])
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

    objectives, sdgs = [], []
    for tag in activity.findall("tag"):
        vocabulary, code = tag.get("vocabulary"), (tag.get("code") or "").strip()
        if vocabulary == SDG_GOALS and code.isdigit() and 1 <= int(code) <= 17:
            sdgs.append((2, code))
        elif vocabulary == SDG_TARGETS and code:
            sdgs.append((3, code))
        elif vocabulary == "99" and tag.get("vocabulary-uri") == OBJECTIVE_VOCABULARY_URI:
            if code in context.objectives:
                words = _narrative(tag, default_lang).lower()
                objectives.append(
                    tagging.TagChange(
                        "objective", code, "principal" if "principal" in words else "significant"
                    )
                )
            else:
                notes.append(f"objective {code} is not in the framework; left out")
    existing = context.existing.get(identifier)
    data = project_edit.ProjectInput(
        code=identifier,
        title=title or identifier,
        summary=_narrative(general, default_lang)[:5000],
        kind="capacity_building",
        status=status,
        start_date=start,
        end_date=end,
        budget_amount=amount,
        budget_currency=currency or "",
        donor=_narrative(activity.find("participating-org[@role='1']"), default_lang),
        programme=context.programme,
        locations=[project_edit.LocationInput(code, pct) for code, pct in locations],
    )
    try:
        project_edit.validate_project(
            session=session,
            data=data,
            principal=context.principal,
            current=existing,
            lookups=context.lookups,
        )
    except InputError as exc:
        return "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
    return ActivityPlan(identifier, data, objectives, sdgs, notes, existing)


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
    try:
        root = parse_xml(content, settings)
    except FileRefused as exc:
        return IatiReport(refused=str(exc))
    activities = root.findall("iati-activity")
    report = IatiReport(activities=len(activities))
    identifiers = [(a.findtext("iati-identifier") or "").strip() for a in activities]
    context = _context(session, programme, principal, identifiers)
    plans: list[ActivityPlan] = []
    seen: set[str] = set()
    for n, activity in enumerate(activities, start=1):
        plan = _plan(session, activity, context)
        label = (activity.findtext("iati-identifier") or f"activity {n}").strip()
        if isinstance(plan, str):
            report.unmapped.append({"activity": label, "reason": plan})
        elif plan.identifier in seen:
            report.unmapped.append(
                {"activity": label, "reason": "the same iati-identifier appears twice in the file"}
            )
        else:
            seen.add(plan.identifier)
            plans.append(plan)
            (report.updates if plan.existing else report.creates).append(plan.identifier)
            report.notes += [{"activity": plan.identifier, "note": note} for note in plan.notes]
        if progress:
            progress(n, len(activities))
    if commit and report.ok:
        for plan in plans:
            _apply(session, plan, context)
        report.committed = True
    return report


def _apply(session: Session, plan: ActivityPlan, context: _Context) -> None:
    principal, lookups = context.principal, context.lookups
    if plan.existing is None:
        project = project_edit.create_project(
            session=session, data=plan.data, principal=principal, lookups=lookups
        )
    else:
        project = plan.existing
        project_edit.update_project(
            session=session,
            project=project,
            data=plan.data,
            expected_version=project.version,
            principal=principal,
            lookups=lookups,
        )
    if plan.objectives:
        tagging.replace_tags(
            session=session,
            project=project,
            objectives=plan.objectives,
            themes=[],
            expected_version=project.version,
            principal=principal,
        )
    stored = {
        (t.vocabulary, t.code): t
        for t in session.exec(select(ProjectSDGTag).where(ProjectSDGTag.project_id == project.id))
    }
    for vocabulary, code in plan.sdgs:
        if (vocabulary, code) not in stored:
            session.add(ProjectSDGTag(project_id=project.id, vocabulary=vocabulary, code=code))
    for key, tag in stored.items():
        if key not in set(plan.sdgs):
            session.delete(tag)
    session.flush()
