"""What an IATI activity becomes: the project it is written as (with what it brings of the
activities counted in it), and every note of what was changed or left out on the way; or the
reason it cannot be imported."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from tracker.formats import Text, listed
from tracker.inputs import bad_character
from tracker.locales import N_, Nn_
from tracker.models import Currency, Project, ProjectRelatedActivity
from tracker.services.accounts.permissions import Principal
from tracker.services.errors import InputError
from tracker.services.exchange.files import printable
from tracker.services.exchange.iati import activity as read
from tracker.services.exchange.iati import places
from tracker.services.exchange.iati.codes import (
    BUDGET_NOT_PROVIDED,
    CHILD,
    OBJECTIVE_VOCABULARY_URI,
    PARENT,
    SDG_GOALS,
    SDG_SECTORS,
    SDG_TARGETS,
    STATUS_FROM_IATI,
)
from tracker.services.exchange.iati.hierarchy import Node
from tracker.services.exchange.plans import (
    MAX_AMOUNT,
    Catalogue,
    KnownCode,
    ProjectPlan,
    TagPlan,
    places_of,
)
from tracker.services.projects import edit as project_edit
from tracker.services.projects.tagging import SIGNIFICANCE
from tracker.services.reference.languages import is_english, language_name

SDG_TARGET = re.compile(r"^[0-9]{1,2}\.[0-9a-z]{1,2}$")
IN_CHUNK = 1_000


@dataclass(frozen=True)
class Context:
    """What every activity of a file is checked against, read once per file."""

    programme: str
    principal: Principal
    catalogue: Catalogue
    rates: dict[str, Decimal]
    # IATI identifier -> the stored projects linked to it: (project code, relation)
    links: dict[str, list[tuple[str, int]]]

    @classmethod
    def load(cls, session: Session, *, programme: str, principal: Principal, refs: list[str]):
        links: dict[str, list[tuple[str, int]]] = {}
        wanted = sorted({r for r in refs if r})
        for start in range(0, len(wanted), IN_CHUNK):
            for ref, code, relation in session.exec(
                select(ProjectRelatedActivity.ref, Project.code, ProjectRelatedActivity.relation)
                .join(Project, Project.id == ProjectRelatedActivity.project_id)
                .where(ProjectRelatedActivity.ref.in_(wanted[start : start + IN_CHUNK]))
            ):
                links.setdefault(ref, []).append((code, relation))
        return cls(
            programme=programme,
            principal=principal,
            catalogue=Catalogue.load(session, codes=wanted),
            rates={c.code: c.rate_to_reporting for c in session.exec(select(Currency))},
            links=links,
        )


def plan_unit(session: Session, node: Node, within: list[Node], context: Context):
    """The project an activity becomes, with the activities counted in it; or why it cannot."""
    activity = node.activity
    notes: list[str] = list(activity.notes)
    status = STATUS_FROM_IATI.get(_status_code(activity))
    if status is None:
        return Text(
            N_('its activity-status "%(value)s" is not one of 1 to 6'),
            value=printable(_status_code(activity), 20),
        )
    for other in within:
        notes += [
            Text(N_("%(activity)s: %(note)s"), activity=other.identifier, note=note)
            for note in other.activity.notes
        ]
    budget = _budget(activity, within, context, notes)
    locations = places.locations(activity, within, context.catalogue, notes)
    texts = _texts(activity)
    for reason in (budget, locations, texts, _counted_elsewhere(node, within, context)):
        if isinstance(reason, str):
            return reason
    existing, allowed = context.catalogue.stored(activity.identifier, context.principal)
    if not allowed:
        return Text(N_("you cannot change projects of its programme"))
    valid = _validated(session, node, within, context, status, budget, locations, texts)
    if isinstance(valid, str):
        return valid
    objectives, sdgs = _tags(activity, within, context, notes)
    title, summary, _ = texts
    _language_notes(title, summary, notes)
    values = {
        **valid.values,
        "title_language": title.language if title.text else None,
        "summary_language": summary.language if summary.text else None,
        "iati_hierarchy": activity.level,
    }
    return ProjectPlan(
        label=printable(activity.identifier, 40),
        values=values,
        locations=valid.locations,
        places=places_of(context.catalogue.lookups, valid.locations),
        objectives=objectives or None,  # none in the file: the project's tags stay as they are
        themes=None,
        sdgs=sdgs,
        existing=existing,
        notes=notes,
        sectors=_sectors(activity, within, notes),
        related=_related(node),
    )


def _validated(session, node: Node, within, context: Context, status, budget, locations, texts):
    """The project's fields checked as the project form checks them; or why they cannot be."""
    identifier = node.identifier
    title, summary, donor = texts
    start, end = _dates(node.activity, within)
    data = project_edit.ProjectInput(
        code=identifier,
        title=title.text or identifier,
        summary=summary.text,
        kind="capacity_building",
        status=status,
        start_date=start,
        end_date=end,
        budget_amount=budget[0],
        budget_currency=budget[1] or "",
        donor=donor.text,
        programme=context.programme,
        locations=[project_edit.LocationInput(code, pct) for code, pct in locations],
    )
    try:
        return project_edit.validate_project(
            session=session,
            data=data,
            principal=context.principal,
            current=KnownCode(identifier),
            lookups=context.catalogue.lookups,
        )
    except InputError as exc:
        return listed(
            [
                Text(N_("%(field)s: %(problem)s"), field=field, problem=message)
                for field, message in exc.errors.items()
            ],
            clauses=True,
        )


def _status_code(activity: read.Activity) -> str:
    element = activity.element.find("activity-status")
    return (element.get("code") or "").strip() if element is not None else ""


def _dates(activity: read.Activity, within: list[Node]):
    """Start (actual, else planned) and end (actual, else planned); where the activity gives
    none, the earliest start and latest end of the activities counted in it."""
    own = read.dates(activity.element)
    start, end = own.get("2") or own.get("1"), own.get("4") or own.get("3")
    others = [read.dates(n.activity.element) for n in within]
    starts = [d.get("2") or d.get("1") for d in others]
    ends = [d.get("4") or d.get("3") for d in others]
    if not start and any(starts):
        start = min(s for s in starts if s)
    if not end and any(ends):
        end = max(e for e in ends if e)
    return start, end


# Money ------------------------------------------------------------------------------------


def _figures(totals: dict[str, Decimal]) -> str:
    return " and ".join(read.money_text(v, c) for c, v in sorted(totals.items()))


CONTROL_IN = {
    "title": N_("its title holds control characters (such as a NUL byte)"),
    "summary": N_("its summary holds control characters (such as a NUL byte)"),
    "donor": N_("its donor holds control characters (such as a NUL byte)"),
}
LANGUAGE_NAMES = {"fr": N_("French"), "es": N_("Spanish"), "ar": N_("Arabic")}


def _budget(activity: read.Activity, within: list[Node], context: Context, notes: list[str]):
    """(amount, currency) the project keeps, or (None, None); or why it cannot be kept."""
    money = activity.money
    problems = list(money.problems)
    for other in within:
        problems += [
            Text(
                N_("child activity %(activity)s: %(problem)s"),
                activity=other.identifier,
                problem=p,
            )
            for p in other.activity.money.problems
        ]
    if problems:
        return listed(problems, clauses=True)
    funded = [n for n in within if n.activity.money.source]
    if money.not_provided and not funded:
        reason = BUDGET_NOT_PROVIDED.get(money.not_provided)
        why = f"{money.not_provided}: {reason}" if reason else printable(money.not_provided, 10)
        if money.unused_lines:
            notes.append(
                Text(
                    N_(
                        "the publisher gives no budget (budget-not-provided %(why)s); its "
                        "commitments (%(lines)s) are not taken for one"
                    ),
                    why=why,
                    lines=str(money.unused_lines),
                )
            )
        else:
            notes.append(
                Text(N_("the publisher gives no budget (budget-not-provided %(why)s)"), why=why)
            )
        return None, None
    if money.ignored_not_provided:
        notes.append(
            Text(
                N_("it says budget-not-provided (%(code)s) but has budget lines; they are read"),
                code=printable(money.ignored_not_provided, 10),
            )
        )
    totals, words = _totals(money, funded, notes)
    if not totals:
        return None, None
    amount = _in_one_currency(totals, context, notes)
    if isinstance(amount, str):
        return amount
    value, currency = amount
    figures = _figures(totals)
    if value <= 0:
        notes.append(
            Text(
                N_("%(total)s; imported without a budget"),
                total=Text(words, figures=figures, count=len(funded)),
            )
        )
        return None, None
    if money.source == "commitments" or (funded and not money.source):
        notes.append(
            Text(
                N_("%(total)s, which is kept as its budget"),
                total=Text(words, figures=figures, count=len(funded)),
            )
        )
    elif money.negative_lines:
        notes.append(
            Text(
                N_(
                    "its budget lines include negative ones (%(lines)s), which reduce its "
                    "budget to %(amount)s"
                ),
                lines=", ".join(money.negative_lines),
                amount=read.money_text(value, currency),
            )
        )
    if value > MAX_AMOUNT:
        return Text(
            N_("its budget adds up to %(amount)s %(currency)s; at most %(most)s is kept"),
            amount=f"{value:,}",
            currency=currency,
            most=f"{MAX_AMOUNT:,}",
        )
    return value, currency


def _totals(money: read.Money, funded: list[Node], notes: list[str]):
    """The money the project keeps, per currency, and how the report says where it is from:
    its own (budget lines, else commitments), else the sum of the activities counted in it."""
    if money.source:
        if funded:
            notes.append(
                Text.counted(
                    *Nn_(
                        "its own budget is kept; the budgets of the %(num)s activity counted in "
                        "it are part of it, not added to it",
                        "its own budget is kept; the budgets of the %(num)s activities counted in "
                        "it are part of it, not added to it",
                    ),
                    len(funded),
                )
            )
        if money.source == "commitments":
            return money.totals, N_("its commitments (transaction type 2) add up to %(figures)s")
        return money.totals, N_("its budget lines add up to %(figures)s")
    totals: dict[str, Decimal] = {}
    for other in funded:
        for currency, amount in other.activity.money.totals.items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    if len(funded) == 1:
        return totals, N_("it has no budget of its own; the activity counted in it has %(figures)s")
    return (
        totals,
        N_(
            "it has no budget of its own; the %(count)s activities counted in it add up to "
            "%(figures)s"
        ),
    )


def _in_one_currency(totals: dict[str, Decimal], context: Context, notes: list[str]):
    """(amount, currency): the one currency's, or the sum converted to EUR."""
    rates = context.rates
    unknown = [c for c in totals if c not in rates]
    if unknown:
        shown = ", ".join(printable(c, 10) for c in unknown)
        return Text(
            N_("its budget is in %(currencies)s, a currency the tracker has no rate for"),
            currencies=shown,
        )
    if len(totals) == 1:
        currency, amount = next(iter(totals.items()))
        return amount.quantize(Decimal("0.01")), currency
    amount = sum(v * rates[c] / rates["EUR"] for c, v in totals.items()).quantize(Decimal("0.01"))
    notes.append(
        Text(
            N_("budgets in %(currencies)s were converted and added up as %(amount)s EUR"),
            currencies=", ".join(sorted(totals)),
            amount=f"{amount:,}",
        )
    )
    return amount, "EUR"


# Texts ------------------------------------------------------------------------------------


def _texts(activity: read.Activity):
    """Title, summary and donor, each with its language; or why they cannot be kept."""
    title, summary, donor = activity.title, read.description(activity), read.donor(activity)
    summary = read.Text(summary.text[:5000], summary.language)
    if summary.text == title.text:
        # A description that repeats the title (as exports of projects without a summary
        # must, IATI wanting one) is no summary.
        summary = read.NO_TEXT
    for name, text in (("title", title), ("summary", summary), ("donor", donor)):
        if bad_character(text.text, allow_line_breaks=True):
            return Text(CONTROL_IN[name])
    return title, summary, donor


def _language_notes(title: read.Text, summary: read.Text, notes: list[str]) -> None:
    for name, text in (("title", title), ("summary", summary)):
        if text.text and text.language and not is_english(text.language):
            code = text.language.lower()
            if code in LANGUAGE_NAMES:
                what = Text(LANGUAGE_NAMES[code])
            else:
                what = language_name(text.language) or f'the language "{text.language}"'
            message = (
                N_("its title has no English text; the one in %(language)s is kept")
                if name == "title"
                else N_("its summary has no English text; the one in %(language)s is kept")
            )
            notes.append(Text(message, language=what))


# Sectors, tags, links ----------------------------------------------------------------------


def _sectors(activity: read.Activity, within: list[Node], notes: list[str]):
    """DAC sectors with their percentages; where the activity has none, those of the
    activities counted in it (without percentages)."""
    own = read.sectors(activity.element, notes)
    if own or not within:
        return [(code, Decimal(pct) if pct else None) for code, pct in own]
    found: list[str] = []
    for other in within:
        for code, _ in read.sectors(other.activity.element, []):
            if code not in found:
                found.append(code)
    if found:
        notes.append("it names no sector; those of the activities counted in it are kept")
    return [(code, None) for code in found]


def _tags(activity: read.Activity, within: list[Node], context: Context, notes: list[str]):
    """Objective tags (vocabulary 99, the tracker's own) of the activity; SDG tags (2 and 3,
    or SDGs given as sectors of vocabulary 7 and 8) of the activity and of those counted in
    it."""
    objectives: dict[str, TagPlan] = {}
    sdgs: list[tuple[int, str]] = []
    known = context.catalogue.objectives
    for element in [activity.element] + [n.activity.element for n in within]:
        own = element is activity.element
        as_sectors = [s for s in element.findall("sector") if s.get("vocabulary") in SDG_SECTORS]
        for tag in element.findall("tag") + as_sectors:
            vocabulary, code = tag.get("vocabulary"), (tag.get("code") or "").strip()
            if tag.tag == "sector":
                vocabulary = SDG_SECTORS[vocabulary]
            if vocabulary == SDG_GOALS:
                if code.isascii() and code.isdigit() and len(code) <= 2 and 1 <= int(code) <= 17:
                    sdgs.append((2, code))
                elif own:
                    notes.append(f"SDG {printable(code, 10)} is not a goal from 1 to 17; left out")
            elif vocabulary == SDG_TARGETS:
                if SDG_TARGET.match(code):
                    sdgs.append((3, code))
                elif own:
                    notes.append(f"SDG target {printable(code, 10)} is not a target; left out")
            elif (
                own and vocabulary == "99" and tag.get("vocabulary-uri") == OBJECTIVE_VOCABULARY_URI
            ):
                if code not in known:
                    notes.append(
                        f"objective {printable(code, 10)} is not in the framework; left out"
                    )
                elif code in objectives:
                    notes.append(f"objective {code} is tagged twice; counted once")
                else:
                    words = read.narrative(tag, activity).text.lower()
                    significance = "principal" if "principal" in words else "significant"
                    objectives[code] = TagPlan(known[code], SIGNIFICANCE[significance], None)
    return list(objectives.values()), list(dict.fromkeys(sdgs))


def _related(node: Node) -> list[tuple[int, str, str | None]]:
    """The activities of its hierarchy the project is linked to: its parent (from the file,
    or named by related-activity) and its children."""
    activity = node.activity
    out: list[tuple[int, str, str | None]] = []
    parents = [node.parent] if node.parent is not None else []
    for parent in parents:
        out.append((PARENT, parent.identifier, parent.activity.title.text[:200] or None))
    for ref in activity.parents:
        if not any(r == ref for _, r, _ in out):
            out.append((PARENT, ref, None))
    for child in node.children:
        out.append((CHILD, child.identifier, child.activity.title.text[:200] or None))
    for ref in activity.children:
        if not any(r == ref for _, r, _ in out):
            out.append((CHILD, ref, None))
    return [(relation, ref[:200], title) for relation, ref, title in out]


def _counted_elsewhere(node: Node, within: list[Node], context: Context) -> str | None:
    """Why importing the activity would count work twice, with projects already stored: a
    project is its parent or its child, or counts it (or one counted in it) already."""
    code = node.identifier
    existing = context.catalogue.existing
    for other, relation in context.links.get(code, []):
        if other == code:
            continue
        if relation == PARENT:
            return (
                f"its child activity {other} is a project already; importing it too would count "
                "that work and its money twice (import the file at the level of that project)"
            )
        return (
            f"it is counted in project {other} already, which brings its child activities together"
        )
    for other in within:
        if other.identifier in existing:
            return (
                f"the activity {other.identifier} counted in it is a project already; importing "
                "it too would count that work and its money twice (import the file at the level "
                "of that project)"
            )
    parents = ([node.parent.identifier] if node.parent else []) + node.activity.parents
    for ref in parents:
        if ref in existing and ref != code:
            return f"its parent activity {ref} is a project already, which counts its work"
    for ref in node.activity.children:
        if ref in existing and ref != code:
            return (
                f"its child activity {ref} is a project already; importing it too would count "
                "that work and its money twice"
            )
    return None
