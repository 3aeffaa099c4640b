"""The database itself refuses rows that must never be stored."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from tests import factories
from tracker.models import Goal, Objective


def _same_objective_twice(session):
    project = factories.project(session)
    factories.objective_tag(session, project, "4.1", significance=2)
    factories.objective_tag(session, project, "4.1", significance=1)


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
    "significance 0": lambda s: factories.objective_tag(s, significance=0),
    "significance 3": lambda s: factories.objective_tag(s, significance=3),
    "theme significance 3": lambda s: factories.theme_tag(s, significance=3),
    "budget share over 100": lambda s: factories.objective_tag(s, budget_share=Decimal("100.01")),
    "budget share below 0": lambda s: factories.objective_tag(s, budget_share=Decimal("-1")),
    "same objective twice": _same_objective_twice,
    "location percentage over 100": lambda s: factories.location(
        s, country="KE", percentage=Decimal("100.5")
    ),
    "location percentage below 0": lambda s: factories.location(
        s, country="KE", percentage=Decimal("-5")
    ),
    "location both country and region": lambda s: factories.location(s, country="KE", region="AFR"),
    "location neither country nor region": lambda s: factories.location(s),
    # The framework's own rows, written as a loader that forgot to check would write them.
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
        factories.user(s, email="ana@example.org"),
        factories.user(s, email="ana@example.org"),
    ),
    "upper-case email": lambda s: factories.user(s, email="Ana@example.org"),
    "unknown role": lambda s: factories.user(s, role="owner"),
    "target on goal and objective": lambda s: factories.target(s, "1.1", goal="GPG1"),
    "target without minimum": lambda s: factories.target(s, "1.1", min_active_projects=None),
    "negative target": lambda s: factories.target(s, "1.1", min_active_projects=-1),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_database_refuses(framework, session, case):
    with pytest.raises(IntegrityError):
        BAD_ROWS[case](session)
        session.flush()


def test_a_good_project_is_stored(framework, session):
    project = factories.project(session, budget_amount=Decimal("0"))
    factories.objective_tag(session, project, "4.1", budget_share=Decimal("100"))
    factories.location(session, project, "KE", percentage=Decimal("100"))
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
