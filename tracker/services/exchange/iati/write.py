"""Projects as IATI 2.03 activities: objective tags as vocabulary 99, SDG tags as 2 and 3, DAC
sectors as vocabulary 1, the activity's place in its publisher's hierarchy (its level and
related-activity links), and the language of titles and summaries that are not in English."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from lxml import etree
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import (
    Country,
    Objective,
    ObjectiveTag,
    Project,
    ProjectLocation,
    ProjectSDGTag,
    Region,
)
from tracker.models._base import utcnow
from tracker.services.coverage import sdgs
from tracker.services.coverage.filters import active_framework_id
from tracker.services.exchange.chunks import project_chunks
from tracker.services.exchange.iati.codes import (
    DAC_SECTORS_VOCABULARY,
    OBJECTIVE_VOCABULARY_URI,
    REGION_TO_DAC,
    STATUS_TO_IATI,
)
from tracker.services.projects.sectors import related_by_project, sectors_by_project
from tracker.services.reference.languages import is_english

SIGNIFICANCE = {2: "principal", 1: "significant"}


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _narrative(parent, text: str, language: str | None = None) -> None:
    """A narrative in the activity's language (English), or in `language` where that is
    another."""
    attributes = {XML_LANG: language} if language and not is_english(language) else {}
    etree.SubElement(parent, "narrative", attributes).text = text


def export_iati(*, session: Session, settings: Settings, codes: list[str] | None = None) -> bytes:
    """The projects (all, or those with these codes) as one IATI file, in memory: for a
    test, a command or a small export. `iati_chunks` gives the same file piece by piece."""
    return b"".join(iati_chunks(session=session, settings=settings, codes=codes))


def iati_chunks(
    *, session: Session, settings: Settings, codes: list[str] | None = None
) -> Iterator[bytes]:
    """The IATI file of the projects, in pieces of a few hundred activities: the projects,
    their places, tags and sectors are read CHUNK projects at a time, so that an export of
    100,000 projects streams without the file or the portfolio held in memory."""
    generated = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    yield (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        + f'<iati-activities version="2.03" generated-datetime="{generated}">\n'.encode()
    )
    framework_id = active_framework_id(session)
    for projects in project_chunks(session, codes):
        activities = _activities(session, settings, projects, framework_id)
        yield b"".join(
            etree.tostring(activity, encoding="UTF-8", pretty_print=True) for activity in activities
        )
    yield b"</iati-activities>\n"


def iati_file(*, engine, settings: Settings, codes: list[str] | None) -> Iterator[bytes]:
    """`iati_chunks` in a session of its own, for a response that is sent after the request's
    session has closed."""
    with Session(engine) as session:
        yield from iati_chunks(session=session, settings=settings, codes=codes)


def _activities(session: Session, settings: Settings, projects: list[Project], framework_id):
    """The iati-activity elements of these projects."""
    ids = [p.id for p in projects]
    places = defaultdict(list)
    for loc, country, region in session.exec(
        select(ProjectLocation, Country, Region)
        .outerjoin(Country, Country.id == ProjectLocation.country_id)
        .outerjoin(Region, Region.id == ProjectLocation.region_id)
        .where(ProjectLocation.project_id.in_(ids))
        .order_by(ProjectLocation.id)
    ):
        places[loc.project_id].append((country, region, loc.percentage))
    objectives = defaultdict(list)
    goal_sdgs = defaultdict(set)
    for tag, objective in session.exec(
        select(ObjectiveTag, Objective)
        .join(Objective, Objective.id == ObjectiveTag.objective_id)
        .where(ObjectiveTag.project_id.in_(ids))
        .order_by(Objective.goal_id, Objective.position)
    ):
        objectives[tag.project_id].append((objective, tag.significance))
    # The SDGs each budget reaches, as the SDG views count it: tags of vocabulary 2 (SDGs) and
    # 3 (targets), and, since tags carry no percentage, sectors of vocabulary 7 (SDG goals)
    # and 8 (SDG targets) with percentages that add up to 100 in each.
    reached = sdgs.contributions(session, ids, framework_id)
    sdg_sectors: dict[int, list[tuple[str, str, str]]] = {}
    for project_id, items in reached.items():
        by_goal: dict[str, float] = defaultdict(float)
        by_target: dict[str, float] = defaultdict(float)
        for number, target, share in items:
            by_goal[str(number)] += share
            goal_sdgs[project_id].add((2, str(number)))
            if target:
                by_target[target] += share
                goal_sdgs[project_id].add((3, target))
        sdg_sectors[project_id] = [
            ("7", code, pct) for code, pct in sorted(sdgs.percentages(by_goal).items())
        ] + [("8", code, pct) for code, pct in sorted(sdgs.percentages(by_target).items())]
    for tag in session.exec(select(ProjectSDGTag).where(ProjectSDGTag.project_id.in_(ids))):
        goal_sdgs[tag.project_id].add((tag.vocabulary, tag.code))
    sectors = sectors_by_project(session=session, project_ids=ids)
    related = related_by_project(session=session, project_ids=ids)

    activities = []
    for p in projects:
        activity = etree.Element(
            "iati-activity",
            {
                "{http://www.w3.org/XML/1998/namespace}lang": "en",
                "last-updated-datetime": p.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                **({"default-currency": p.budget_currency} if p.budget_currency else {}),
                **({"hierarchy": str(p.iati_hierarchy)} if p.iati_hierarchy else {}),
            },
        )
        etree.SubElement(activity, "iati-identifier").text = p.code
        reporting = etree.SubElement(
            activity,
            "reporting-org",
            ref=settings.iati_reporting_org_ref,
            type=settings.iati_reporting_org_type,
        )
        _narrative(reporting, settings.iati_reporting_org_name)
        _narrative(etree.SubElement(activity, "title"), p.title, p.title_language)
        _narrative(
            etree.SubElement(activity, "description", type="1"),
            p.summary or p.title,
            p.summary_language if p.summary else p.title_language,
        )
        if p.donor:
            _narrative(etree.SubElement(activity, "participating-org", role="1"), p.donor)
        _narrative(
            etree.SubElement(
                activity, "participating-org", role="4", ref=settings.iati_reporting_org_ref
            ),
            settings.iati_reporting_org_name,
        )
        etree.SubElement(activity, "activity-status", code=STATUS_TO_IATI[p.status])
        if p.start_date:
            etree.SubElement(
                activity, "activity-date", {"iso-date": p.start_date.isoformat(), "type": "1"}
            )
        if p.end_date:
            etree.SubElement(
                activity, "activity-date", {"iso-date": p.end_date.isoformat(), "type": "3"}
            )
        if not (p.start_date or p.end_date):
            etree.SubElement(
                activity,
                "activity-date",
                {"iso-date": p.created_at.date().isoformat(), "type": "1"},
            )
        for country, _region, pct in places[p.id]:
            if country is not None:
                attrs = {"code": country.code}
                if pct is not None:
                    attrs["percentage"] = format(pct.normalize(), "f")
                etree.SubElement(activity, "recipient-country", attrs)
        for _country, region, pct in places[p.id]:
            if region is not None:
                attrs = {"code": REGION_TO_DAC[region.code], "vocabulary": "1"}
                if pct is not None:
                    attrs["percentage"] = format(pct.normalize(), "f")
                etree.SubElement(activity, "recipient-region", attrs)
        _sectors(activity, sectors.get(p.id, []))
        for vocabulary, code, percentage in sdg_sectors.get(p.id, []):
            etree.SubElement(
                activity, "sector", vocabulary=vocabulary, code=code, percentage=percentage
            )
        for objective, significance in objectives[p.id]:
            tag = etree.SubElement(
                activity,
                "tag",
                vocabulary="99",
                **{"vocabulary-uri": OBJECTIVE_VOCABULARY_URI},
                code=objective.code,
            )
            _narrative(
                tag,
                f"{objective.code} {objective.short_name or objective.statement} "
                f"({SIGNIFICANCE[significance]})",
            )
        for vocabulary, code in sorted(goal_sdgs[p.id]):
            etree.SubElement(activity, "tag", vocabulary=str(vocabulary), code=code)
        if p.budget_amount is not None:
            _budget(activity, p)
        for link in related.get(p.id, []):
            etree.SubElement(activity, "related-activity", ref=link.ref, type=str(link.relation))
        activities.append(activity)
    return activities


def _budget(activity, p: Project) -> None:
    """The budget over the project's dates. A budget needs a period: without an end, the year
    from its start (or from its registration, without a start)."""
    start = p.start_date or p.created_at.date()
    end = p.end_date or (start + timedelta(days=364))
    budget = etree.SubElement(activity, "budget", type="1", status="1")
    etree.SubElement(budget, "period-start", {"iso-date": start.isoformat()})
    etree.SubElement(budget, "period-end", {"iso-date": max(end, start).isoformat()})
    value = etree.SubElement(
        budget, "value", currency=p.budget_currency, **{"value-date": start.isoformat()}
    )
    value.text = format(p.budget_amount.normalize(), "f")


def _sectors(activity, sectors) -> None:
    """DAC sectors, with their percentages where every one has one."""
    shares = all(s.percentage is not None for s in sectors)
    for sector in sectors:
        attributes = {"vocabulary": DAC_SECTORS_VOCABULARY, "code": sector.code}
        if shares:
            attributes["percentage"] = format(sector.percentage.normalize(), "f")
        etree.SubElement(activity, "sector", attributes)
