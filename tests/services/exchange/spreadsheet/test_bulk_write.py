"""An import writes its rows many at a time (COPY on PostgreSQL), outside the ORM: what it
stores is what the forms would have stored, the coverage cube and coverage over time follow it
exactly, and its audit trail rebuilds the same history."""

from __future__ import annotations

from sqlmodel import Session, func, select

from tests.factories import ADMIN
from tests.files import spreadsheet_csv
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import (
    AuditEvent,
    LocationVersion,
    ObjectiveTag,
    ObjectiveTagVersion,
    Project,
    ProjectLocation,
    ProjectVersion,
    ThemeTagVersion,
)
from tracker.services.coverage.cube import sync
from tracker.services.exchange.spreadsheet.read import import_spreadsheet
from tracker.services.history import replay

SETTINGS = Settings(env="test")
STATUSES = ("active", "pipeline", "completed", "suspended", "active", "cancelled")


def _rows(n: int, *, title: str = "Border watch lists") -> list[dict]:
    return [
        {
            "code": f"BULK-{i:03d}",
            "title": f"{title} {i}",
            "summary": "Côte d'Ivoire; the €, quotes \" and tabs\tsurvive.",
            "kind": "operation" if i % 3 else "capacity_building",
            "status": STATUSES[i % len(STATUSES)],
            "start_date": f"{2023 + i % 4}-0{1 + i % 9}-15",
            "end_date": "2027-12-31",
            "budget_amount": str(1000 * (i + 1)) if i % 5 else "",
            "budget_currency": "EUR" if i % 5 else "",
            "programme": ("CT", "CYB", "FCAC", "OEC")[i % 4],
            "locations": "KE:60; UG:40" if i % 2 else "AFR",
            "objectives": "4.3 principal 70; 4.2 significant" if i % 4 else "",
            "themes": "IV principal" if i % 3 else "",
            "screened": "2026-02-01" if i % 2 else "",
        }
        for i in range(n)
    ]


def _import(engine, rows):
    with session_scope(engine) as session:
        report = import_spreadsheet(
            session=session,
            filename="projects.csv",
            content=spreadsheet_csv(rows),
            principal=ADMIN,
            settings=SETTINGS,
            commit=True,
        )
    assert report.committed, report.public()["problems"][:3]
    return report


def _history(engine) -> tuple:
    with Session(engine) as session:
        versions = sorted(
            (v.project_id, v.valid_from, v.valid_to, v.status, v.screened)
            for v in session.exec(select(ProjectVersion))
        )
        counts = tuple(
            session.exec(select(func.count()).select_from(model)).one()
            for model in (ObjectiveTagVersion, ThemeTagVersion, LocationVersion)
        )
    return versions, counts


def test_an_import_writes_rows_that_the_cube_and_history_follow(framework):
    _import(framework, _rows(24))
    with Session(framework) as session:
        projects = session.exec(select(Project).order_by(Project.code)).all()
        assert [p.code for p in projects] == [f"BULK-{i:03d}" for i in range(24)]
        first = projects[1]
        assert first.summary == "Côte d'Ivoire; the €, quotes \" and tabs\tsurvive."
        assert (first.version, first.screened_at is not None) == (1, True)
        assert first.created_at.tzinfo is not None
        assert session.exec(select(func.count()).select_from(ObjectiveTag)).one() == 36
        assert session.exec(select(func.count()).select_from(ProjectLocation)).one() == 36
        events = session.exec(select(AuditEvent.entity_type, AuditEvent.action)).all()
        assert events.count(("project", "create")) == 24
        assert sync.differences(session) == []
    # Again, half of them changed (and the others as they were): versions closed and opened.
    changed = _rows(12, title="Border watch lists, phase II") + _rows(24)[12:]
    _import(framework, changed)
    with Session(framework) as session:
        assert sync.differences(session) == []
        assert session.exec(select(Project.version).where(Project.code == "BULK-003")).one() == 2
        assert session.exec(select(Project.version).where(Project.code == "BULK-020")).one() == 2
    followed = _history(framework)
    assert followed[0]
    replay.rebuild(framework)  # from the audit trail alone
    assert _history(framework) == followed
