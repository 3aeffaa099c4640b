"""Targets: set for a goal or an objective, maybe per region; changed in place; deleted; each
change in the audit trail; bad values refused naming the field, with nothing stored."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from tests import factories
from tracker.db import session_scope
from tracker.models import AuditEvent, Target
from tracker.services.coverage.targets import delete_target, list_targets, set_target
from tracker.services.errors import InputError, NotFound


def _set(engine, code="4.1", region=None, projects="2", budget=None):
    with session_scope(engine) as session:
        return set_target(
            session=session,
            code=code,
            region_code=region,
            min_active_projects=projects,
            min_budget_eur=budget,
            actor=None,
        )


def _events(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "target").order_by(AuditEvent.id)
        )
        return [(e.action, e.entity_key) for e in rows]


def test_a_target_is_added_changed_in_place_and_deleted_with_each_step_audited(framework):
    added = _set(framework, "4.1", "AFR", projects="2")
    assert (added.level, added.code, added.region_code) == ("objective", "4.1", "AFR")
    assert added.wording == "at least 2 active projects"
    assert added.scope.endswith("in Africa")

    changed = _set(framework, "4.1", "AFR", projects="1", budget="250,000")
    assert changed.id == added.id  # the same scope and region: changed, not added
    assert changed.min_budget_eur == Decimal("250000.00")
    assert changed.wording == "at least 1 active project and at least €250,000 attributed"
    assert changed.public()["min_budget_eur"] == "250000.00"

    goal = _set(framework, "GPG7", None, projects="3")
    with Session(framework) as session:
        assert [v.code for v in list_targets(session=session)] == ["GPG7", "4.1"]

    with session_scope(framework) as session:
        delete_target(session=session, target_id=added.id, actor=None)
    with Session(framework) as session:
        assert [t.id for t in session.exec(select(Target))] == [goal.id]
    assert _events(framework) == [
        ("create", "4.1 in Africa"),
        ("update", "4.1 in Africa"),
        ("create", "GPG7"),
        ("delete", "4.1 in Africa"),
    ]


def test_deleting_a_target_that_is_not_there_is_not_found(framework):
    with session_scope(framework) as session, pytest.raises(NotFound):
        delete_target(session=session, target_id=999_999, actor=None)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "9.9"}, "code", 'unknown goal or objective "9.9"'),
        ({"region": "ATL"}, "region", "ATL"),
        (
            {"projects": "three"},
            "min_active_projects",
            "must be a whole number from 0 to 1,000,000",
        ),
        ({"projects": "-1"}, "min_active_projects", "must be a whole number from 0 to 1,000,000"),
        ({"projects": "2.5"}, "min_active_projects", "written in digits 0-9"),
        ({"projects": "1000001"}, "min_active_projects", "from 0 to 1,000,000"),
        ({"budget": "lots"}, "min_budget_eur", "must be a number from 0 up to (not including)"),
        ({"budget": "1e14"}, "min_budget_eur", "up to (not including) 100,000,000,000,000"),
        ({"budget": "NaN"}, "min_budget_eur", "must be a number from 0"),
        ({"code": ""}, "code", "is required"),
    ],
)
def test_bad_targets_are_refused_naming_the_field_and_store_nothing(
    framework, values, field, message
):
    arguments = {"code": "4.1", "region": None, "projects": "2", "budget": None, **values}
    with pytest.raises(InputError) as refused:
        _set(framework, **arguments)
    assert message in refused.value.errors[field]
    with Session(framework) as session:
        assert session.exec(select(Target)).all() == []
    assert _events(framework) == []


def test_a_target_from_the_factory_reads_back(framework):
    with session_scope(framework) as session:
        factories.target(session, objective="7.6", min_active_projects=1)
    with Session(framework) as session:
        (view,) = list_targets(session=session)
    assert (view.code, view.region_code, view.min_active_projects) == ("7.6", None, 1)
