"""The coverage cube gives the same figures as the tables, through every kind of change."""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.models import CoverageCell, Currency, ObjectiveTag, Project, ProjectLocation, User
from tracker.services.accounts.permissions import Principal
from tracker.services.coverage import compute_matrix, cube, parse_coverage_query
from tracker.services.coverage.filters import active_framework_id
from tracker.services.coverage.matrix import compute_from_tables
from tracker.services.projects.edit import (
    LocationInput,
    delete_project,
    form_input,
    update_project,
)
from tracker.services.projects.tagging import TagChange, remove_tag, set_tag

ADMIN = Principal(
    user=User(id=None, email="x@localhost", full_name="Cube", role="admin"),
    programme_ids=frozenset(),
    via="session",
)
VIEWS = [
    {"rows": rows, "cols": cols, "floor": floor}
    for rows, cols, floor in itertools.product(
        ("goals", "objectives", "themes"),
        ("regions", "programmes", "themes"),
        ("1", "2"),
    )
    if not (rows == "themes" and cols == "themes")
]
FILTERS = [
    {},
    {"status": "any"},
    {"status": ["active", "pipeline"]},
    {"programme": "CYB"},
    {"programme": ["FCAC", "CT"], "status": "completed"},
]


def _same(a, b) -> None:
    """Two matrices agree: counts exactly, money to a hundredth of a cent per cell."""
    assert a.columns == b.columns
    assert a.rows == b.rows
    for name in ("cells", "row_totals", "column_totals"):
        left, right = getattr(a, name), getattr(b, name)
        assert left.keys() == right.keys(), name
        for key in left:
            assert (left[key].projects, left[key].principal) == (
                right[key].projects,
                right[key].principal,
            ), (name, key)
            assert abs(left[key].budget - right[key].budget) < Decimal("0.01"), (name, key)
    assert (a.total.projects, a.total.principal) == (b.total.projects, b.total.principal)
    assert abs(a.total.budget - b.total.budget) < Decimal("0.01")


def _check_every_view(session: Session, views=VIEWS, filters=FILTERS) -> int:
    """Compare the cube with the tables in every view it serves; returns the views checked."""
    assert cube.is_fresh(session, active_framework_id(session))
    checked = 0
    for view, extra in itertools.product(views, filters):
        query = parse_coverage_query(session=session, params={**view, **extra})
        figures = cube.read(session, query)
        assert figures is not None, query
        _same(compute_matrix(session=session, query=query), compute_from_tables(session, query))
        checked += 1
    assert cube.differences(session) == []
    return checked


@pytest.fixture
def built(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def test_the_cube_is_fresh_after_a_small_portfolio_is_loaded_and_agrees_in_every_view(built):
    with Session(built) as session:
        assert session.execute(select(CoverageCell)).first() is not None
        assert _check_every_view(session) == len(VIEWS) * len(FILTERS)


def test_views_the_cube_does_not_hold_are_computed_from_the_tables(built):
    with Session(built) as session:
        for params in (
            {"cols": "years"},
            {"region": "AFR", "cols": "countries"},
            {"region": "EUR"},
            {"from": "2026-01-01"},
            {"to": "2025-06-30"},
        ):
            query = parse_coverage_query(session=session, params=params)
            assert cube.read(session, query) is None
            assert not cube.serves(query)


def _project(session, code) -> Project:
    return session.execute(select(Project).where(Project.code == code)).scalar_one()


def test_every_kind_of_change_keeps_the_cube_equal_to_the_tables(built):
    """Tags added, changed and removed; budget, currency, status, programme and places
    changed; a project deleted and one registered: after each, every view agrees."""

    def change(fn):
        with session_scope(built) as session:
            fn(session)
        with Session(built) as session:
            # Every stored cell against a recount, and two views against the tables (every
            # view is compared at the end).
            _check_every_view(session, VIEWS[::8], FILTERS[:1])

    def tag(session, code, change_):
        p = _project(session, code)
        set_tag(
            session=session, project=p, change=change_, expected_version=p.version, principal=ADMIN
        )

    change(lambda s: tag(s, "P1", TagChange("objective", "7.6", "significant", "30")))
    change(lambda s: tag(s, "P1", TagChange("objective", "4.1", "significant")))
    change(lambda s: tag(s, "P2", TagChange("theme", "III", "principal")))

    def untag(session):
        p = _project(session, "P1")
        remove_tag(
            session=session,
            project=p,
            kind="objective",
            code="7.6",
            expected_version=p.version,
            principal=ADMIN,
        )

    change(untag)

    def edit(session, code, **values):
        p = _project(session, code)
        data = form_input(p, session)
        for name, value in values.items():
            setattr(data, name, value)
        update_project(
            session=session, project=p, data=data, expected_version=p.version, principal=ADMIN
        )

    change(lambda s: edit(s, "P1", budget_amount="250000", budget_currency="USD"))
    change(lambda s: edit(s, "P2", status="completed", programme="CT"))
    change(
        lambda s: edit(s, "P3", locations=[LocationInput("FR", "25"), LocationInput("AFR", "75")])
    )
    change(lambda s: edit(s, "P1", locations=[]))

    def remove(session):
        p = _project(session, "P2")
        delete_project(session=session, project=p, expected_version=p.version, principal=ADMIN)

    change(remove)

    def register(session):
        from tests import factories

        p = factories.project(session, code="NEW-1", budget_amount=Decimal("42000"))
        session.add(
            ProjectLocation(project_id=p.id, country_id=factories.country(session, "BR").id)
        )
        session.add(
            ObjectiveTag(
                project_id=p.id, objective_id=factories.objective(session, "2.1").id, significance=2
            )
        )

    change(register)

    def register_unsaved_ids(session):
        # A project and its tag added before either has an id.
        from tests import factories

        p = Project(
            code="NEW-2",
            title="Registered in one go",
            status="active",
            programme_id=factories.programme(session, "CT").id,
            budget_amount=Decimal("1000"),
            budget_currency="GBP",
        )
        session.add(p)
        session.flush()
        session.add(
            ObjectiveTag(
                project_id=p.id, objective_id=factories.objective(session, "5.3").id, significance=1
            )
        )

    change(register_unsaved_ids)
    with Session(built) as session:
        _check_every_view(session)


def test_a_currency_rate_change_rebuilds_a_small_cube_at_once(built):
    with session_scope(built) as session:
        session.get(Currency, "USD").rate_to_reporting = Decimal("0.8")
    with Session(built) as session:
        _check_every_view(session, VIEWS[::3])


def test_a_large_portfolio_waits_for_a_rebuild_and_is_right_meanwhile(built, monkeypatch):
    monkeypatch.setattr(cube.sync, "INLINE_REBUILD_MAX", 0)
    with session_scope(built) as session:
        session.get(Currency, "GBP").rate_to_reporting = Decimal("3")
    with Session(built) as session:
        query = parse_coverage_query(session=session, params={"metric": "budget"})
        assert cube.read(session, query) is None  # stale: nothing read from the cube
        from_tables = compute_from_tables(session, query)
        _same(compute_matrix(session=session, query=query), from_tables)
    assert cube.refresh(built) == 12
    assert cube.refresh(built) is None
    with Session(built) as session:
        _check_every_view(session, VIEWS[::3])


def test_a_bulk_insert_of_tags_marks_the_cube_stale(built, monkeypatch):
    monkeypatch.setattr(cube.sync, "INLINE_REBUILD_MAX", 0)
    with session_scope(built) as session:
        from tests import factories

        p = _project(session, "P3")
        session.execute(
            insert(ObjectiveTag),
            [
                {
                    "project_id": p.id,
                    "objective_id": factories.objective(session, "7.6").id,
                    "significance": 2,
                }
            ],
        )
    with Session(built) as session:
        assert not cube.is_fresh(session, active_framework_id(session))
        assert cube.differences(session) == ["the cube is stale: nothing to compare"]


def test_a_failed_change_leaves_the_cube_as_it_was(built):
    with Session(built) as session:
        before = session.execute(select(CoverageCell.__table__)).all()
    with pytest.raises(RuntimeError), session_scope(built) as session:
        p = _project(session, "P1")
        set_tag(
            session=session,
            project=p,
            change=TagChange("objective", "1.1"),
            expected_version=p.version,
            principal=ADMIN,
        )
        raise RuntimeError("the request failed after the change")
    with Session(built) as session:
        assert session.execute(select(CoverageCell.__table__)).all() == before
        assert cube.differences(session) == []


def test_writers_at_the_same_time_keep_the_cube_exact(built):
    """Four threads tag and untag different projects at once, each in its own transaction;
    the cube ends equal to the tables (the coverage token makes writers take turns)."""
    with Session(built) as session:
        codes = [p.code for p in session.execute(select(Project)).scalars()][:4]
    errors: list[BaseException] = []

    def work(code, objective):
        try:
            for _ in range(2):
                with session_scope(built) as session:
                    p = _project(session, code)
                    set_tag(
                        session=session,
                        project=p,
                        change=TagChange("objective", objective),
                        expected_version=p.version,
                        principal=ADMIN,
                    )
                with session_scope(built) as session:
                    p = _project(session, code)
                    remove_tag(
                        session=session,
                        project=p,
                        kind="objective",
                        code=objective,
                        expected_version=p.version,
                        principal=ADMIN,
                    )
                with session_scope(built) as session:
                    p = _project(session, code)
                    set_tag(
                        session=session,
                        project=p,
                        change=TagChange("objective", objective, "significant", "10"),
                        expected_version=p.version,
                        principal=ADMIN,
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(code, objective))
        for code, objective in zip(codes, ["1.1", "5.1", "7.1", "2.2"], strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Session(built) as session:
        assert cube.differences(session) == []
        _check_every_view(session, VIEWS[:6], FILTERS[:1])


def _cube_rows(engine) -> int:
    with Session(engine) as session:
        return len(session.execute(select(CoverageCell.id)).all())


def test_compaction_folds_appended_rows_and_keeps_every_figure(built):
    for code, objective in (("P1", "1.1"), ("P2", "5.1"), ("P1", "7.1")):
        with session_scope(built) as session:
            p = _project(session, code)
            set_tag(
                session=session,
                project=p,
                change=TagChange("objective", objective),
                expected_version=p.version,
                principal=ADMIN,
            )
    before = _cube_rows(built)
    folded = cube.compact(built)
    assert folded > 0
    assert _cube_rows(built) == before - folded
    with Session(built) as session:
        cells = session.execute(
            select(CoverageCell.floor, CoverageCell.status, CoverageCell.programme_id)
            .add_columns(CoverageCell.rows, CoverageCell.cols, CoverageCell.row_id)
            .add_columns(CoverageCell.col_id)
        ).all()
        assert len(cells) == len(set(cells))  # one row per cell
        _check_every_view(session, VIEWS[::3])
    assert cube.compact(built) == 0


def test_a_rebuild_while_others_write_keeps_their_changes(built):
    """Writers append while a rebuild replaces the rows its snapshot holds: nothing is lost
    and nothing counted twice."""
    errors: list[BaseException] = []

    def write():
        try:
            for objective in ("1.1", "5.1", "7.1"):
                with session_scope(built) as session:
                    p = _project(session, "P2")
                    set_tag(
                        session=session,
                        project=p,
                        change=TagChange("objective", objective),
                        expected_version=p.version,
                        principal=ADMIN,
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    for _ in range(3):
        cube.rebuild(built)
    writer.join()
    assert not errors, errors
    with Session(built) as session:
        _check_every_view(session, VIEWS[:6], FILTERS[:1])


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_writers_to_different_projects_never_wait_for_each_other(built):
    """One transaction holds its change to P1 open; another changes P2 and commits at once."""
    done = threading.Event()
    with Session(built) as holder:
        p1 = _project(holder, "P1")
        set_tag(
            session=holder,
            project=p1,
            change=TagChange("objective", "1.1"),
            expected_version=p1.version,
            principal=ADMIN,
        )
        holder.flush()

        def other():
            with session_scope(built) as session:
                p2 = _project(session, "P2")
                set_tag(
                    session=session,
                    project=p2,
                    change=TagChange("objective", "5.1"),
                    expected_version=p2.version,
                    principal=ADMIN,
                )
            done.set()

        thread = threading.Thread(target=other)
        thread.start()
        finished = done.wait(timeout=5)
        holder.commit()
        thread.join()
    assert finished, "a change to P2 waited for an open change to P1"
    with Session(built) as session:
        _check_every_view(session, VIEWS[:6], FILTERS[:1])
