"""The projects list: search, filters, sorting, pages, and refusals."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.services.coverage import portfolio
from tracker.db import session_scope


@pytest.fixture
def viewer(framework, browser_for):
    with session_scope(framework) as session:
        portfolio.build(session)
    return browser_for("viewer")


def _codes(response) -> list[str]:
    page = BeautifulSoup(response.text, "lxml")
    return [row.select_one("span.code").text for row in page.select("table.project-table tbody tr")]


def test_everything_by_default_sorted_by_code(viewer):
    response = viewer.get("/projects")
    assert _codes(response) == [
        "P1",
        "P10",
        "P11",
        "P12",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
        "P7",
        "P8",
        "P9",
    ]
    count = (
        BeautifulSoup(response.text, "lxml").select_one(".result-count").get_text(" ", strip=True)
    )
    assert count.startswith("12 projects")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("goal=GPG4&status=active", ["P1", "P11", "P2", "P3", "P5"]),
        ("objective=4.1", ["P1", "P2", "P5", "P7"]),
        ("objective=4.1&floor=2&status=active", ["P1", "P2", "P5"]),
        ("theme=III", ["P2"]),
        ("programme=FCAC", ["P4", "P6"]),
        ("located=AFR&status=active", ["P1", "P11", "P2", "P4", "P8", "P9"]),
        ("located=global", ["P3"]),
        ("located=KE&status=completed", ["P7"]),
        ("status=pipeline", ["P10"]),
        ("screened=no&status=active", ["P8"]),
        ("q=p1", ["P1", "P10", "P11", "P12"]),
    ],
)
def test_filters(viewer, query, expected):
    response = viewer.get(f"/projects?{query}")
    assert response.status_code == 200
    assert _codes(response) == expected


def test_sorting_by_budget(viewer):
    codes = _codes(viewer.get("/projects?sort=-budget&status=active"))
    # Budgets in EUR; equal ones by code; no budget last on PostgreSQL and SQLite alike.
    assert codes == ["P8", "P1", "P2", "P3", "P6", "P4", "P5", "P11", "P12", "P9"]
    assert _codes(viewer.get("/projects?sort=budget&status=active"))[-1] == "P9"


def test_live_search_returns_the_fragment(viewer):
    response = viewer.get(
        "/projects?q=P6", headers={"HX-Request": "true", "HX-Target": "project-results"}
    )
    assert "<html" not in response.text and _codes(response) == ["P6"]
    assert response.headers["vary"] == "HX-Request"


def test_the_cell_panel_gets_a_close_button(viewer):
    response = viewer.get(
        "/projects?goal=GPG4", headers={"HX-Request": "true", "HX-Target": "cell-panel"}
    )
    page = BeautifulSoup(response.text, "lxml")
    assert page.select_one("button[data-close-panel]") is not None
    assert page.find("a", string="Open as a full list")["href"].endswith("/projects?goal=GPG4")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("goal=GPG9", "goal", 'unknown goal "GPG9"'),
        ("objective=12.1", "objective", 'unknown objective "12.1"'),
        ("theme=XI", "theme", 'unknown theme "XI"'),
        ("located=Narnia", "located", 'unknown place "Narnia"'),
        ("year=20x6", "year", "must be a year such as 2026"),
        ("screened=maybe", "screened", 'unknown value "maybe"'),
        ("sort=colour", "sort", 'unknown sort "colour"'),
        ("page=0", "page", "must be a page number"),
        ("status=lost", "status", 'unknown status "lost"'),
        ("wibble=1", "wibble", "unknown parameter"),
    ],
)
def test_bad_filters_are_refused(viewer, query, field, message):
    response = viewer.get(f"/projects?{query}")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    assert message in page.get_text()
    if page.find(id=f"{field}-error"):
        assert message in page.find(id=f"{field}-error").text


def test_the_where_filter_offers_regions_and_countries(viewer):
    page = BeautifulSoup(viewer.get("/projects?located=KE").text, "lxml")
    select = page.find(id="located")
    assert page.find("label", attrs={"for": "located"}).text == "Where"
    groups = [g["label"] for g in select.find_all("optgroup")]
    assert groups[0] == "Regions" and "Countries of Africa" in groups
    assert select.find("option", selected=True)["value"] == "KE"
    assert _codes(viewer.get("/projects?located=KE")) == [
        "P1",
        "P10",
        "P11",
        "P2",
        "P7",
        "P8",
        "P9",
    ]
