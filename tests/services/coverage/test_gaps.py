"""Every kind of gap, on the hand-computed portfolio, with the projects behind it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tests import factories
from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.coverage import targets
from tracker.services.coverage.gaps import find_gaps, parse_gap_query
from tracker.services.errors import InputError
from tracker.services.projects.listing import list_projects, parse_project_list_query

TODAY = date(2026, 11, 2)


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
        # P11 is the only active project in Africa for 1.4; it ends soon.
        session.exec(select(Project).where(Project.code == "P11")).one().end_date = (
            TODAY + timedelta(days=30)
        )
    return framework


def _gaps(engine, **params):
    with session_scope(engine) as session:
        return find_gaps(
            session=session, query=parse_gap_query(session=session, params=params), today=TODAY
        )


def _listed(engine, link) -> list[str]:
    params: dict[str, list[str]] = {}
    for key, value in link:
        params.setdefault(key, []).append(value)
    with session_scope(engine) as session:
        page = list_projects(
            session=session, query=parse_project_list_query(session=session, params=params)
        )
        return [r.code for r in page.rows]


def test_uncovered_objectives(example):
    gaps = [g for g in _gaps(example) if g.kind == "uncovered_objective"]
    covered = {"1.1", "1.2", "1.3", "1.4", "4.1", "4.2", "4.3", "5.1", "5.2", "5.3", "5.4"}
    assert len(gaps) == 38 - len(covered)
    assert not [g for g in gaps if g.subject.split()[0] in covered]
    gap = next(g for g in gaps if g.subject.startswith("4.4 "))
    assert gap.reason == "No active project serves this objective."
    assert _listed(example, gap.link) == []
    # P10 (pipeline) is tagged 1.1 but is not active work.
    assert "status" in dict(gap.link) and dict(gap.link)["status"] == "active"


def test_empty_goal_by_region_cells(example):
    subjects = {g.subject for g in _gaps(example) if g.kind == "empty_goal_region"}
    assert "GPG4 Cybercrime in Americas" in subjects
    assert "GPG4 Cybercrime in Africa" not in subjects
    assert "GPG2 Border security in Europe" in subjects
    # 9 goal-by-region cells have work: those of the matrix test, less the Global column.
    assert len(subjects) == 7 * 5 - 9


def test_themes_without_project(example):
    subjects = {g.subject.split()[0] for g in _gaps(example) if g.kind == "theme_without_project"}
    assert subjects == {"II", "IV", "V"}


def test_unscreened(example):
    gaps = [g for g in _gaps(example) if g.kind == "unscreened"]
    assert [g.subject for g in gaps] == ["1 active project"]
    assert "P8" in gaps[0].reason
    assert _listed(example, gaps[0].link) == ["P8"]


def test_coverage_at_risk(example):
    gaps = [g for g in _gaps(example) if g.kind == "coverage_at_risk"]
    subjects = {g.subject for g in gaps}
    assert "1.4 Advocacy against the terrorist threat in Africa" in subjects
    assert "4.3 Cybercrime capabilities in Africa" in subjects
    # 1.1 in Africa has P9 as well, so P11 ending is no risk there.
    assert "1.1 Disrupt terrorist activities through data exchange in Africa" not in subjects
    gap = next(g for g in gaps if g.subject.startswith("1.4"))
    assert (
        gap.reason == "Only P11 covers it, and it ends on Dec 2, 2026."  # TODAY + 30 days
    )
    assert _listed(example, gap.link) == ["P11"]


def test_below_target(example):
    with session_scope(example) as session:
        targets.set_target(
            session=session,
            code="GPG4",
            region_code=None,
            min_active_projects=6,
            min_budget_eur=None,
            actor=None,
        )
        targets.set_target(
            session=session,
            code="5.3",
            region_code="MENA",
            min_active_projects=None,
            min_budget_eur="50000",
            actor=None,
        )
        targets.set_target(
            session=session,
            code="4.1",
            region_code="AFR",
            min_active_projects=2,
            min_budget_eur=None,
            actor=None,
        )
    gaps = {g.subject: g for g in _gaps(example) if g.kind == "below_target"}
    assert set(gaps) == {
        "GPG4 Cybercrime",
        "5.3 Transnational fraud information sharing in Middle East and North Africa",
    }
    assert (
        gaps["GPG4 Cybercrime"].reason
        == "Target: at least 6 active projects; has 5 active projects."
    )
    assert gaps[
        "5.3 Transnational fraud information sharing in Middle East and North Africa"
    ].reason == ("Target: at least €50,000.00 attributed; has €36,000.00 attributed.")
    assert sorted(_listed(example, gaps["GPG4 Cybercrime"].link)) == ["P1", "P11", "P2", "P3", "P5"]


def test_filters_by_kind_programme_and_region(example):
    kinds = {g.kind for g in _gaps(example, kind=["unscreened", "coverage_at_risk"])}
    assert kinds == {"unscreened", "coverage_at_risk"}
    fcac = [g for g in _gaps(example, programme="FCAC") if g.kind == "uncovered_objective"]
    assert "4.1 Cybercrime threat intelligence" in {g.subject for g in fcac}
    mena = [g for g in _gaps(example, region="MENA") if g.kind == "empty_goal_region"]
    assert all(g.subject.endswith("in Middle East and North Africa") for g in mena)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"kind": "meteor"}, "kind", 'unknown gap kind "meteor"; allowed: uncovered_objective'),
        ({"programme": "NOPE"}, "programme", "unknown programme"),
        ({"region": "MARS"}, "region", "unknown region"),
        ({"floor": "0"}, "floor", "allowed: 1"),
        (
            {"colour": "red"},
            "colour",
            "unknown parameter; allowed: status, programme, region, from, to, floor, as_of, kind, "
            "rows, cols",
        ),
    ],
)
def test_bad_gap_parameters(example, params, field, message):
    with pytest.raises(InputError) as caught, session_scope(example) as session:
        parse_gap_query(session=session, params=params)
    assert message in caught.value.errors[field]


def test_a_project_without_end_date_is_never_at_risk(framework):
    with session_scope(framework) as session:
        project = factories.project(session, end_date=None, budget_amount=Decimal(1))
        portfolio._place(session, project, "KE")
        portfolio._tag(session, project, "2.2", 2)
    assert not [g for g in _gaps(framework) if g.kind == "coverage_at_risk"]
