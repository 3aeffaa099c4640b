"""IATI files on the import page: the report's three groups and the choice to skip what
cannot be imported, a publisher's hierarchy as a tree and checked again at another level, the
heatmap counting it once; and what a project keeps of its activity on its page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bs4 import BeautifulSoup
from sqlmodel import Session, func, select

from tests import factories
from tests.conftest import csrf_of
from tests.factories import ADMIN
from tests.waiting import wait_until
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import Project
from tracker.services.exchange.iati.read import import_iati

PUBLISHERS = Path(__file__).parents[1] / "data" / "iati" / "publishers"
FOREIGN = (PUBLISHERS / "foreign-ministry-2.01.xml").read_bytes()
HIERARCHY = (PUBLISHERS / "development-ministry-2.01-hierarchy.xml").read_bytes()
SPANISH = (PUBLISHERS / "ministry-2.03-spanish.xml").read_bytes()


def _checked(admin, content: bytes, name: str = "activities.xml") -> tuple[str, BeautifulSoup]:
    """Upload an IATI file of Financial Crime and Anti-Corruption; its job's address and its
    page once checked."""
    token = csrf_of(admin, "/admin/imports")
    response = admin.post(
        "/admin/imports",
        data={"kind": "iati", "programme": "FCAC", "csrf_token": token},
        files={"file": (name, content)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return location, _finished(admin, location)


def _finished(admin, location: str) -> BeautifulSoup:
    def done():
        page = BeautifulSoup(admin.get(location).text, "lxml")
        return page if page.find("progress") is None else None

    return wait_until(done, interval=0.05, what=f"the import at {location} to finish")


def _post(admin, page: BeautifulSoup, action_end: str, **fields):
    form = page.find("form", attrs={"action": lambda a: a and a.endswith(action_end)})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    return admin.post(form["action"], data={"csrf_token": token, **fields}, follow_redirects=False)


def _text(element) -> str:
    return element.get_text(" ", strip=True)


def _count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Project)).one()


def test_the_report_separates_what_imports_and_skipping_is_a_choice(framework, browser_for):
    admin = browser_for("admin")
    location, page = _checked(admin, FOREIGN)
    report = page.find("section", class_="import-groups")
    words = _text(report)
    assert "7 activities (IATI 2.01): 5 can be imported , 5 of them with notes" in words
    assert "2 cannot be imported" in words
    headings = [_text(h) for h in report.find_all("h3")]
    assert headings == ["Will be imported, with notes (5)", "Cannot be imported (2)"]
    notes = _text(report.find("h3", string="Will be imported, with notes (5)").find_next("ul"))
    assert "Its budget lines add up to -280,662.76 EUR; imported without a budget." in notes
    rows = [[_text(td) for td in tr.find_all("td")] for tr in report.select("tbody tr")]
    assert rows[0][0] == "XI-IATI-EXMFA-4000005"
    assert rows[0][1].startswith('Budget value "1.250.000,00"')

    # All or none unless the box is ticked: refused beside it, nothing written.
    refused = _post(admin, page, "/commit")
    assert refused.status_code == 400
    error = BeautifulSoup(refused.text, "lxml").find(id="skip_invalid-error")
    assert "2 activities cannot be imported" in _text(error)
    assert "tick this to import the 5 others" in _text(error)
    assert _count(framework) == 0

    assert _post(admin, page, "/commit", skip_invalid="true").status_code == 303
    done = _text(_finished(admin, location))
    assert "Imported. 5 projects added and 0 updated." in done
    assert "5 imported" in done and "2 skipped: they cannot be imported" in done
    assert _count(framework) == 5


def test_a_hierarchy_shows_as_a_tree_and_another_level_is_a_choice(framework, browser_for):
    admin = browser_for("admin")
    location, page = _checked(admin, HIERARCHY)
    tree = page.find("ul", class_="activity-tree")
    tops = tree.find_all("li", recursive=False)
    assert [_text(li.find("span", class_="code")) for li in tops] == [
        "XI-IATI-EXDEV-P100",
        "XI-IATI-EXDEV-P200",
        "XI-IATI-EXDEV-P300",
    ]
    assert "not a project of its own" in _text(tops[0].find("span", class_="outcome"))
    children = tops[0].find("ul").find_all("li")
    assert [_text(c.find("span", class_="outcome")) for c in children] == [
        "· level 2 · will be imported"
    ] * 2
    assert page.find("input", attrs={"name": "level", "checked": True})["value"] == "2"
    assert "5 can be imported" in _text(page)

    wrong = _post(admin, page, "/level", level="3")
    assert wrong.status_code == 400
    assert "must be one of the file's levels: 1, 2" in _text(
        BeautifulSoup(wrong.text, "lxml").find(id="level-error")
    )
    assert _post(admin, page, "/level", level="1").status_code == 303
    again = _finished(admin, location)
    assert "3 can be imported" in _text(again) and "Level 1 is imported" in _text(again)
    assert _post(admin, again, "/commit").status_code == 303
    assert "Imported. 3 projects added" in _text(_finished(admin, location))

    # The heatmap counts three programmes of work, and their children's money once.
    with session_scope(framework) as session:
        for project in session.exec(select(Project)):
            factories.objective_tag(session, project, "2.1")
    totals = {}
    for metric in ("projects", "budget"):
        response = admin.get(f"/heatmap.csv?rows=goals&cols=regions&status=any&metric={metric}")
        totals[metric] = list(csv.reader(io.StringIO(response.text)))[-1][-1]
    assert totals == {"projects": "3", "budget": "2450000.00"}


def test_a_project_page_shows_its_sectors_language_and_hierarchy(framework, browser_for):
    for content in (HIERARCHY, SPANISH):
        with session_scope(framework) as session:
            report = import_iati(
                session=session,
                content=content,
                programme="FCAC",
                principal=ADMIN,
                settings=Settings(env="test"),
                commit=True,
            )
            assert report.committed
    viewer = browser_for("viewer")
    page = BeautifulSoup(viewer.get("/projects/XI-IATI-EXDEV-P100-C1").text, "lxml")
    assert _text(page.find(id="project-sectors")) == (
        "15113 Anti-corruption organisations and institutions 100%"
    )
    hierarchy = page.find(id="project-hierarchy")
    assert "Level 2 of its publisher's activities." in _text(hierarchy)
    assert "Part of XI-IATI-EXDEV-P100 Countering organised crime in East Africa" in _text(
        hierarchy
    )
    assert [a["href"].endswith("/projects/XI-IATI-EXDEV-P100-C2") for a in hierarchy("a")] == [True]

    spanish = BeautifulSoup(viewer.get("/projects/XI-IATI-EXMIN-2024-001").text, "lxml")
    assert spanish.find("h1").find("span", lang="es").text.startswith("Fortalecimiento")
    assert spanish.find("p", class_="lede")["lang"] == "es"
    assert _text(spanish.find(id="project-language")).startswith(
        "Title in Spanish; summary in Spanish"
    )
    assert "15130 Legal and judicial development 50%" in _text(spanish.find(id="project-sectors"))
