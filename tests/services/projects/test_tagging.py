"""Tagging a project: replacing its tags whole (the API's PUT) adds, changes and removes, each
in the audit trail; someone outside the project's programme may change none of them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests import factories
from tracker.db import session_scope
from tracker.models import AuditEvent, Objective, ObjectiveTag, Project, ThemeTag, User
from tracker.services.accounts.permissions import Principal
from tracker.services.errors import NotAllowed
from tracker.services.projects.tagging import TagChange, remove_tag, replace_tags, set_tag


def _tagged(engine) -> str:
    with session_scope(engine) as session:
        project = factories.project(session)
        factories.objective_tag(session, project, "4.1", significance=2)
        factories.objective_tag(session, project, "4.2", significance=1)
        factories.theme_tag(session, project, "III", significance=1)
        return project.code


def _project(session, code) -> Project:
    return session.exec(select(Project).where(Project.code == code)).one()


def test_replacing_tags_adds_changes_and_removes_each_with_its_event(framework):
    code = _tagged(framework)
    with session_scope(framework) as session:
        project = _project(session, code)
        replace_tags(
            session=session,
            project=project,
            objectives=[
                TagChange("objective", "4.1", "significant", "40"),
                TagChange("objective", "7.6", "principal", "60"),
            ],
            themes=[],
            expected_version=project.version,
            principal=factories.ADMIN,
        )
    with Session(framework) as session:
        project = _project(session, code)
        objectives = session.exec(
            select(Objective.code, ObjectiveTag.significance, ObjectiveTag.budget_share)
            .join(Objective, Objective.id == ObjectiveTag.objective_id)
            .where(ObjectiveTag.project_id == project.id)
        ).all()
        assert sorted((c, s, str(b)) for c, s, b in objectives) == [
            ("4.1", 1, "40.00"),
            ("7.6", 2, "60.00"),
        ]
        assert session.exec(select(ThemeTag).where(ThemeTag.project_id == project.id)).all() == []
        events = session.exec(
            select(AuditEvent.action, AuditEvent.entity_key)
            .where(AuditEvent.project_id == project.id, AuditEvent.entity_type != "project")
            .order_by(AuditEvent.id)
        ).all()
    assert sorted(events) == sorted(
        [
            ("retag", f"{code} 4.1"),
            ("tag", f"{code} 7.6"),
            ("untag", f"{code} 4.2"),
            ("untag", f"{code} III"),
        ]
    )


@pytest.mark.parametrize("change", ["set", "remove", "replace"])
def test_a_manager_of_another_programme_changes_no_tag(framework, change):
    code = _tagged(framework)
    with session_scope(framework) as session:
        other = factories.user(session, role="manager", programmes=["CT"])
        outsider = Principal(
            user=session.get(User, other.id),
            programme_ids=frozenset({factories.programme(session, "CT").id}),
            via="session",
        )
    with session_scope(framework) as session:
        project = _project(session, code)
        version = project.version
        calls = {
            "set": lambda: set_tag(
                session=session,
                project=project,
                change=TagChange("objective", "7.6"),
                expected_version=version,
                principal=outsider,
            ),
            "remove": lambda: remove_tag(
                session=session,
                project=project,
                kind="objective",
                code="4.1",
                expected_version=version,
                principal=outsider,
            ),
            "replace": lambda: replace_tags(
                session=session,
                project=project,
                objectives=[],
                themes=[],
                expected_version=version,
                principal=outsider,
            ),
        }
        with pytest.raises(NotAllowed) as refused:
            calls[change]()
    assert "it is not in your programmes" in refused.value.message
    with Session(framework) as session:
        project = _project(session, code)
        assert project.version == version
        tags = session.exec(select(ObjectiveTag).where(ObjectiveTag.project_id == project.id))
        assert len(tags.all()) == 2
