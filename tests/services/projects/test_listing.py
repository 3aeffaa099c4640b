"""Project search finds the text anywhere in code, title, summary or donor, from the index."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from tests import factories
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.projects.listing import SEARCHED, list_projects, parse_project_list_query


def _found(engine, words: str) -> list[str]:
    with Session(engine) as session:
        query = parse_project_list_query(session=session, params={"q": words, "status": "any"})
        return sorted(row.code for row in list_projects(session=session, query=query).rows)


def test_search_reads_every_field_ignores_case_and_follows_changes(framework):
    with session_scope(framework) as session:
        factories.project(session, code="CYB-2026-0001", title="Darknet markets in Kenya")
        factories.project(
            session,
            code="FCAC-2026-0002",
            title="Asset recovery",
            summary='Money mules, the "smurfing" kind',
            donor="Ministry of Justice",
        )
        factories.project(session, code="CT-2026-0003", title="Border watch lists", donor="EU")
    assert _found(framework, "KENYA") == ["CYB-2026-0001"]
    assert _found(framework, "net mark") == ["CYB-2026-0001"]  # inside words, across a space
    assert _found(framework, "mules") == ["FCAC-2026-0002"]  # summary
    assert _found(framework, "of justice") == ["FCAC-2026-0002"]  # donor
    assert _found(framework, "2026-000") == ["CT-2026-0003", "CYB-2026-0001", "FCAC-2026-0002"]
    assert _found(framework, '"smurfing"') == ["FCAC-2026-0002"]  # quotes are text, not syntax
    assert _found(framework, "EU") == ["CT-2026-0003"]  # two letters: compared row by row
    assert _found(framework, "nowhere at all") == []

    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0001")).one()
        project.title = "Darknet markets in Uganda"
    assert _found(framework, "kenya") == []
    assert _found(framework, "uganda") == ["CYB-2026-0001"]

    with session_scope(framework) as session:
        session.delete(session.exec(select(Project).where(Project.code == "CT-2026-0003")).one())
    assert _found(framework, "watch lists") == []


def test_search_uses_the_index(framework):
    """The plan names the FTS5 table on SQLite and a trigram index on PostgreSQL."""
    with Session(framework) as session:
        if framework.dialect.name == "sqlite":
            plan = session.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT rowid FROM project_search "
                    "WHERE project_search MATCH '\"kenya\"'"
                )
            ).all()
            assert any("VIRTUAL TABLE INDEX" in str(row) for row in plan), plan
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = session.execute(
                text(f"EXPLAIN SELECT id FROM project WHERE ({SEARCHED}) ILIKE '%kenya%'")
            ).all()
            assert any("ix_project_search_trgm" in row[0] for row in plan), plan


def test_each_row_names_its_objectives_and_themes_principal_first(framework):
    with session_scope(framework) as session:
        project = factories.project(session, code="CYB-2026-0100")
        factories.theme_tag(session, project, "III", significance=1)
        factories.objective_tag(session, project, "5.2", significance=1)
        factories.theme_tag(session, project, "I", significance=2)
        factories.objective_tag(session, project, "4.2", significance=2)
        factories.objective_tag(session, project, "1.1", significance=2)
        factories.project(session, code="CYB-2026-0101")
    with Session(framework) as session:
        query = parse_project_list_query(session=session, params={"q": "CYB-2026-010"})
        tagged, untagged = list_projects(session=session, query=query).rows
    assert [(t.code, t.kind, t.principal) for t in tagged.tags] == [
        ("1.1", "objective", True),
        ("4.2", "objective", True),
        ("I", "theme", True),
        ("5.2", "objective", False),
        ("III", "theme", False),
    ]
    assert tagged.tags[1].name == "Cooperation against cybercrime"
    assert tagged.tags[2].name == "Data and information sharing"
    assert [t.code for t in tagged.principal_tags] == ["1.1", "4.2", "I"]
    assert [t.code for t in tagged.significant_tags] == ["5.2", "III"]
    # The codes of its objectives alone, as GET /projects gives them.
    assert (tagged.principal, tagged.significant) == (["1.1", "4.2"], ["5.2"])
    assert untagged.tags == []
