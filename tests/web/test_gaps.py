"""The gaps page, and the targets that say what counts as a gap."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from tests.conftest import csrf_of
from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.models import Target


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def test_gaps_page_groups_gaps_with_reasons_and_links(example, browser_for):
    page = BeautifulSoup(browser_for("viewer").get("/gaps").text, "lxml")
    groups = {s.h2.get_text(" ", strip=True): s for s in page.select("section.gap-group")}
    assert "Objectives no project serves (27)" in groups
    unscreened = groups["Projects not yet screened (1)"].li
    assert unscreened.strong.text == "1 active project"
    assert "/gaps/about?kind=unscreened&" in unscreened.a["href"]
    about = BeautifulSoup(browser_for("viewer").get(unscreened.a["href"]).text, "lxml")
    lead = about.select_one("section.gap-lead")
    assert lead.h2.get_text(" ", strip=True) == "The projects to screen (1)"
    assert len(lead.select("ul.lead-projects li")) == 1


def test_gaps_page_filters_by_kind(example, browser_for):
    response = browser_for("viewer").get("/gaps?kind=theme_without_project")
    page = BeautifulSoup(response.text, "lxml")
    assert [s.h2.get_text(" ", strip=True) for s in page.select("section.gap-group")] == [
        "Themes no project serves (3)"
    ]
    fragment = browser_for("viewer").get("/gaps?kind=unscreened", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "Projects not yet screened" in fragment.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("kind=meteor", "kind", 'unknown gap kind "meteor"'),
        ("programme=XX", "programme", 'unknown programme "XX"'),
        ("region=XX", "region", 'unknown region "XX"'),
        ("floor=9", "floor", 'unknown value "9"'),
    ],
)
def test_gaps_page_refuses_bad_filters_beside_them(example, browser_for, query, field, message):
    response = browser_for("viewer").get(f"/gaps?{query}")
    assert response.status_code == 400
    error = BeautifulSoup(response.text, "lxml").find(id=f"{field}-error")
    assert error is not None and message in error.text


def test_targets_page_sets_and_refuses(example, browser_for):
    admin = browser_for("admin")
    token = csrf_of(admin, "/admin/targets")
    refused = admin.post(
        "/admin/targets", data={"code": "4.2", "min_active_projects": "a few", "csrf_token": token}
    )
    assert refused.status_code == 400
    error = BeautifulSoup(refused.text, "lxml").find(id="min_active_projects-error")
    assert "must be a whole number from 0 to 1,000,000" in error.text
    with session_scope(example) as session:
        assert session.exec(select(Target)).all() == []
    saved = admin.post(
        "/admin/targets",
        data={"code": "4.2", "region": "AFR", "min_active_projects": "2", "csrf_token": token},
    )
    assert saved.status_code == 200 and "Target saved." in saved.text
    row = BeautifulSoup(saved.text, "lxml").select_one("table tbody tr")
    assert [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])][:4] == [
        "4.2 Cooperation against cybercrime",
        "Africa",
        "2",
        "–",
    ]


def test_an_unserved_objective_opens_what_can_be_done_never_an_empty_list(example, browser_for):
    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/gaps?kind=uncovered_objective").text, "lxml")
    links = [a["href"] for a in page.select("ul.gap-list a")]
    assert links and all("/gaps/about?kind=uncovered_objective&" in h for h in links)
    for href in links:
        about = BeautifulSoup(admin.get(href).text, "lxml")
        leads = about.select("section.gap-lead")
        # Every list shown holds projects; an empty one is left out.
        assert all(lead.select("ul.lead-projects li") for lead in leads)
        actions = about.select_one("ul.gap-actions").get_text(" ", strip=True)
        assert "Register a project" in actions and "Set a target" in actions
        target = about.find("a", string="Set a target")["href"]
        assert target.startswith("http://testserver/admin/targets?code=")
    viewer = BeautifulSoup(browser_for("viewer").get(links[0]).text, "lxml")
    actions = viewer.select_one("ul.gap-actions").get_text(" ", strip=True)
    assert "Set a target" not in actions and "Programme managers can register" in actions


def test_a_gap_that_closed_meanwhile_says_so(example, browser_for):
    page = browser_for("viewer").get("/gaps/about?kind=uncovered_objective&objective=4.1")
    assert page.status_code == 200
    assert "No longer a gap" in BeautifulSoup(page.text, "lxml").h1.get_text()


def test_top_gaps_on_the_overview_open_their_page(example, browser_for):
    viewer = browser_for("viewer")
    page = BeautifulSoup(viewer.get("/").text, "lxml")
    links = [
        a["href"] for a in page.select("#top-gaps ~ ul a, section[aria-labelledby=top-gaps] ul a")
    ]
    assert links and all("/gaps/about?" in h for h in links)
    assert all(viewer.get(h).status_code == 200 for h in links)
