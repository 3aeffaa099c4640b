"""The dashboard's headline is cached with coverage and recounted after any change."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from tests import factories
from tracker.db import session_scope
from tracker.services.dashboard import build_dashboard


def test_headline_follows_every_change_even_when_cached(framework):
    with session_scope(framework) as session:
        factories.project(session, budget_amount=Decimal("1000"))
    with Session(framework) as session:
        first = build_dashboard(session=session).headline
        again = build_dashboard(session=session).headline
    assert again == first
    assert (first.active_projects, first.active_budget) == (1, Decimal("1000"))
    assert first.active_new_this_week == 1 and first.unscreened_active == 1

    with session_scope(framework) as session:
        factories.project(session, budget_amount=Decimal("500"))
    with Session(framework) as session:
        after = build_dashboard(session=session).headline
    assert (after.active_projects, after.active_budget) == (2, Decimal("1500"))
    assert after.unscreened_active == 2
