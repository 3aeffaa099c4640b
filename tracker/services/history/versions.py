"""Writing project versions: one project at a time as it changes, or many at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, select, text, update
from sqlmodel import Session

from tracker.models import (
    LocationVersion,
    ObjectiveTagVersion,
    ProjectVersion,
    ThemeTagVersion,
)
from tracker.services.coverage.cube.contribute import OWN
from tracker.services.history.state import State
from tracker.services.rows import insert_rows, next_ids

INSERT_ROWS = 2_000
CHILDREN = (ObjectiveTagVersion, ThemeTagVersion, LocationVersion)


def _values(project_id: int, state: State, valid_from: date, valid_to: date | None) -> dict:
    return {
        "project_id": project_id,
        "code": state.code,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "status": state.status,
        "programme_id": state.programme_id,
        "start_date": state.start_date,
        "end_date": state.end_date,
        "budget_amount": state.budget_amount,
        "budget_currency": state.budget_currency,
        "screened": state.screened,
    }


def _children(version_id: int, state: State) -> dict[type, list[dict]]:
    return {
        ObjectiveTagVersion: [
            {"version_id": version_id, "objective_id": k, "significance": s, "budget_share": b}
            for k, (s, b) in state.objectives.items()
        ],
        ThemeTagVersion: [
            {"version_id": version_id, "theme_id": k, "significance": s, "budget_share": b}
            for k, (s, b) in state.themes.items()
        ],
        LocationVersion: [
            {"version_id": version_id, "country_id": c, "region_id": r, "percentage": p}
            for c, r, p in state.places
        ],
    }


def add_version(
    session: Session, project_id: int, state: State, valid_from: date, valid_to: date | None
) -> int:
    """Store one version and its tags and places; returns its id."""
    version_id = session.execute(
        insert(ProjectVersion)
        .values(**_values(project_id, state, valid_from, valid_to))
        .returning(ProjectVersion.id),
        execution_options=OWN,
    ).scalar_one()
    for model, rows in _children(version_id, state).items():
        if rows:
            session.execute(insert(model), rows, execution_options=OWN)
    return version_id


def add_versions(session: Session, versions: list[tuple[int, State, date, date | None]]) -> None:
    """Store many versions, (project id, state, from, to), and their tags and places in a few
    statements; the database gives the ids, so other writers may add versions meanwhile."""
    if not versions:
        return
    if session.get_bind().dialect.name == "postgresql":
        ids = next_ids(session, ProjectVersion.__table__, len(versions))
    else:  # one writer at a time: the ids an INSERT returns
        ids = _inserted_ids(session, versions)
    parents: list[dict] = []
    children: dict[type, list[dict]] = {model: [] for model in CHILDREN}
    for version_id, version in zip(ids, versions, strict=True):
        parents.append({"id": version_id, **_values(*version)})
        for model, rows in _children(version_id, version[1]).items():
            children[model].extend(rows)
    if session.get_bind().dialect.name == "postgresql":
        insert_rows(session, ProjectVersion.__table__, parents)
    for model, rows in children.items():
        insert_rows(session, model.__table__, rows)


def _inserted_ids(session: Session, versions) -> list[int]:
    """SQLite: insert the versions, and their ids in the same order."""
    connection = session.connection()  # the ORM's bulk insert takes a statement per row here
    table = ProjectVersion.__table__
    # A project's versions in one call start on different days: (project, from) names one.
    found: dict[tuple, int] = {}
    for begin in range(0, len(versions), INSERT_ROWS):
        part = versions[begin : begin + INSERT_ROWS]
        for version_id, project_id, valid_from in connection.execute(
            insert(table).returning(table.c.id, table.c.project_id, table.c.valid_from),
            [_values(*version) for version in part],
        ):
            found[(project_id, valid_from)] = version_id
    return [found[(project_id, valid_from)] for project_id, _, valid_from, _ in versions]


def close_versions(session: Session, version_ids: list[int], day: date) -> None:
    for begin in range(0, len(version_ids), INSERT_ROWS):
        session.execute(
            update(ProjectVersion)
            .where(ProjectVersion.id.in_(version_ids[begin : begin + INSERT_ROWS]))
            .values(valid_to=day),
            execution_options=OWN,
        )


def drop_versions(session: Session, version_ids: list[int]) -> None:
    for begin in range(0, len(version_ids), INSERT_ROWS):
        chunk = version_ids[begin : begin + INSERT_ROWS]
        for model in CHILDREN:
            session.execute(delete(model).where(model.version_id.in_(chunk)), execution_options=OWN)
        session.execute(
            delete(ProjectVersion).where(ProjectVersion.id.in_(chunk)), execution_options=OWN
        )


def close_version(session: Session, version_id: int, day: date) -> None:
    session.execute(
        update(ProjectVersion).where(ProjectVersion.id == version_id).values(valid_to=day),
        execution_options=OWN,
    )


def drop_version(session: Session, version_id: int) -> None:
    for model in CHILDREN:
        session.execute(delete(model).where(model.version_id == version_id), execution_options=OWN)
    session.execute(
        delete(ProjectVersion).where(ProjectVersion.id == version_id), execution_options=OWN
    )


def drop_all(session: Session) -> None:
    for model in (*CHILDREN, ProjectVersion):
        session.execute(delete(model), execution_options=OWN)


def add_many(session: Session, versions: list[tuple[int, State, date, date | None]]) -> list[int]:
    """Store many versions at once, (project id, state, from, to); returns their ids in order.
    Ids are given here, after the largest one stored, so that rows go in a few statements."""
    start = session.execute(select(ProjectVersion.id).order_by(ProjectVersion.id.desc())).scalar()
    next_id = (start or 0) + 1
    ids: list[int] = []
    parents: list[dict] = []
    children: dict[type, list[dict]] = {model: [] for model in CHILDREN}
    for project_id, state, valid_from, valid_to in versions:
        ids.append(next_id)
        parents.append({"id": next_id, **_values(project_id, state, valid_from, valid_to)})
        for model, rows in _children(next_id, state).items():
            children[model].extend(rows)
        next_id += 1
    for model, rows in ((ProjectVersion, parents), *children.items()):
        for begin in range(0, len(rows), INSERT_ROWS):
            session.execute(insert(model), rows[begin : begin + INSERT_ROWS], execution_options=OWN)
    if session.get_bind().dialect.name == "postgresql" and ids:
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('project_version', 'id'), "
                "(SELECT max(id) FROM project_version))"
            ),
            execution_options=OWN,
        )
    return ids
