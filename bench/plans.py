"""The query plans of the statements that must stay quick as the portfolio grows.

    .venv/bin/python -m bench.plans --database sqlite:///var/bench.db

Prints each statement's plan as the database gives it (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
on PostgreSQL), so that one can see which index answers it.
"""

from __future__ import annotations

import argparse

from sqlalchemy import func, select, text
from sqlmodel import Session

from tracker.db import make_engine
from tracker.models import ObjectiveTag, Project, ProjectLocation
from tracker.services.coverage import cube, parse_coverage_query, sql
from tracker.services.projects.listing import _conditions, parse_project_list_query


def statements(session: Session) -> dict[str, object]:
    heatmap = parse_coverage_query(session=session, params={})
    search = parse_project_list_query(session=session, params={"q": "trafficking kenya"})
    listed = parse_project_list_query(session=session, params={"objective": "4.2"})
    one = sql.filtered_projects(
        parse_coverage_query(session=session, params={"status": "any"}), extra=[Project.id == 1]
    )
    return {
        "heatmap goals x regions, from the cube": cube.read_statement(heatmap),
        "project search, the count": select(func.count()).select_from(
            sql.filtered_projects(search.coverage, extra=_conditions(session, search))
        ),
        "projects tagged 4.2, the count": select(func.count()).select_from(
            sql.filtered_projects(listed.coverage, extra=_conditions(session, listed))
        ),
        "a project's tags (project page)": select(ObjectiveTag).where(ObjectiveTag.project_id == 1),
        "a project's places (project page)": select(ProjectLocation).where(
            ProjectLocation.project_id == 1
        ),
        "one project's tag shares (the cube's upkeep on a write)": select(
            sql.tag_weights(
                one,
                parse_coverage_query(session=session, params={}),
                themes=False,
                name="w",
            )
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    engine = make_engine(args.database)
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    with Session(engine) as session:
        for name, statement in statements(session).items():
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            print(f"\n-- {name}")
            for row in session.execute(text(f"{explain} {compiled}")):
                print("  ", row[-1])


if __name__ == "__main__":
    main()
