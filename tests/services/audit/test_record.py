"""Writing audit events: one shape for a change, whether one form writes it or an import
writes thousands; nothing written when nothing changed."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from tests import factories
from tracker.db import session_scope
from tracker.models import AuditEvent
from tracker.services.audit.record import EventBatch, record_project, record_tag

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
