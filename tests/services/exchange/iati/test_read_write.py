"""IATI 2.03: the annotated example, files of several activities with SDG tags, and export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlmodel import Session, select

from tests.factories import ADMIN
from tests.files import IATI_SEVERAL
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Project, ProjectSDGTag
from tracker.services.exchange.iati.read import import_iati
from tracker.services.exchange.iati.write import export_iati
from tracker.services.projects.detail import project_detail

DATA = Path(__file__).parents[3] / "data" / "iati"
SETTINGS = Settings(env="test")
SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "iati-activities-schema.xsd")))


def _import(engine, content, commit):
    with session_scope(engine) as session:
        return import_iati(
            session=session,
            content=content,
            programme="CYB",
            principal=ADMIN,
            settings=SETTINGS,
            commit=commit,
        )


def test_the_annotated_example(framework):
    content = (DATA / "activity-standard-example-annotated.xml").read_bytes()
    report = _import(framework, content, commit=True)
    assert report.committed and report.creates == ["AA-AAA-123456789-ABC123"]
    notes = [n["note"] for n in report.notes]
    assert "recipient-region A1 (vocabulary 99) has no INTERPOL region; left out" in notes
    assert "recipient percentages added up to 75; rescaled to 100" in notes
    with Session(framework) as session:
        project = session.exec(select(Project)).one()
        detail = project_detail(session=session, code=project.code)
    assert (project.title, project.status) == ("Activity title", "active")
    assert project.summary.startswith("General activity description text.")
    assert (project.start_date, project.end_date) == (date(2012, 4, 28), date(2015, 12, 31))
    assert (project.budget_amount, project.budget_currency) == (
        Decimal("3000.00"),
        "EUR",
    )  # revised replaces
    assert sorted((loc.code, str(loc.percentage)) for loc in detail.locations) == [
        ("AF", "33.33"),
        ("AG", "33.33"),
        ("AME", "33.34"),
    ]


def test_several_activities_with_sdg_tags_and_every_failure_reported(framework):
    report = _import(framework, IATI_SEVERAL, commit=True)
    assert report.creates == ["XM-EX-1-CYBER", "XM-EX-1-BORDER"]
    reasons = {u["activity"]: u["reason"] for u in report.unmapped}
    assert reasons == {
        "XM-EX-1-BROKEN": 'its activity-status "9" is not one of 1 to 6',
        "XM-EX-1-MONEY": "its budget is in XYZ, a currency the tracker has no rate for",
    }
    assert not report.committed  # all or none: nothing is written while any activity fails
    fine = (
        IATI_SEVERAL.split(b" <iati-activity>\n  <iati-identifier>XM-EX-1-BROKEN")[0]
        + b"</iati-activities>"
    )
    report = _import(framework, fine, commit=True)
    assert report.committed
    with Session(framework) as session:
        cyber = session.exec(select(Project).where(Project.code == "XM-EX-1-CYBER")).one()
        border = session.exec(select(Project).where(Project.code == "XM-EX-1-BORDER")).one()
        sdgs = sorted(
            (t.vocabulary, t.code)
            for t in session.exec(select(ProjectSDGTag).where(ProjectSDGTag.project_id == cyber.id))
        )
    assert cyber.title == "Cyber training"  # English among several
    assert (cyber.budget_amount, cyber.start_date) == (Decimal("200000.00"), date(2026, 2, 1))
    assert cyber.donor == "Example donor"
    assert sdgs == [(2, "16"), (3, "16.4")]
    assert (border.status, border.budget_currency, border.budget_amount) == (
        "completed",
        "USD",
        Decimal("50000.00"),
    )
    # Importing again updates by identifier.
    assert _import(framework, fine, commit=True).updates == ["XM-EX-1-CYBER", "XM-EX-1-BORDER"]


@pytest.mark.parametrize("case", ["demo", "imported", "hierarchy"])
def test_export_validates_against_the_schema(framework, case):
    from tracker.services.demo import seed_demo_portfolio

    with session_scope(framework) as session:
        if case == "demo":
            seed_demo_portfolio(session=session, projects=40, seed=3, today=date(2026, 11, 2))
    if case == "imported":
        _import(
            framework, (DATA / "activity-standard-example-annotated.xml").read_bytes(), commit=True
        )
    if case == "hierarchy":  # parents imported with their children: related-activity type 2
        with session_scope(framework) as session:
            import_iati(
                session=session,
                content=(
                    DATA / "publishers" / "development-ministry-2.01-hierarchy.xml"
                ).read_bytes(),
                programme="CYB",
                principal=ADMIN,
                settings=SETTINGS,
                commit=True,
                level=1,
            )
    with Session(framework) as session:
        xml = export_iati(session=session, settings=SETTINGS)
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), SCHEMA.error_log.last_error
    activities = document.findall("iati-activity")
    assert activities
    tags = [t for a in activities for t in a.findall("tag")]
    if case == "demo":
        assert any(t.get("vocabulary") == "99" for t in tags)
        assert any(t.get("vocabulary") == "2" and t.get("code") == "16" for t in tags)
    if case == "hierarchy":
        assert [a.get("hierarchy") for a in activities] == ["1", "1", "1"]
        links = [r.get("type") for a in activities for r in a.findall("related-activity")]
        assert links == ["2"] * 5


def test_objective_tags_come_back_from_our_own_export(framework):
    from tracker.services.demo import seed_demo_portfolio

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=5, seed=9, today=date(2026, 11, 2))
    with Session(framework) as session:
        xml = export_iati(session=session, settings=SETTINGS)
        before = {
            p.code: project_detail(session=session, code=p.code)
            for p in session.exec(select(Project))
        }
    with Session(framework) as session:
        for project in session.exec(select(Project)):
            session.delete(project)
        session.commit()
    assert _import(framework, xml, commit=True).committed
    with Session(framework) as session:
        for code, detail in before.items():
            again = project_detail(session=session, code=code)
            assert [(t.code, t.significance) for t in again.objective_tags] == [
                (t.code, t.significance) for t in detail.objective_tags
            ]


def test_iati_sdg_tags_show_on_the_project_page(framework, browser_for):
    fine = (
        IATI_SEVERAL.split(b" <iati-activity>\n  <iati-identifier>XM-EX-1-BROKEN")[0]
        + b"</iati-activities>"
    )
    assert _import(framework, fine, commit=True).committed
    from bs4 import BeautifulSoup

    page = BeautifulSoup(browser_for("viewer").get("/projects/XM-EX-1-CYBER").text, "lxml")
    assert "Tagged in IATI: SDG 16, target 16.4" in page.find(id="project-sdgs").get_text(
        " ", strip=True
    )


def _iati_state(engine) -> dict[str, tuple]:
    """What a project keeps of its IATI activity, by code."""
    from tracker.services.projects.sectors import related_by_project, sectors_by_project

    with Session(engine) as session:
        projects = list(session.exec(select(Project)))
        ids = [p.id for p in projects]
        sectors = sectors_by_project(session=session, project_ids=ids)
        related = related_by_project(session=session, project_ids=ids)
        return {
            p.code: (
                p.title,
                p.title_language,
                p.summary_language,
                p.iati_hierarchy,
                p.budget_amount,
                [(s.code, s.percentage) for s in sectors.get(p.id, [])],
                [(r.relation, r.ref) for r in related.get(p.id, [])],
            )
            for p in projects
        }


def test_publishers_files_come_back_from_the_export_with_sectors_links_and_languages(framework):
    publishers = DATA / "publishers"
    for name in ("development-ministry-2.01-hierarchy", "ministry-2.03-spanish"):
        assert _import(framework, (publishers / f"{name}.xml").read_bytes(), commit=True).committed
    with session_scope(framework) as session:
        foreign = (publishers / "foreign-ministry-2.01.xml").read_bytes()
        assert import_iati(
            session=session,
            content=foreign,
            programme="CYB",
            principal=ADMIN,
            settings=SETTINGS,
            commit=True,
            skip_invalid=True,
        ).committed
    before = _iati_state(framework)
    assert len(before) == 14
    with Session(framework) as session:
        xml = export_iati(session=session, settings=SETTINGS)
    document = etree.fromstring(xml)
    assert SCHEMA.validate(document), SCHEMA.error_log.last_error
    child = document.xpath("iati-activity[iati-identifier='XI-IATI-EXDEV-P100-C1']")[0]
    assert child.get("hierarchy") == "2"
    assert [(r.get("ref"), r.get("type")) for r in child.findall("related-activity")] == [
        ("XI-IATI-EXDEV-P100", "1")
    ]
    assert [(s.get("code"), s.get("vocabulary")) for s in child.findall("sector")] == [
        ("15113", "1")
    ]
    spanish = document.xpath("iati-activity[iati-identifier='XI-IATI-EXMIN-2024-001']")[0]
    title = spanish.find("title/narrative")
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"

    with Session(framework) as session:
        for project in session.exec(select(Project)):
            session.delete(project)
        session.commit()
    again = _import(framework, xml, commit=True)
    assert again.committed and not again.unmapped
    assert _iati_state(framework) == before


def test_the_export_streams_a_few_activities_at_a_time(framework, monkeypatch):
    """The file comes in pieces, each of CHUNK activities read after the one before was
    written; joined, they are the same valid file, with every project once, in code order."""
    from tracker.services.demo import seed_demo_portfolio
    from tracker.services.exchange import chunks
    from tracker.services.exchange.iati import write

    with session_scope(framework) as session:
        seed_demo_portfolio(session=session, projects=7, seed=3, today=date(2026, 11, 2))
    monkeypatch.setattr(chunks, "CHUNK", 3)
    with Session(framework) as session:
        codes = sorted(session.exec(select(Project.code)))
        pieces = list(write.iati_chunks(session=session, settings=SETTINGS))
        some = b"".join(write.iati_chunks(session=session, settings=SETTINGS, codes=codes[2:6]))
    assert len(pieces) == 1 + 3 + 1  # the opening, three pieces of at most 3, the closing
    document = etree.fromstring(b"".join(pieces))
    assert SCHEMA.validate(document), SCHEMA.error_log.last_error
    identifiers = [a.findtext("iati-identifier") for a in document.findall("iati-activity")]
    assert identifiers == codes
    chosen = etree.fromstring(some)
    assert [a.findtext("iati-identifier") for a in chosen] == codes[2:6]
    streamed = etree.fromstring(
        b"".join(write.iati_file(engine=framework, settings=SETTINGS, codes=None))
    )
    assert [a.findtext("iati-identifier") for a in streamed] == codes
