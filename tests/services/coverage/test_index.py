"""The attribution index gives the same figures as the tables in every view, and follows every
change, made in any session, project by project."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, update
from sqlmodel import Session

from tests.services.coverage import portfolio
from tests.services.coverage.test_cube import ADMIN, _same
from tests.services.coverage.test_sdgs import sdg_portfolio  # noqa: F401 (a fixture)
from tracker.db import session_scope
from tracker.models import CoverageTouch, Currency, Project
from tracker.services.coverage import compute_matrix, cube, parse_coverage_query
from tracker.services.coverage.index import store
from tracker.services.coverage.index import views as index
from tracker.services.coverage.matrix import compute_from_tables
from tracker.services.projects.tagging import TagChange, remove_tag, set_tag

VIEWS = [
    {"rows": rows, "cols": cols, "floor": floor}
    for rows, cols, floor in itertools.product(
        ("goals", "objectives", "themes", "sdgs", "sdg_targets"),
        ("regions", "countries", "programmes", "themes", "years"),
        ("1", "2"),
    )
    if not (rows == "themes" and cols == "themes")
]
FILTERS = [
    {},
    {"status": "any", "region": "AFR"},
    {"programme": ["FCAC", "CT"], "status": "completed"},
    {"from": "2025-01-01", "to": "2026-06-30", "region": "EUR"},
    {"to": "2025-06-30", "status": ["active", "pipeline"]},
]


def _check(session: Session, views=VIEWS, filters=FILTERS) -> int:
    checked = 0
    for view, extra in itertools.product(views, filters):
        params = {**view, **extra}
        if params["cols"] == "countries" and "region" not in params:
            params["region"] = "AFR"
        query = parse_coverage_query(session=session, params=params)
        assert index.serves(query) and store.usable(session)
        _same(compute_matrix(session=session, query=query), compute_from_tables(session, query))
        checked += 1
    return checked


@pytest.fixture
def built(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def test_every_view_from_the_index_equals_the_tables(built):
    with Session(built) as session:
        assert _check(session) == len(VIEWS) * len(FILTERS)


def test_sdg_views_from_the_index_equal_the_tables(framework, sdg_portfolio):  # noqa: F811
    views = [v for v in VIEWS if v["rows"] in ("sdgs", "sdg_targets")]
    with Session(framework) as session:
        assert _check(session, views, FILTERS[:3]) == len(views) * 3


def _code(session, code) -> Project:
    return session.execute(select(Project).where(Project.code == code)).scalar_one()


def test_a_change_from_another_session_is_read_project_by_project(built):
    views = [{"rows": "objectives", "cols": "countries", "region": "AFR"}, {"cols": "years"}]
    with Session(built) as reader:
        _check(reader, views, [{}])  # the index is loaded
        touched = reader.execute(select(CoverageTouch.id)).all()
        for n, code in enumerate(("7.6", "1.4")):
            with session_scope(built) as writer:
                project = writer.execute(select(Project).order_by(Project.id)).scalars().first()
                change = dict(session=writer, project=project, principal=ADMIN)
                change["expected_version"] = project.version
                set_tag(change=TagChange("objective", code, "principal"), **change)
            reader.commit()  # a new transaction sees the change
            assert len(reader.execute(select(CoverageTouch.id)).all()) == len(touched) + n + 1
            _check(reader, views, [{}, {"floor": "2"}])
        with session_scope(built) as writer:
            project = writer.execute(select(Project).order_by(Project.id)).scalars().first()
            change = dict(session=writer, project=project, principal=ADMIN)
            remove_tag(kind="objective", code="7.6", expected_version=project.version, **change)
        reader.commit()
        _check(reader, views, [{}])


def test_a_rate_change_reloads_every_project(built):
    with Session(built) as reader:
        _check(reader, [{"cols": "years", "metric": "budget"}], [{}])
        with session_scope(built) as writer:
            writer.execute(
                update(Currency).where(Currency.code == "USD").values(rate_to_reporting=3)
            )
        reader.commit()
        assert reader.execute(select(CoverageTouch.project_id)).scalars().all()[-1] is None
        _check(reader, [{"cols": "years", "metric": "budget"}], [{}])


def test_the_cube_rebuilt_from_the_columns_equals_every_project_added_one_by_one(built):
    cube.rebuild(built)
    with Session(built) as session:
        assert cube.differences(session) == []


AS_OF = ["2024-06-01", "2025-01-15", "2025-07-01", "2025-10-05", "2025-12-15"]


def test_views_as_of_a_day_from_the_versions_equal_the_tables(framework):
    from tests.services.history import portfolio as history

    history.build(framework)
    views = [
        {"rows": "objectives", "cols": "countries", "region": "AFR"},
        {"rows": "goals", "cols": "years", "status": "any"},
        {"rows": "sdg_targets", "cols": "regions", "floor": "2"},
        {"rows": "themes", "cols": "programmes", "region": "EUR", "from": "2025-01-01"},
    ]
    with Session(framework) as session:
        for day, view in itertools.product(AS_OF, views):
            query = parse_coverage_query(session=session, params={**view, "as_of": day})
            _same(compute_matrix(session=session, query=query), compute_from_tables(session, query))


def test_what_each_project_adds_is_the_same_from_the_index_as_from_the_tables(built):
    """The project page's coverage: for every project, in the views it shows (and a filtered
    one), the index gives the figures the tables give for that project alone."""
    from tracker.services.coverage import compute_for_project

    views = [
        {"rows": "objectives", "status": "any"},
        {"rows": "themes", "status": "any"},
        {"rows": "objectives", "cols": "countries", "region": "AFR", "floor": "2"},
    ]
    with Session(built) as session:
        projects = session.execute(select(Project.id)).scalars().all()
        assert len(projects) > 5
        for params, project_id in itertools.product(views, projects):
            query = parse_coverage_query(session=session, params=params)
            assert index.serves(query) and store.usable(session)
            alone = [Project.id == project_id]
            _same(
                compute_for_project(session=session, query=query, project_id=project_id),
                compute_from_tables(session, query, alone),
            )
