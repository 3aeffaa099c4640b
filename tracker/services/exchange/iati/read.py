"""Importing IATI activity files (versions 2.01 to 2.03): each activity becomes a project, is
counted in another (a publisher's hierarchy, imported at one level), or is reported with the
reason it cannot be; nothing is dropped in silence, and hostile XML is refused.

The report sorts the activities into those that will be imported, those that will be imported
with notes (what was changed or left out), and those that cannot be, with reasons; and shows the
publisher's hierarchy. The import is all or none, unless the caller chooses to skip the
activities that cannot be imported.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree as SafeElementTree
from sqlmodel import Session

from tracker.config import Settings
from tracker.formats import Text
from tracker.kept_text import keep
from tracker.locales import N_
from tracker.services.accounts.permissions import Principal
from tracker.services.exchange.files import MAX_ROWS, FileRefused, check_size, printable
from tracker.services.exchange.iati import hierarchy
from tracker.services.exchange.iati.activity import Activity, read_activity
from tracker.services.exchange.iati.codes import VERSIONS
from tracker.services.exchange.iati.plan import Context, plan_unit
from tracker.services.exchange.plans import Catalogue, ProjectPlan
from tracker.services.exchange.spreadsheet.read import Progress
from tracker.services.exchange.writer import write_plans


@dataclass
class IatiReport:
    activities: int = 0
    version: str | None = None
    creates: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    unmapped: list[dict] = field(default_factory=list)  # cannot: {"activity", "reason"}
    notes: list[dict] = field(default_factory=list)  # {"activity", "note"}
    # Activities that are not projects of their own (counted in another): {"activity", "note"}
    grouped: list[dict] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # of the activities to import
    # {"levels", "default_level", "level", "tree"} when the file has a hierarchy
    hierarchy: dict | None = None
    refused: str | None = None
    committed: bool = False
    skipped: int = 0  # activities that cannot be imported, left out of the import

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.unmapped

    @property
    def importable(self) -> bool:
        return self.refused is None and bool(self.creates or self.updates)

    def committable(self, skip_invalid: bool) -> bool:
        """All can be imported; or, skipping those that cannot, some can."""
        return self.ok or (skip_invalid and self.importable)

    def public(self) -> dict:
        return {
            "activities": self.activities,
            "version": self.version,
            "creates": self.creates,
            "updates": self.updates,
            "unmapped": self.unmapped,
            "notes": self.notes,
            "grouped": self.grouped,
            "titles": self.titles,
            "hierarchy": self.hierarchy,
            # The messages above as Texts, in the same order, for pages to say them.
            "unmapped_texts": [keep(u["reason"]) for u in self.unmapped],
            "note_texts": [keep(n["note"]) for n in self.notes],
            "grouped_texts": [keep(g["note"]) for g in self.grouped],
            "refused": str(self.refused) if self.refused is not None else None,
            "refused_text": keep(self.refused),
            "committed": self.committed,
            "skipped": self.skipped,
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
                Text(
                    N_(
                        "the file declares external entities, which would read files or "
                        "addresses outside it; it is refused"
                    )
                )
            ) from None
        raise FileRefused(
            Text(
                N_(
                    "the file declares XML entities, which can expand a small file into "
                    'gigabytes ("billion laughs"); it is refused'
                )
            )
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise FileRefused(
            Text(N_("the file refers to external entities or files; it is refused"))
        ) from None
    except defusedxml.DTDForbidden:
        raise FileRefused(
            Text(N_("the file carries a document type definition; it is refused"))
        ) from None
    except ElementTree.ParseError as exc:
        raise FileRefused(Text(N_("the file is not valid XML: %(why)s"), why=str(exc))) from None
    if root.tag != "iati-activities":
        raise FileRefused(
            Text(
                N_(
                    "the file is XML but not IATI activities: its root is <%(root)s>, not "
                    "<iati-activities>"
                ),
                root=printable(root.tag, 40),
            )
        )
    version = (root.get("version") or "").strip()
    if version and version not in VERSIONS:
        old = version.startswith("1.")
        raise FileRefused(
            f"the file is IATI version {printable(version, 20)}; the tracker reads versions "
            f"{VERSIONS[0]} to {VERSIONS[-1]}"
            + (
                " (version 1 files are shaped differently: text outside narratives, letters "
                "for codes); ask its publisher for the file in version 2"
                if old
                else ""
            )
        )
    return root


def inspect_file(*, content: bytes, settings: Settings) -> None:
    """The whole file parsed once, before an upload is kept: FileRefused for XML that is not
    IATI activities, or is hostile (entities, external references)."""
    parse_xml(content, settings)


def check_file(
    *,
    session: Session,
    content: bytes,
    programme: str,
    principal: Principal,
    settings: Settings,
    progress: Progress | None = None,
    level: int | None = None,
) -> tuple[IatiReport, list[ProjectPlan], Catalogue | None]:
    """Read and check every activity of a file, its hierarchy cut at `level` (None: the
    lowest level that carries budgets); nothing is written."""
    try:
        root = parse_xml(content, settings)
    except FileRefused as exc:
        return IatiReport(refused=exc.args[0] if exc.args else str(exc)), [], None
    elements = root.findall("iati-activity")
    if len(elements) > MAX_ROWS:
        message = Text(N_("the file has more than %(most)s activities; split it"), most=MAX_ROWS)
        return IatiReport(refused=message), [], None
    report = IatiReport(activities=len(elements), version=root.get("version") or None)
    activities = _activities(elements, report)
    forest = hierarchy.build(activities, level)
    if level is not None and level not in forest.levels:
        shown = ", ".join(str(n) for n in forest.levels)
        report.refused = Text(
            N_("the file has no activities at level %(level)s; its levels are %(levels)s"),
            level=level,
            levels=shown,
        )
        return report, [], None
    refs = [r for a in activities for r in (a.identifier, *a.parents, *a.children)]
    context = Context.load(session, programme=programme, principal=principal, refs=refs)
    plans: list[ProjectPlan] = []
    done = 0
    for node, within in forest.units():
        plan = plan_unit(session, node, within, context)
        if isinstance(plan, str):
            report.unmapped.append({"activity": printable(node.identifier, 60), "reason": plan})
        else:
            plans.append(plan)
            (report.updates if plan.existing else report.creates).append(plan.code)
            report.titles[plan.code] = printable(plan.values["title"], 120)
            report.notes += [{"activity": plan.code, "note": note} for note in plan.notes]
        done += 1 + len(within)
        if progress:
            progress(min(done, len(elements)), len(elements))
    _report_hierarchy(forest, report)
    if progress:
        progress(len(elements), len(elements))
    return report, plans, context.catalogue


def _activities(elements, report: IatiReport) -> list[Activity]:
    """Each activity of the file read, once per identifier; those without one, or with one
    seen before, reported."""
    activities, seen = [], set()
    for n, element in enumerate(elements, start=1):
        activity = read_activity(element, n)
        label = printable(activity.identifier or f"activity {n}", 60)
        if not activity.identifier:
            reason = Text(N_("it has no iati-identifier"))
            report.unmapped.append({"activity": label, "reason": reason})
        elif activity.identifier in seen:
            report.unmapped.append(
                {
                    "activity": label,
                    "reason": Text(N_("the same iati-identifier appears twice in the file")),
                }
            )
        else:
            seen.add(activity.identifier)
            activities.append(activity)
    return activities


def _report_hierarchy(forest: hierarchy.Forest, report: IatiReport) -> None:
    """The activities counted in others, and the tree where the file has a hierarchy."""
    for node in sorted(forest.nodes.values(), key=lambda n: n.activity.number):
        if node.outcome != hierarchy.IMPORTED:
            note = hierarchy.outcome_note(node, forest.level)
            report.grouped.append({"activity": printable(node.identifier, 60), "note": note})
    if forest.linked:
        cannot = {u["activity"]: u["reason"] for u in report.unmapped}
        report.hierarchy = {
            "levels": forest.levels,
            "default_level": forest.default_level,
            "level": forest.level,
            "tree": hierarchy.tree(forest, cannot, {n["activity"] for n in report.notes}),
        }


def import_iati(
    *,
    session: Session,
    content: bytes,
    programme: str,
    principal: Principal,
    settings: Settings,
    commit: bool,
    progress: Progress | None = None,
    level: int | None = None,
    skip_invalid: bool = False,
) -> IatiReport:
    """Check a file; with commit, write its activities in the caller's transaction (the
    caller commits): all of them when every one can be imported, or with `skip_invalid`
    those that can. The web app's imports write in batches instead."""
    report, plans, catalogue = check_file(
        session=session,
        content=content,
        programme=programme,
        principal=principal,
        settings=settings,
        progress=progress,
        level=level,
    )
    if commit and report.committable(skip_invalid):
        write_plans(session=session, plans=plans, principal=principal, catalogue=catalogue)
        report.committed = True
        report.skipped = len(report.unmapped)
    return report
