"""The audit trail: append-only, correct before and after, readable sentences."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from tests.names import PROGRAMMES
from tracker.db import session_scope
from tracker.models import AuditEvent
from tracker.services.accounts import users
from tracker.services.audit.describe import describe, list_events
from tracker.services.errors import InputError


def _events(engine, **filters):
    with session_scope(engine) as session:
        return list_events(session=session, **filters).events


def test_user_changes_are_recorded_with_before_and_after(framework, accounts):
    with session_scope(framework) as session:
        admin = users.get_user(session=session, user_id=accounts["admin"].id)
        users.update_user(
            session=session,
            user_id=accounts["viewer"].id,
            full_name="Viewer",
            role="manager",
            programmes=["FCAC", "OEC"],
            active=True,
            actor=admin,
        )
    event = _events(framework, entity_type="user")[0]
    assert (event.action, event.entity_key, event.actor_id) == (
        "update",
        "viewer@example.org",
        admin.id,
    )
    assert event.actor_label == "Admin"
    assert event.before == {"role": "viewer", "programmes": []}
    assert event.after == {"role": "manager", "programmes": ["FCAC", "OEC"]}
    assert describe(event) == (
        "Admin changed viewer@example.org: role from viewer to manager; "
        "programmes from none to FCAC, OEC"
    )


def test_a_refused_change_records_nothing(framework, accounts):
    before = len(_events(framework))
    with pytest.raises(InputError) as caught, session_scope(framework) as session:
        users.update_user(
            session=session,
            user_id=accounts["viewer"].id,
            full_name="Viewer",
            role="manager",
            programmes=["NOPE"],
            active=True,
            actor=None,
        )
    assert caught.value.errors == {"programmes": f"unknown programme NOPE; allowed: {PROGRAMMES}"}
    assert len(_events(framework)) == before


def test_the_last_administrator_cannot_be_demoted(framework, accounts):
    with pytest.raises(InputError) as caught, session_scope(framework) as session:
        users.update_user(
            session=session,
            user_id=accounts["admin"].id,
            full_name="Admin",
            role="viewer",
            programmes=[],
            active=True,
            actor=None,
        )
    assert "last active administrator" in caught.value.errors["role"]


def test_audit_events_are_append_only(framework, accounts):
    with framework.connect() as connection:
        for statement in (
            "UPDATE audit_event SET actor_label = 'someone else'",
            "DELETE FROM audit_event",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()
    with session_scope(framework) as session:
        assert session.exec(select(AuditEvent.actor_label)).first() != "someone else"


def test_filters(framework, accounts):
    with session_scope(framework) as session:
        admin = users.get_user(session=session, user_id=accounts["admin"].id)
        users.end_all_sessions(session=session, user_id=accounts["viewer"].id, actor=admin)
    all_events = _events(framework)
    assert {e.entity_type for e in all_events} == {"user", "framework"}
    assert [e.action for e in _events(framework, actor_id=admin.id)] == ["end_sessions"]
    assert {e.entity_type for e in _events(framework, entity_type="framework")} == {"framework"}
    today = all_events[0].occurred_at.date()
    assert len(_events(framework, date_from=today, date_to=today)) == len(all_events)
    assert _events(framework, date_from=today + timedelta(days=1)) == []
    assert _events(framework, date_to=today - timedelta(days=1)) == []


@pytest.mark.parametrize(
    ("entity_type", "action", "before", "after", "sentence"),
    [
        (
            "objective_tag",
            "tag",
            None,
            {"code": "4.2", "name": "Cooperation against cybercrime", "significance": 2},
            "Ana Costa tagged 4.2 Cooperation against cybercrime as principal",
        ),
        (
            "objective_tag",
            "retag",
            {"code": "4.2", "name": "Cooperation against cybercrime", "significance": 2},
            {"code": "4.2", "name": "Cooperation against cybercrime", "significance": 1},
            "Ana Costa changed the tag 4.2 Cooperation against cybercrime: "
            "from principal to significant",
        ),
        (
            "theme_tag",
            "untag",
            {"code": "I", "name": "Data and information sharing", "significance": 1},
            None,
            "Ana Costa removed the tag theme I Data and information sharing",
        ),
        (
            "project",
            "create",
            None,
            {"title": "Cyber capacity in Kenya"},
            "Ana Costa registered project CYB-1 Cyber capacity in Kenya",
        ),
        ("project", "screen", None, {}, "Ana Costa marked project CYB-1 as screened"),
        (
            "user",
            "create",
            None,
            {"full_name": "Lee", "role": "manager", "programmes": ["CT"]},
            "Ana Costa added Lee (CYB-1) as manager of CT",
        ),
    ],
)
def test_events_read_as_plain_sentences(entity_type, action, before, after, sentence):
    event = AuditEvent(
        actor_label="Ana Costa",
        action=action,
        entity_type=entity_type,
        entity_key="CYB-1",
        before=before,
        after=after,
    )
    assert describe(event) == sentence


def test_a_projects_changed_fields_are_named_in_the_readers_language():
    event = AuditEvent(
        entity_type="project",
        entity_key="CYB-2026-0042",
        action="update",
        actor_label="Ana Costa",
        before={"status": "pipeline", "end_date": "2026-12-31", "budget_amount": "1"},
        after={"status": "active", "end_date": "2027-06-30", "budget_amount": "2"},
    )
    said = describe(event)
    assert said == "Ana Costa changed status, end date, budget of project CYB-2026-0042"
    assert said.in_locale("fr") == (
        "Ana Costa a modifié statut, date de fin, budget du projet CYB-2026-0042"
    )
