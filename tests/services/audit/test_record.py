"""Writing audit events: one shape for a change, whether one form writes it or an import
writes thousands; nothing written when nothing changed."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from tests import factories
from tests.factories import ADMIN
from tests.files import spreadsheet_csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import AuditEvent, Framework, Goal, Objective, Theme
from tracker.services.audit.record import EventBatch, record_project, record_tag
from tracker.services.exchange.spreadsheet.columns import EXAMPLE, parse_places, parse_tags
from tracker.services.exchange.spreadsheet.read import import_spreadsheet
from tracker.services.projects.edit import (
    LocationInput,
    ProjectInput,
    create_project,
    update_project,
)
from tracker.services.projects.tagging import TagChange, replace_tags, set_tag

COLUMNS = ("actor_id", "actor_label", "action", "entity_type", "entity_key", "project_id")


def _changes(project):
    tag = {"code": "4.1", "significance": 2, "budget_share": Decimal("40.00"), "rationale": None}
    return [
        ("project", (project, None, {"title": "New", "budget_amount": Decimal("10.50")})),
        ("project", (project, {"title": "Old", "donor": "EU"}, {"title": "New", "donor": "EU"})),
        ("project", (project, {"title": "Same"}, {"title": "Same"})),  # nothing changed
        ("project", (project, {"title": "New"}, None)),
        ("tag", (project, "objective", "4.1", None, tag)),
        ("tag", (project, "objective", "4.1", tag, {**tag, "significance": 1})),
        ("tag", (project, "theme", "III", tag, tag)),  # nothing changed
        ("tag", (project, "objective", "4.1", tag, None)),
    ]


def _events(engine, after_id: int) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
        )
        return [(*(getattr(e, c) for c in COLUMNS), e.before, e.after) for e in rows]


def _last_id(engine) -> int:
    with Session(engine) as session:
        return max(session.exec(select(AuditEvent.id)).all(), default=0)


def test_one_at_a_time_and_in_a_batch_the_events_are_the_same(framework):
    with session_scope(framework) as session:
        project = factories.project(session)
        actor = factories.user(session, role="manager", full_name="Ana Lima")
    first = _last_id(framework)
    with session_scope(framework) as session:
        for kind, arguments in _changes(project):
            if kind == "project":
                p, before, after = arguments
                record_project(session=session, actor=actor, project=p, before=before, after=after)
            else:
                p, k, code, before, after = arguments
                record_tag(
                    session=session,
                    actor=actor,
                    project=p,
                    kind=k,
                    item_code=code,
                    before=before,
                    after=after,
                )
    one_by_one = _events(framework, first)
    second = _last_id(framework)
    with session_scope(framework) as session:
        batch = EventBatch(actor)
        for kind, arguments in _changes(project):
            (batch.project if kind == "project" else batch.tag)(*arguments)
        batch.write(session)
    batched = _events(framework, second)
    assert batched == one_by_one
    assert [e[2] for e in one_by_one] == ["create", "update", "delete", "tag", "retag", "untag"]
    update = one_by_one[1]
    assert (update[-2], update[-1]) == ({"title": "Old"}, {"title": "New"})  # what changed only
    assert one_by_one[0][-1] == {"title": "New", "budget_amount": "10.50"}
    assert one_by_one[4][4] == f"{project.code} 4.1" and one_by_one[0][1] == "Ana Lima"


def test_the_system_signs_what_nobody_did(framework):
    with session_scope(framework) as session:
        project = factories.project(session)
        record_project(session=session, actor=None, project=project, before=None, after={})
    with Session(framework) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "create")).all()
    assert (event.actor_id, event.actor_label) == (None, "System")


# The same changes made through the forms' services and through an import -------------------

SETTINGS = Settings(env="test")
ROW = {**EXAMPLE, "screened": ""}
CHANGED_ROW = {
    **ROW,
    "title": "Renamed",
    "budget_amount": "300000.50",
    "locations": "KE",
    "objectives": "4.2 principal 20",
    "themes": "IV principal",
}
STORED = ("actor_id", "actor_label", "action", "entity_type", "entity_key", "before", "after")


def _stored(session: Session, project_id: int) -> list[tuple]:
    """The project's events as the database holds them, oldest first."""
    session.expire_all()  # read back from the database, not from the objects just written
    events = session.exec(
        select(AuditEvent).where(AuditEvent.project_id == project_id).order_by(AuditEvent.id)
    )
    return [tuple(getattr(e, c) for c in STORED) for e in events]


def _form(row: dict) -> ProjectInput:
    places = [LocationInput(place, pct) for place, pct in parse_places(row["locations"])]
    fields = {k: v for k, v in row.items() if k in ProjectInput.__dataclass_fields__}
    return ProjectInput(**{**fields, "locations": places})


def _tags(kind: str, text: str) -> list[TagChange]:
    return [TagChange(kind, code, word, share) for code, word, share in parse_tags(text)]


def _through_the_forms(engine, *, again: bool) -> tuple[list[tuple], list[tuple]]:
    """Register ROW, tag it, then change it to CHANGED_ROW (and, with `again`, save CHANGED_ROW
    once more), one service call at a time; the events, and nothing kept."""
    with Session(engine) as session:
        project = create_project(session=session, data=_form(ROW), principal=ADMIN)
        for kind in ("objective", "theme"):
            for change in _tags(kind, ROW[f"{kind}s"]):
                set_tag(
                    session=session,
                    project=project,
                    change=change,
                    expected_version=project.version,
                    principal=ADMIN,
                )
        created = _stored(session, project.id)
        for _ in range(2 if again else 1):
            _change(session, project, CHANGED_ROW)
        changed = _stored(session, project.id)[len(created) :]
        session.rollback()
    return created, changed


def _change(session: Session, project, row: dict) -> None:
    """Save `row` in the project form, then its tags as the API's PUT does: what an import of
    the row does to a stored project."""
    update_project(
        session=session,
        project=project,
        data=_form(row),
        expected_version=project.version,
        principal=ADMIN,
    )
    replace_tags(
        session=session,
        project=project,
        objectives=_tags("objective", row["objectives"]),
        themes=_tags("theme", row["themes"]),
        expected_version=project.version,
        principal=ADMIN,
    )


def _through_an_import(engine, rows: list[dict]) -> list[tuple]:
    with session_scope(engine) as session:
        report = import_spreadsheet(
            session=session,
            filename="projects.csv",
            content=spreadsheet_csv(rows),
            principal=ADMIN,
            settings=SETTINGS,
            commit=True,
        )
        assert report.committed, report.public()
    with Session(engine) as session:
        project = factories.project_by_code(session, ROW["code"])
        return _stored(session, project.id)


def test_a_form_and_an_import_store_the_same_events_for_the_same_change(framework):
    form_created, form_changed = _through_the_forms(framework, again=False)
    imported = _through_an_import(framework, [ROW])
    assert imported == form_created
    assert [e[2:5] for e in imported] == [
        ("create", "project", "CYB-2026-0042"),
        ("tag", "objective_tag", "CYB-2026-0042 4.3"),
        ("tag", "objective_tag", "CYB-2026-0042 4.2"),
        ("tag", "theme_tag", "CYB-2026-0042 IV"),
    ]
    assert imported[0][-1]["locations"] == ["KE 60%", "UG 40%"]
    assert imported[0][-1]["budget_amount"] == "250000.00"

    reimported = _through_an_import(framework, [CHANGED_ROW])[len(imported) :]
    assert reimported == form_changed
    update, retag, untag = reimported
    assert update[2] == "update" and set(update[-1]) == {"title", "budget_amount", "locations"}
    assert (update[-2]["locations"], update[-1]["locations"]) == (["KE 60%", "UG 40%"], ["KE"])
    assert (retag[2], retag[-2]["significance"], retag[-1]["significance"]) == ("retag", 1, 2)
    assert (untag[2], untag[4], untag[-1]) == ("untag", "CYB-2026-0042 4.3", None)


def test_saving_a_project_as_it_is_writes_no_event_in_a_form_or_an_import(framework):
    _, form_changed = _through_the_forms(framework, again=True)
    assert [e[2] for e in form_changed] == ["update", "retag", "untag"]  # the second: none
    first = _through_an_import(framework, [CHANGED_ROW])
    assert _through_an_import(framework, [CHANGED_ROW]) == first


def test_tags_of_an_older_framework_go_with_the_same_events_from_a_form_or_an_import(framework):
    """Tags of objectives and themes no longer in the active framework are read by their own
    names when they go."""
    created = _through_an_import(framework, [ROW])
    with session_scope(framework) as session:
        project = factories.project_by_code(session, ROW["code"])
        old = Framework(code="OLD", name="Older framework", version="1")
        session.add(old)
        session.flush()
        goal = Goal(framework_id=old.id, code="9", short_name="Old goal", statement="Old goal.")
        session.add(goal)
        session.flush()
        objective = Objective(
            framework_id=old.id, goal_id=goal.id, code="4.3", statement="Since reworded."
        )
        theme = Theme(framework_id=old.id, code="IV", name="An older theme")
        session.add_all([objective, theme])
        session.flush()
        factories.objective_tag(session, project, objective_id=objective.id, significance=1)
        factories.theme_tag(session, project, theme_id=theme.id, significance=2)
    with Session(framework) as session:
        project = factories.project_by_code(session, ROW["code"])
        _change(session, project, CHANGED_ROW)
        through_the_forms = _stored(session, project.id)[len(created) :]
        session.rollback()
    imported = _through_an_import(framework, [CHANGED_ROW])[len(created) :]
    assert sorted(imported, key=repr) == sorted(through_the_forms, key=repr)
    gone = {(e[3], e[-2]["name"]) for e in imported if e[2] == "untag"}
    assert gone == {
        ("objective_tag", "Since reworded."),
        ("objective_tag", "Cybercrime capabilities"),
        ("theme_tag", "An older theme"),
    }
