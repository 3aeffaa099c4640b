"""The database itself refuses rows that must never be stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from tests import factories
from tracker.models import (
    Goal,
    Objective,
    ObjectiveTag,
    ProjectLocation,
    Target,
    ThemeTag,
    User,
)


def _tag(session, **values):
    project = factories.project(session)
    values = {
        "project_id": project.id,
        "objective_id": factories.objective(session, "4.1").id,
        **values,
    }
    session.add(ObjectiveTag(**values))


def _theme_tag(session, **values):
    project = factories.project(session)
    session.add(
        ThemeTag(project_id=project.id, theme_id=factories.theme(session, "I").id, **values)
    )


def _location(session, **values):
    project = factories.project(session)
    session.add(ProjectLocation(project_id=project.id, **values))


def _kenya(session):
    return factories.country(session, "KE").id


BAD_ROWS = {
    "duplicate project code": lambda s: (
        factories.project(s, code="CYB-1"),
        factories.project(s, code="CYB-1"),
    ),
    "empty project code": lambda s: factories.project(s, code=""),
    "unknown status": lambda s: factories.project(s, status="paused"),
    "unknown kind": lambda s: factories.project(s, kind="workshop"),
    "end before start": lambda s: factories.project(
        s, start_date=date(2026, 5, 1), end_date=date(2026, 4, 30)
    ),
    "negative budget": lambda s: factories.project(s, budget_amount=Decimal("-0.01")),
    "budget without currency": lambda s: factories.project(s, budget_currency=None),
    "unknown currency": lambda s: factories.project(s, budget_currency="XXX"),
    "significance 0": lambda s: _tag(s, significance=0),
    "significance 3": lambda s: _tag(s, significance=3),
    "theme significance 3": lambda s: _theme_tag(s, significance=3),
    "budget share over 100": lambda s: _tag(s, significance=2, budget_share=Decimal("100.01")),
    "budget share below 0": lambda s: _tag(s, significance=2, budget_share=Decimal("-1")),
    "same objective twice": lambda s: (
        _tag(s, significance=2),
        s.flush(),
        s.add(
            ObjectiveTag(
                project_id=s.info["last_project"],
                objective_id=factories.objective(s, "4.1").id,
                significance=1,
            )
        ),
    ),
    "location percentage over 100": lambda s: _location(
        s, country_id=_kenya(s), percentage=Decimal("100.5")
    ),
    "location percentage below 0": lambda s: _location(
        s, country_id=_kenya(s), percentage=Decimal("-5")
    ),
    "location both country and region": lambda s: _location(
        s, country_id=_kenya(s), region_id=factories.region(s, "AFR").id
    ),
    "location neither country nor region": lambda s: _location(s),
    "duplicate objective code": lambda s: s.add(
        Objective(
            framework_id=factories.objective(s, "1.1").framework_id,
            goal_id=factories.objective(s, "1.1").goal_id,
            code="1.1",
            statement="Again",
        )
    ),
    "duplicate goal code": lambda s: s.add(
        Goal(
            framework_id=factories.objective(s, "1.1").framework_id,
            code="GPG1",
            short_name="Again",
            statement="Again",
        )
    ),
    "duplicate user email": lambda s: (
        s.add(User(email="ana@example.org", full_name="Ana")),
        s.flush(),
        s.add(User(email="ana@example.org", full_name="Ana again")),
    ),
    "upper-case email": lambda s: s.add(User(email="Ana@example.org", full_name="Ana")),
    "unknown role": lambda s: s.add(User(email="x@example.org", full_name="X", role="owner")),
    "target on goal and objective": lambda s: s.add(
        Target(
            goal_id=factories.objective(s, "1.1").goal_id,
            objective_id=factories.objective(s, "1.1").id,
            min_active_projects=1,
        )
    ),
    "target without minimum": lambda s: s.add(
        Target(objective_id=factories.objective(s, "1.1").id)
    ),
    "negative target": lambda s: s.add(
        Target(objective_id=factories.objective(s, "1.1").id, min_active_projects=-1)
    ),
}


@pytest.fixture
def loaded_session(framework, session):
    # Remember the last project made, for cases that need to add a second row to it.
    original = factories.project

    def tracking(s, **values):
        row = original(s, **values)
        s.info["last_project"] = row.id
        return row

    factories.project = tracking
    yield session
    factories.project = original


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_database_refuses(loaded_session, case):
    with pytest.raises(IntegrityError):
        BAD_ROWS[case](loaded_session)
        loaded_session.flush()


def test_a_good_project_is_stored(framework, session):
    project = factories.project(session, budget_amount=Decimal("0"))
    _tag(session, significance=2, budget_share=Decimal("100"))
    session.add(
        ProjectLocation(
            project_id=project.id, country_id=_kenya(session), percentage=Decimal("100")
        )
    )
    session.commit()
    assert project.id is not None


def test_every_constraint_is_named(engine):
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        for kind, items in (
            ("check", inspector.get_check_constraints(table.name)),
            ("unique", inspector.get_unique_constraints(table.name)),
            ("foreign key", inspector.get_foreign_keys(table.name)),
        ):
            for item in items:
                assert item["name"], f"{table.name}: unnamed {kind} constraint {item}"
        assert inspector.get_pk_constraint(table.name)["name"] or engine.dialect.name == "sqlite"


def test_sqlite_pragmas(tmp_path):
    from tracker.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=4321)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
    engine.dispose()
