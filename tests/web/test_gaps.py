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
