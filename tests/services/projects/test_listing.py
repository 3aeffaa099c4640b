"""Project search finds words of the title, summary or donor and text anywhere in the code,
from the indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import Session, func, select

from tests import factories
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.projects.listing import (
    list_projects,
    parse_project_list_query,
    search_words,
)


def _found(engine, words: str) -> list[str]:
    with Session(engine) as session:
        query = parse_project_list_query(session=session, params={"q": words, "status": "any"})
        return sorted(row.code for row in list_projects(session=session, query=query).rows)


def test_search_finds_words_and_codes_and_follows_changes(framework):
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
        factories.project(
            session,
            code="OEC-2026-0004",
            title="Trafficking routes through Côte d'Ivoire",
            summary="Cyber-enabled fraud; São Tomé and Príncipe joins in 2027.",
        )
    assert _found(framework, "KENYA") == ["CYB-2026-0001"]
    assert _found(framework, "keny") == ["CYB-2026-0001"]  # the start of a word, as one types
    assert _found(framework, "market") == ["CYB-2026-0001"]  # markets
    assert _found(framework, "kenya darknet") == ["CYB-2026-0001"]  # every word, any order
    assert _found(framework, "kenya asset") == []
    assert _found(framework, "mules") == ["FCAC-2026-0002"]  # summary
    assert _found(framework, "of justice") == ["FCAC-2026-0002"]  # donor
    assert _found(framework, '"smurfing"') == ["FCAC-2026-0002"]  # quotes are text, not syntax
    assert _found(framework, "EU") == ["CT-2026-0003"]
    # Accents count for nothing, in the text or in what is typed; so do punctuation and case.
    assert _found(framework, "cote d'ivoire") == ["OEC-2026-0004"]
    assert _found(framework, "Côte") == ["OEC-2026-0004"]
    assert _found(framework, "sao tome principe") == ["OEC-2026-0004"]
    assert _found(framework, "cyber enabled") == ["OEC-2026-0004"]
    assert _found(framework, "2027") == ["OEC-2026-0004"]
    # Words, not letters inside words: no stemming either ("trafficker" is not "trafficking").
    assert _found(framework, "arknet") == []
    assert _found(framework, "net mark") == []
    assert _found(framework, "trafficker") == []
    # Codes: the text anywhere in the code, as typed.
    assert _found(framework, "2026-000") == [
        "CT-2026-0003",
        "CYB-2026-0001",
        "FCAC-2026-0002",
        "OEC-2026-0004",
    ]
    assert _found(framework, "fcac-2026") == ["FCAC-2026-0002"]
    assert _found(framework, "-0003") == ["CT-2026-0003"]
    # Two characters: "B-" in a code (compared code by code), or a word starting with b (Border).
    assert _found(framework, "B-") == ["CT-2026-0003", "CYB-2026-0001"]
    assert _found(framework, "100%") == []  # % and _ are not wildcards
    assert _found(framework, "nowhere at all") == []

    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0001")).one()
        project.title = "Darknet markets in Uganda"
        project.code = "CYB-2026-0101"
    assert _found(framework, "kenya") == []
    assert _found(framework, "uganda") == ["CYB-2026-0101"]
    assert _found(framework, "0101") == ["CYB-2026-0101"]
    assert _found(framework, "2026-0001") == []

    with session_scope(framework) as session:
        session.delete(session.exec(select(Project).where(Project.code == "CT-2026-0003")).one())
    assert _found(framework, "watch lists") == []
    assert _found(framework, "CT-2026") == []


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Côte d'Ivoire", ["cote", "d", "ivoire"]),
        ("cyber-crime_unit", ["cyber", "crime", "unit"]),
        ('"smurfing" OR *', ["smurfing", "or"]),
        ("  ", []),
        (" ".join(["w"] * 12), ["w"] * 10),
    ],
)
def test_search_words_are_letters_and_digits_folded(typed, words):
    assert search_words(typed) == words


def test_search_uses_the_index(framework):
    """The plan names the FTS5 tables on SQLite, the word and trigram indexes on PostgreSQL."""
    with Session(framework) as session:
        if framework.dialect.name == "sqlite":
            for table, match in (
                ("project_search", '"kenya"'),
                ("project_search_words", '"keny"*'),
            ):
                plan = session.execute(
                    text(f"EXPLAIN QUERY PLAN SELECT rowid FROM {table} WHERE {table} MATCH :m"),
                    {"m": match},
                ).all()
                assert any("VIRTUAL TABLE INDEX" in str(row) for row in plan), plan
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = session.execute(
                text(
                    "EXPLAIN SELECT id FROM project WHERE search_words "
                    "@@ to_tsquery('tracker_words'::regconfig, 'keny:*') "
                    "OR project.code ILIKE '%2026-00%'"
                )
            ).all()
            plan = "\n".join(row[0] for row in plan)
            assert "project_search_words" in plan and "ix_project_code_trgm" in plan, plan


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


def test_a_page_of_many_found_projects_walks_the_codes(framework, monkeypatch):
    """Past WALK_CODES_FROM projects found, a page in code order is made another way on
    SQLite (walking the codes); it holds the same projects in the same order."""
    from tracker.services.projects import listing

    with session_scope(framework) as session:
        for n in (5, 3, 9, 1, 7):
            factories.project(session, code=f"CYB-2026-000{n}", title=f"Markets in Kenya {n}")
        factories.project(session, code="CYB-2026-0002", title="Asset recovery")
    expected = ["CYB-2026-0001", "CYB-2026-0003", "CYB-2026-0005", "CYB-2026-0007", "CYB-2026-0009"]
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for walk_from in (1_000, 2):
        monkeypatch.setattr(listing, "WALK_CODES_FROM", walk_from)
        with Session(framework) as session:
            pages = []
            for page in (1, 2, 3):
                query = parse_project_list_query(
                    session=session, params={"q": "kenya", "page": str(page)}
                )
                found = list_projects(session=session, query=query)
                pages += [row.code for row in found.rows]
        assert (found.total, pages) == (5, expected), walk_from


def test_a_search_alone_is_counted_as_the_list_counts_it(framework):
    """SQLite counts a search with no other filter in its FTS5 tables; the count is the
    list's, whatever the text."""
    from tracker.services.coverage import sql
    from tracker.services.projects import listing

    with session_scope(framework) as session:
        for n, title in enumerate(("Markets in Kenya", "Kenya border", "Asset recovery")):
            factories.project(session, code=f"FCAC-2026-010{n}", title=title)
    with Session(framework) as session:
        for typed in ("kenya", "KEN", "2026-010", "ke", "asset kenya", "-", "nowhere"):
            query = parse_project_list_query(session=session, params={"q": typed})
            fp = sql.filtered_projects(query.coverage, extra=listing._conditions(session, query))
            counted = session.exec(select(func.count()).select_from(fp)).one()
            assert list_projects(session=session, query=query).total == counted, typed
