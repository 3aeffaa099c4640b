"""Writing checked projects many at a time, in the caller's transaction.

Every row of a file was checked before (`spreadsheet.check_rows`, `iati.plan_activities`), so
this module only writes: the stored projects a batch changes are read (and on PostgreSQL
locked) in one query, their places and tags in one query each, and everything is written in a
few statements of many rows, with the same audit events the forms write. A project that someone
changed (or registered) after the file was checked is not overwritten: the batch stops with
WriteConflict, naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from tracker.formats import Text
from tracker.locales import N_
from tracker.models import (
    Country,
    Objective,
    ObjectiveTag,
    Project,
    ProjectLocation,
    ProjectRelatedActivity,
    ProjectSDGTag,
    ProjectSector,
    Region,
    Theme,
    ThemeTag,
)
from tracker.models._base import utcnow
from tracker.said import Moment
from tracker.services.accounts.permissions import Principal
from tracker.services.audit.record import EventBatch, place_label, project_state, tag_state
from tracker.services.coverage.cube.sync import note_created
from tracker.services.exchange.plans import Catalogue, Item, ProjectPlan, TagPlan
from tracker.services.projects.edit import last_change
from tracker.services.projects.tagging import item_name
from tracker.services.rows import insert_rows, next_ids

TAGS = {
    "objective": (ObjectiveTag, ObjectiveTag.objective_id, Objective),
    "theme": (ThemeTag, ThemeTag.theme_id, Theme),
}
IN_CHUNK = 1_000  # ids in one IN (...) list
INSERT_ROWS = 1_000  # new projects in one INSERT statement (SQLite)


class WriteConflict(RuntimeError):
    """Stored data changed between the check and this write; nothing of the batch is kept."""


def write_plans(
    *, session: Session, plans: list[ProjectPlan], principal: Principal, catalogue: Catalogue
) -> None:
    """Write every plan in the caller's transaction; the caller commits or rolls back."""
    if not plans:
        return
    now = utcnow()
    stored = _stored_projects(session, plans)
    ids = sorted(stored)
    before = _snapshots(session, stored, catalogue)
    tags = {kind: _stored_tags(session, kind, ids, catalogue) for kind in TAGS}
    sdgs = _stored_sdgs(session, ids, plans)
    titles = _clear_iati_rows(session, plans)
    # Places of changed projects go first (this is also where the coverage cube notes what
    # they brought before), then come back with the new ones below.
    for chunk in _chunks(ids):
        session.execute(delete(ProjectLocation).where(ProjectLocation.project_id.in_(chunk)))

    # Changed projects on the session, as the forms change them; new ones as rows, with their
    # ids known before the tags and places that name them.
    changed = [(p, _project(p, stored[p.existing.id], principal, now)) for p in plans if p.existing]
    created = _create_projects(session, [p for p in plans if not p.existing], principal, now)
    projects = changed + created
    session.flush()

    # New places and tags go in as rows, many at once (tracker.services.rows):
    # the flush above has let the coverage cube note what the changed projects brought
    # before, and the cube reads what they bring now at the commit.
    rows: dict[type, list[dict]] = {ProjectLocation: [], ObjectiveTag: [], ThemeTag: []}
    events = EventBatch(principal.user, now)
    for plan, project in projects:
        rows[ProjectLocation] += [
            {
                "project_id": project.id,
                "country_id": country_id,
                "region_id": region_id,
                "percentage": pct,
            }
            for country_id, region_id, pct in plan.locations
        ]
        events.project(project, before.get(project.id), _snapshot_of(plan, project, catalogue))
        for kind in TAGS:
            wanted = plan.objectives if kind == "objective" else plan.themes
            if wanted is not None:
                _replace_tags(
                    session, events, kind, project, wanted, tags[kind].get(project.id, {}), rows
                )
        if plan.sdgs is not None:
            _replace_sdgs(session, project, plan.sdgs, sdgs.get(project.id, {}))
        _add_iati_rows(session, plan, project, titles)
    session.flush()
    for model, new in rows.items():
        insert_rows(session, model.__table__, new)
    events.write(session)


def _chunks(ids: list[int]):
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _stored_projects(session: Session, plans: list[ProjectPlan]) -> dict[int, Project]:
    """The projects the plans change, locked on PostgreSQL until the commit, as they are now;
    WriteConflict if any changed since the check, or a new code was taken meanwhile."""
    wanted = {p.existing.id: p for p in plans if p.existing}
    stored: dict[int, Project] = {}
    ids = sorted(wanted)
    for chunk in _chunks(ids):
        statement = (
            select(Project)
            .where(Project.id.in_(chunk))
            .order_by(Project.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        stored.update((p.id, p) for p in session.exec(statement))
    for project_id, plan in wanted.items():
        project = stored.get(project_id)
        if project is None:
            raise WriteConflict(
                Text(
                    N_("%(where)s: project %(code)s was deleted after the file was checked"),
                    where=plan.label,
                    code=plan.code,
                )
            )
        if project.version != plan.existing.version:
            who, when = last_change(session, project.id)
            if when:
                message = N_(
                    "%(where)s: %(who)s changed project %(code)s on %(when)s, after the file "
                    "was checked; it was not overwritten"
                )
            else:
                message = N_(
                    "%(where)s: %(who)s changed project %(code)s after the file was checked; "
                    "it was not overwritten"
                )
            values = {"when": Moment(when)} if when else {}
            raise WriteConflict(
                Text(message, where=plan.label, who=who, code=project.code, **values)
            )
    new_codes = sorted(p.code for p in plans if not p.existing)
    for start in range(0, len(new_codes), IN_CHUNK):
        taken = session.exec(
            select(Project.code).where(Project.code.in_(new_codes[start : start + IN_CHUNK]))
        ).first()
        if taken is not None:
            raise WriteConflict(
                Text(
                    N_(
                        "project %(code)s was registered by someone else after the file was checked"
                    ),
                    code=taken,
                )
            )
    return stored


def _create_projects(
    session: Session, plans: list[ProjectPlan], principal: Principal, now
) -> list[tuple[ProjectPlan, SimpleNamespace]]:
    """Insert the new projects in a few statements; each as the rows after it and its audit
    events need it (an object with the project's columns). The coverage cube is told of them,
    as it is of projects registered one by one."""
    if not plans:
        return []
    blank = {c.name: None for c in Project.__table__.columns if c.name != "id"}
    rows = []
    for plan in plans:
        row = {**blank, **_project(plan, None, principal, now, build=dict)}
        rows.append(row)
    if session.get_bind().dialect.name == "postgresql":
        for row, project_id in zip(
            rows, next_ids(session, Project.__table__, len(rows)), strict=True
        ):
            row["id"] = project_id
        insert_rows(session, Project.__table__, rows)
    else:  # SQLite: one writer at a time; the ids come back with the codes
        table = Project.__table__
        ids: dict[str, int] = {}
        for start in range(0, len(rows), INSERT_ROWS):
            ids.update(
                (code, project_id)
                for project_id, code in session.connection().execute(
                    insert(table).returning(table.c.id, table.c.code),
                    rows[start : start + INSERT_ROWS],
                )
            )
        for row in rows:
            row["id"] = ids[row["code"]]
    note_created(session, [row["id"] for row in rows])
    return [(plan, SimpleNamespace(**row)) for plan, row in zip(plans, rows, strict=True)]


def _project(
    plan: ProjectPlan, project: Project | None, principal: Principal, now, build=Project
) -> Project:
    values = dict(plan.values)
    if project is None:
        if values["manager_id"] is None and principal.is_manager:
            values["manager_id"] = principal.user.id
        project = build(**values, version=1, created_at=now, updated_at=now)
        if build is dict:  # a row of the table
            if plan.screened:
                project["screened_at"] = datetime.combine(plan.screened, time(12), tzinfo=UTC)
            return project
    else:
        for name, value in values.items():
            setattr(project, name, value)
        project.version = plan.existing.version + 1
        project.updated_at = now
    if plan.screened and (
        project.screened_at is None or project.screened_at.date() != plan.screened
    ):
        project.screened_at = datetime.combine(plan.screened, time(12), tzinfo=UTC)
    return project


# Audit -----------------------------------------------------------------------------------


def _snapshots(
    session: Session, stored: dict[int, Project], catalogue: Catalogue
) -> dict[int, dict[str, Any]]:
    """Each stored project as its audit events show it, before the change."""
    places: dict[int, list[str]] = {pid: [] for pid in stored}
    for chunk in _chunks(sorted(stored)):
        for project_id, pct, country, region in session.exec(
            select(
                ProjectLocation.project_id, ProjectLocation.percentage, Country.code, Region.code
            )
            .outerjoin(Country, Country.id == ProjectLocation.country_id)
            .outerjoin(Region, Region.id == ProjectLocation.region_id)
            .where(ProjectLocation.project_id.in_(chunk))
            .order_by(ProjectLocation.id)
        ):
            places[project_id].append(place_label(country or region, pct))
    codes = catalogue.programme_codes
    return {
        pid: project_state(project, programme=codes.get(project.programme_id), places=places[pid])
        for pid, project in stored.items()
    }


def _snapshot_of(plan: ProjectPlan, project: Project, catalogue: Catalogue) -> dict[str, Any]:
    """The project as its audit events show it, once `_project` has given it the plan's
    values."""
    programme = catalogue.programme_codes.get(project.programme_id)
    return project_state(project, programme=programme, places=plan.places)


# Tags ------------------------------------------------------------------------------------


def _stored_tags(
    session: Session, kind: str, ids: list[int], catalogue: Catalogue
) -> dict[int, dict[int, tuple[Any, Item]]]:
    """project id -> item id -> (stored tag, its objective or theme)."""
    model, column, item_model = TAGS[kind]
    known = {
        i.id: i
        for i in (catalogue.objectives if kind == "objective" else catalogue.themes).values()
    }
    out: dict[int, dict[int, tuple[Any, Item]]] = {}
    found = []
    for chunk in _chunks(ids):
        found += session.exec(select(model).where(model.project_id.in_(chunk)))
    # Tags of another framework's items: read their names for the audit log.
    others = sorted({getattr(t, column.key) for t in found} - set(known))
    for chunk in _chunks(others):
        for item in session.exec(select(item_model).where(item_model.id.in_(chunk))):
            known[item.id] = Item(item.id, item.code, item_name(item))
    for tag in found:
        item_id = getattr(tag, column.key)
        out.setdefault(tag.project_id, {})[item_id] = (tag, known[item_id])
    return out


def _payload(item: Item, significance, share, rationale) -> dict[str, Any]:
    return tag_state(
        code=item.code,
        name=item.name,
        significance=significance,
        budget_share=share,
        rationale=rationale,
    )


def _replace_tags(
    session, events: EventBatch, kind, project, wanted: list[TagPlan], stored, rows
) -> None:
    """Make the project's tags of one kind exactly these: new ones as rows to insert (in
    `rows`), changed and removed ones on the session. A tag the file keeps keeps its
    rationale (the spreadsheet has no column for it)."""
    model, column, _ = TAGS[kind]
    stored = dict(stored)
    for plan in wanted:
        tag, _ = stored.pop(plan.item.id, (None, None))
        before = (
            _payload(plan.item, tag.significance, tag.budget_share, tag.rationale)
            if tag is not None
            else None
        )
        rationale = tag.rationale if tag is not None else None
        after = _payload(plan.item, plan.significance, plan.share, rationale)
        if before == after:
            continue
        values = {
            "significance": plan.significance,
            "budget_share": plan.share,
            "rationale": rationale,
            "tagged_by_id": events.actor.id if events.actor else None,
            "tagged_at": events.occurred_at,
        }
        if tag is None:
            rows[model].append({"project_id": project.id, column.key: plan.item.id, **values})
        else:
            for name, value in values.items():
                setattr(tag, name, value)
        events.tag(project, kind, plan.item.code, before, after)
    for tag, item in stored.values():
        events.tag(
            project,
            kind,
            item.code,
            _payload(item, tag.significance, tag.budget_share, tag.rationale),
            None,
        )
        session.delete(tag)


# IATI sectors and related activities ------------------------------------------------------


def _clear_iati_rows(session: Session, plans: list[ProjectPlan]) -> dict[tuple, str]:
    """Sectors and related activities are written again whole for the projects that bring
    them: the stored ones go. A link keeps the title it had when the file names the activity
    without one (as related-activity does: the tracker's own export, a child naming its
    parent): the titles, by (project id, relation, ref)."""
    titles = _related_titles(session, plans)
    for model, attribute in ((ProjectSector, "sectors"), (ProjectRelatedActivity, "related")):
        changed = {p.existing.id for p in plans if p.existing and getattr(p, attribute) is not None}
        for chunk in _chunks(sorted(changed)):
            session.execute(delete(model).where(model.project_id.in_(chunk)))
    return titles


def _add_iati_rows(session: Session, plan: ProjectPlan, project: Project, titles) -> None:
    for code, percentage in plan.sectors or ():
        session.add(ProjectSector(id=None, project_id=project.id, code=code, percentage=percentage))
    for relation, ref, title in plan.related or ():
        title = title or titles.get((project.id, relation, ref))
        session.add(
            ProjectRelatedActivity(
                id=None, project_id=project.id, relation=relation, ref=ref, title=title
            )
        )


def _related_titles(session: Session, plans: list[ProjectPlan]) -> dict[tuple, str]:
    """(project id, relation, ref) -> the title stored for that link, of the projects whose
    links the plans write again."""
    ids = sorted({p.existing.id for p in plans if p.existing and p.related is not None})
    out: dict[tuple, str] = {}
    for chunk in _chunks(ids):
        # Columns, not rows: the rows are deleted next, and must not linger in the session.
        for project_id, relation, ref, title in session.exec(
            select(
                ProjectRelatedActivity.project_id,
                ProjectRelatedActivity.relation,
                ProjectRelatedActivity.ref,
                ProjectRelatedActivity.title,
            ).where(
                ProjectRelatedActivity.project_id.in_(chunk),
                ProjectRelatedActivity.title.is_not(None),
            )
        ):
            out[(project_id, relation, ref)] = title
    return out


def _stored_sdgs(session: Session, ids: list[int], plans: list[ProjectPlan]):
    if not any(p.sdgs is not None for p in plans):
        return {}
    out: dict[int, dict[tuple[int, str], ProjectSDGTag]] = {}
    for chunk in _chunks(ids):
        for tag in session.exec(select(ProjectSDGTag).where(ProjectSDGTag.project_id.in_(chunk))):
            out.setdefault(tag.project_id, {})[(tag.vocabulary, tag.code)] = tag
    return out


def _replace_sdgs(session, project, wanted: list[tuple[int, str]], stored) -> None:
    for vocabulary, code in dict.fromkeys(wanted):
        if (vocabulary, code) not in stored:
            session.add(ProjectSDGTag(project_id=project.id, vocabulary=vocabulary, code=code))
    for key, tag in stored.items():
        if key not in set(wanted):
            session.delete(tag)
