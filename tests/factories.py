"""Rows for tests, with sensible defaults that each test overrides where it matters."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from tracker.models import Country, Objective, Programme, Project, Region, Theme

_sequence = itertools.count(1)


def programme(session: Session, code: str = "CYB") -> Programme:
    return session.exec(select(Programme).where(Programme.code == code)).one()


def objective(session: Session, code: str) -> Objective:
    return session.exec(select(Objective).where(Objective.code == code)).one()


def theme(session: Session, code: str) -> Theme:
    return session.exec(select(Theme).where(Theme.code == code)).one()


def country(session: Session, code: str) -> Country:
    return session.exec(select(Country).where(Country.code == code)).one()


def region(session: Session, code: str) -> Region:
    return session.exec(select(Region).where(Region.code == code)).one()


def project(session: Session, **values) -> Project:
    """A project of the Cybercrime programme; needs reference data loaded."""
    n = next(_sequence)
    values.setdefault("code", f"TEST-{n:05d}")
    values.setdefault("title", f"Test project {n}")
    values.setdefault("status", "active")
    values.setdefault("start_date", date(2025, 1, 1))
    values.setdefault("end_date", date(2027, 12, 31))
    values.setdefault("budget_amount", Decimal("100000.00"))
    values.setdefault("budget_currency", "EUR")
    if "programme_id" not in values:
        values["programme_id"] = programme(session).id
    row = Project(**values)
    session.add(row)
    session.flush()
    return row


def project_by_code(session: Session, code: str) -> Project:
    return session.exec(select(Project).where(Project.code == code)).one()
