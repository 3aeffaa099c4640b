"""The demo portfolio: deterministic, realistic, with deliberate gaps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import select

from tracker.db import session_scope
from tracker.models import (
    Country,
    Goal,
    Objective,
    ObjectiveTag,
    Programme,
    Project,
    ProjectLocation,
    Region,
    Theme,
    ThemeTag,
)
from tracker.services.demo import DEMO_GAP_OBJECTIVES, DEMO_GAP_REGION, seed_demo_portfolio
from tracker.services.demo.generator import DemoDataError

TODAY = date(2026, 11, 2)


def _dump(session) -> list[tuple]:
    countries = dict(session.exec(select(Country.id, Country.code)).all())
    regions = dict(session.exec(select(Region.id, Region.code)).all())
    objectives = dict(session.exec(select(Objective.id, Objective.code)).all())
    themes = dict(session.exec(select(Theme.id, Theme.code)).all())
    out = []
    for project in session.exec(select(Project).order_by(Project.code)):
        locations = sorted(
            (countries.get(loc.country_id), regions.get(loc.region_id), loc.percentage)
            for loc in session.exec(
                select(ProjectLocation).where(ProjectLocation.project_id == project.id)
            )
        )
        tags = sorted(
            (objectives[t.objective_id], t.significance, t.budget_share, t.rationale)
            for t in session.exec(select(ObjectiveTag).where(ObjectiveTag.project_id == project.id))
        )
        theme_tags = sorted(
            (themes[t.theme_id], t.significance)
            for t in session.exec(select(ThemeTag).where(ThemeTag.project_id == project.id))
        )
        fields = project.model_dump(exclude={"id", "created_at", "updated_at"})
        out.append(
            (tuple(sorted(fields.items())), tuple(locations), tuple(tags), tuple(theme_tags))
        )
    return out


def _seed(engine, seed, projects=60):
    with session_scope(engine) as session:
        seed_demo_portfolio(session=session, projects=projects, seed=seed, today=TODAY)
    with session_scope(engine) as session:
        dump = _dump(session)
        session.exec(delete(Project))
    return dump


def test_the_same_seed_gives_the_same_portfolio(framework):
    first = _seed(framework, seed=7)
    second = _seed(framework, seed=7)
    other = _seed(framework, seed=8)
    assert len(first) == 60
    assert first == second
    assert first != other


@pytest.fixture
def demo(framework):
    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=300, seed=2023, today=TODAY)
    with session_scope(framework) as session:
        yield session


def _active_objective_codes(session, region_code=None):
    query = (
        select(Objective.code)
        .join(ObjectiveTag, ObjectiveTag.objective_id == Objective.id)
        .join(Project, Project.id == ObjectiveTag.project_id)
        .where(Project.status == "active")
    )
    if region_code:
        region = session.exec(select(Region).where(Region.code == region_code)).one()
        in_region = (
            select(ProjectLocation.project_id)
            .outerjoin(Country, Country.id == ProjectLocation.country_id)
            .where((ProjectLocation.region_id == region.id) | (Country.region_id == region.id))
        )
        query = query.where(Project.id.in_(in_region))
    return set(session.exec(query).all())


def test_deliberate_gaps(demo):
    covered = _active_objective_codes(demo)
    assert len(DEMO_GAP_OBJECTIVES) >= 2
    assert not covered & set(DEMO_GAP_OBJECTIVES)
    all_codes = set(demo.exec(select(Objective.code)).all())
    assert len(covered) >= len(all_codes) - len(DEMO_GAP_OBJECTIVES) - 3

    gpg7 = set(demo.exec(select(Objective.code).join(Goal).where(Goal.code == "GPG7")).all())
    assert not _active_objective_codes(demo, DEMO_GAP_REGION) & gpg7
    assert _active_objective_codes(demo, "AFR") & gpg7  # the goal is covered elsewhere


def test_the_portfolio_looks_real(demo):
    projects = demo.exec(select(Project)).all()
    assert len(projects) == 300
    assert len({p.code for p in projects}) == 300
    assert {p.status for p in projects} == {
        "active",
        "pipeline",
        "completed",
        "suspended",
        "cancelled",
    }
    assert {p.kind for p in projects} == {"capacity_building", "operation"}
    assert len({p.budget_currency for p in projects if p.budget_currency}) >= 5
    assert len(set(demo.exec(select(Programme.code).join(Project)).all())) == 4
    assert all(p.end_date >= p.start_date for p in projects)
    assert all(p.start_date <= TODAY <= p.end_date for p in projects if p.status == "active")
    ending_soon = [
        p for p in projects if p.status == "active" and p.end_date <= TODAY + timedelta(days=90)
    ]
    assert len(ending_soon) >= 5
    assert not any("{" in p.title or "{" in (p.summary or "") for p in projects)

    tagged = set(demo.exec(select(ObjectiveTag.project_id)).all())
    unscreened = [p for p in projects if p.id not in tagged and p.screened_at is None]
    not_aligned = [p for p in projects if p.id not in tagged and p.screened_at is not None]
    assert len(unscreened) >= 10 and len(not_aligned) >= 3
    assert set(demo.exec(select(ObjectiveTag.significance)).all()) == {1, 2}
    assert set(demo.exec(select(ThemeTag.significance)).all()) == {1, 2}

    regions = set(
        demo.exec(
            select(Region.code)
            .join(Country, Country.region_id == Region.id)
            .join(ProjectLocation, ProjectLocation.country_id == Country.id)
        ).all()
    )
    assert regions == {"AFR", "AME", "ASP", "EUR", "MENA"}
    # Where percentages are given they are given for every location and add up to 100.
    for project in projects:
        shares = [
            loc.percentage
            for loc in demo.exec(
                select(ProjectLocation).where(ProjectLocation.project_id == project.id)
            )
        ]
        if any(s is not None for s in shares):
            assert None not in shares and sum(shares) == 100


def test_demo_needs_the_framework(engine):
    with (
        pytest.raises(DemoDataError, match="tracker framework load"),
        session_scope(engine) as session,
    ):
        seed_demo_portfolio(session=session, projects=5, seed=1)


def test_the_demo_history_is_in_the_audit_trail_and_rebuilds(framework):
    """Two years of dated changes, recorded as the tracker records them; `history rebuild`
    turns them into the projects' states on each day: a removed tag counted between its
    addition and its removal, work counted active from the day it started."""
    from sqlalchemy import and_, or_

    from tracker.models import AuditEvent
    from tracker.models.history import ObjectiveTagVersion, ProjectVersion
    from tracker.services.history import replay

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=150, seed=7, today=TODAY)
    assert replay.rebuild(framework) > 150
    with session_scope(framework) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.project_id.is_not(None))).all()
        actions = {(e.entity_type, e.action) for e in events}
        assert {
            ("project", "create"),
            ("project", "update"),
            ("project", "screen"),
            ("objective_tag", "tag"),
            ("objective_tag", "untag"),
            ("theme_tag", "tag"),
        } <= actions
        days = [e.occurred_at.date() for e in events]
        assert min(days) >= TODAY - timedelta(days=731) and max(days) < TODAY
        objectives = dict(session.exec(select(Objective.code, Objective.id)).all())

        def version_on(project_id, day):
            return session.exec(
                select(ProjectVersion).where(
                    ProjectVersion.project_id == project_id,
                    ProjectVersion.valid_from <= day,
                    or_(ProjectVersion.valid_to.is_(None), ProjectVersion.valid_to > day),
                )
            ).first()

        def tagged_on(project_id, code, day):
            version = version_on(project_id, day)
            return version is not None and (
                session.exec(
                    select(ObjectiveTagVersion.id).where(
                        and_(
                            ObjectiveTagVersion.version_id == version.id,
                            ObjectiveTagVersion.objective_id == objectives[code],
                        )
                    )
                ).first()
                is not None
            )

        untags = [e for e in events if e.action == "untag"]
        for removed in untags:
            code = removed.before["code"]
            [added] = [
                e
                for e in events
                if e.action == "tag"
                and e.project_id == removed.project_id
                and (e.after or {}).get("code") == code
            ]
            between = added.occurred_at.date() + timedelta(days=1)
            if between < removed.occurred_at.date():
                assert tagged_on(removed.project_id, code, between)
            assert not tagged_on(
                removed.project_id, code, removed.occurred_at.date() + timedelta(days=1)
            )
        starts = [
            e
            for e in events
            if e.action == "update" and e.after == {"status": "active"} and e.before
        ]
        assert starts
        for started in starts:
            day = started.occurred_at.date()
            assert version_on(started.project_id, day).status == "active"
            before = version_on(started.project_id, day - timedelta(days=1))
            assert before is None or before.status == "pipeline"
