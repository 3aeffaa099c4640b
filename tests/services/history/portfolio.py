"""A portfolio with a known history: projects registered, tagged, retagged, untagged and
completed on chosen days, through the services, as people would."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlmodel import select

from tests import factories
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.digests.content import Scope, take_snapshot
from tracker.services.projects.edit import create_project, form_input, update_project
from tracker.services.projects.params import ProjectCreate
from tracker.services.projects.tagging import TagChange, remove_tag, set_tag


def at(day: str, hour: int = 12):
    return time_machine.travel(
        datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC), tick=False
    )


def _register(session, code, programme, start, end, budget, places):
    return create_project(
        session=session,
        data=ProjectCreate.model_validate(
            {
                "code": code,
                "title": f"Project {code}",
                "status": "active",
                "start_date": start,
                "end_date": end,
                "budget_amount": budget,
                "budget_currency": "EUR",
                "programme": programme,
                "locations": places,
            }
        ),
        principal=factories.ADMIN,
    )


def _tag(session, code, objective, significance, kind="objective"):
    project = session.exec(select(Project).where(Project.code == code)).one()
    set_tag(
        session=session,
        project=project,
        change=TagChange(kind, objective, significance),
        expected_version=project.version,
        principal=factories.ADMIN,
    )


def _untag(session, code, objective):
    project = session.exec(select(Project).where(Project.code == code)).one()
    remove_tag(
        session=session,
        project=project,
        kind="objective",
        code=objective,
        expected_version=project.version,
        principal=factories.ADMIN,
    )


def _complete(session, code):
    project = session.exec(select(Project).where(Project.code == code)).one()
    data = form_input(project, session)
    data.status = "completed"
    update_project(
        session=session,
        project=project,
        data=data,
        expected_version=project.version,
        principal=factories.ADMIN,
    )


SNAPSHOT_WEEK = date(2025, 10, 6)  # a Monday: the snapshot holds the end of 5 October


def build(engine) -> None:
    """P1 (Cybercrime, Kenya) from 3 March 2025; P2 (Counter-Terrorism, France and Kenya)
    from 2 June 2025, completed on 1 December 2025; P3 (Cybercrime, Africa) registered on
    1 September 2025 but started on 1 January 2024. A snapshot is taken, live, on the morning of
    6 October 2025."""
    with at("2025-03-03"), session_scope(engine) as session:
        _register(session, "P1", "CYB", "2025-01-01", "2027-12-31", "100000", [{"place": "KE"}])
        _tag(session, "P1", "4.1", "principal")
    with at("2025-06-02"), session_scope(engine) as session:
        _register(
            session,
            "P2",
            "CT",
            "2025-06-01",
            "2026-12-31",
            "200000",
            [{"place": "FR", "percentage": 50}, {"place": "KE", "percentage": 50}],
        )
        _tag(session, "P2", "1.1", "principal")
        _tag(session, "P2", "4.2", "significant")
    with at("2025-09-01"), session_scope(engine) as session:
        _register(session, "P3", "CYB", "2024-01-01", "2026-12-31", "50000", [{"place": "AFR"}])
        _tag(session, "P3", "4.1", "principal")
        _tag(session, "P1", "4.1", "significant")
        _tag(session, "P1", "7.1", "principal")
    with at("2025-10-06", hour=0), session_scope(engine) as session:
        take_snapshot(session=session, scope=Scope(), week=SNAPSHOT_WEEK)
    with at("2025-10-06", hour=9), session_scope(engine) as session:
        _tag(session, "P2", "4.3", "significant")
    with at("2025-12-01"), session_scope(engine) as session:
        _untag(session, "P2", "4.2")
        _complete(session, "P2")
