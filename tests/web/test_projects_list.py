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
        (
            "goal=GPG9",
            "goal",
            'unknown goal "GPG9"; allowed: Counter terrorism (GPG1), Border security (GPG2), '
            "Vulnerable communities (GPG3), Cybercrime (GPG4), "
            "Corruption and financial crime (GPG5), "
            "Organized crime and drug trafficking (GPG6), Environmental security (GPG7)",
        ),
        (
            "objective=12.1",
            "objective",
            'unknown objective "12.1"; allowed: one of the framework\'s 38 objectives, such as '
            "Disrupt terrorist activities through data exchange (1.1), "
            "Terrorist threat awareness and analysis (1.2), "
            "Technical expertise against terrorist threats (1.3)",
        ),
        (
            "theme=XI",
            "theme",
            'unknown theme "XI"; allowed: Data and information sharing (I); '
            "Collaboration and partnerships (II); "
            "Good governance, rule of law and respect for human rights (III); "
            "Capacity building and training, innovation and digitalization (IV); "
            "Cybercrime and financial crime as enablers (V); No theme (none)",
        ),
        (
            "located=Narnia",
            "located",
            'unknown place "Narnia"; allowed: a region, Africa (AFR), Americas (AME), '
            "Asia and South Pacific (ASP), Europe (EUR), Middle East and North Africa (MENA); "
            "a country, by its two-letter code, such as Afghanistan (AF); "
            "or global (no place), whole-region or elsewhere (both with a region)",
        ),
        ("year=20x6", "year", "must be a year such as 2026"),
        (
            "screened=maybe",
            "screened",
            'unknown screening "maybe"; allowed: Screened (yes); Not yet screened (no); '
            "Screened, not aligned (not_aligned)",
        ),
        (
            "sort=colour",
            "sort",
            'unknown sort "colour"; allowed: Code (code), Title (title), Status (status), '
            "Start date (start), End date (end), Budget (budget), Last changed (updated), "
            "each with - before it to sort descending (such as -budget)",
        ),
        ("page=0", "page", "must be a page number"),
        (
            "status=lost",
            "status",
            'unknown status "lost"; allowed: pipeline, active, completed, suspended, '
            "cancelled, or any",
        ),
        (
            "programme=ZZ",
            "programme",
            'unknown programme "ZZ"; allowed: Counter-Terrorism (CT), Cybercrime (CYB), '
            "Financial Crime and Anti-Corruption (FCAC), Organized and Emerging Crime (OEC)",
        ),
        ("wibble=1", "wibble", "unknown parameter"),
    ],
)
def test_bad_filters_are_refused(viewer, query, field, message):
    response = viewer.get(f"/projects?{query}")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    summary = page.select_one(".error-summary").get_text(" ", strip=True)
    assert f"{field} {message}" in summary
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


def test_objectives_and_themes_read_by_name_principal_first(viewer):
    page = BeautifulSoup(viewer.get("/projects?q=P2").text, "lxml")
    table = page.select_one("table.project-table")
    headings = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headings[4] == "Objectives and themes"
    cell = table.select_one("tbody tr").find_all("td")[3]
    lines = [line.get_text(" ", strip=True) for line in cell.find_all("div")]
    assert lines == [
        "Principal: 4.1 Cybercrime threat intelligence",
        "Significant: 5.2 Financial crime investigation capacity",
        "III Good governance, rule of law and respect for human rights",
    ]
    assert cell.find("div").select_one(".visually-hidden").text == "Principal: "
    significant = cell.select("div.statement")
    assert [d.select_one("span.code").text for d in significant] == ["5.2", "III"]
    # Two principal objectives, each on its line, in the framework's order.
    p3 = BeautifulSoup(viewer.get("/projects?q=P3").text, "lxml")
    cell = p3.select_one("table.project-table tbody tr").find_all("td")[3]
    assert [d.get_text(" ", strip=True) for d in cell("div")] == [
        "Principal: 1.1 Disrupt terrorist activities through data exchange",
        "1.2 Terrorist threat awareness and analysis",
        "Significant: 4.2 Cooperation against cybercrime",
    ]
    assert [d.select_one("span.code").text for d in cell.select("div.statement")] == ["4.2"]


def test_the_cell_panel_names_objectives_and_themes(viewer):
    response = viewer.get(
        "/projects?q=P2", headers={"HX-Request": "true", "HX-Target": "cell-panel"}
    )
    item = BeautifulSoup(response.text, "lxml").select_one(".panel-list li")
    lines = [p.get_text(" ", strip=True) for p in item.find_all("p")]
    assert lines[1:] == [
        "Principal: 4.1 Cybercrime threat intelligence",
        "Significant: 5.2 Financial crime investigation capacity; "
        "III Good governance, rule of law and respect for human rights",
    ]


def test_framework_filters_offer_names_with_codes_as_values(viewer):
    page = BeautifulSoup(viewer.get("/projects?objective=4.1&theme=none").text, "lxml")
    goals = page.find("select", id="goal")
    assert [(o["value"], o.text) for o in goals.find_all("option")][:3] == [
        ("", "Any goal"),
        ("GPG1", "GPG1 — Counter terrorism"),
        ("GPG2", "GPG2 — Border security"),
    ]
    objectives = page.find("select", id="objective")
    groups = objectives.find_all("optgroup")
    assert len(groups) == 7 and groups[3]["label"] == "GPG4 — Cybercrime"
    assert [(o["value"], o.text) for o in groups[3].find_all("option")][:2] == [
        ("4.1", "4.1 — Cybercrime threat intelligence"),
        ("4.2", "4.2 — Cooperation against cybercrime"),
    ]
    assert objectives.find("option", selected=True)["value"] == "4.1"
    assert len(objectives.find_all("option")) == 38 + 1
    themes = page.find("select", id="theme")
    options = [(o["value"], o.text) for o in themes.find_all("option")]
    assert options[0] == ("", "Any theme") and options[-1] == ("none", "No theme")
    assert ("III", "III — Good governance, rule of law and respect for human rights") in options
    assert themes.find("option", selected=True)["value"] == "none"


def test_the_heading_names_the_filters(viewer):
    page = BeautifulSoup(
        viewer.get("/projects?objective=4.1&programme=CYB&programme=FCAC").text, "lxml"
    )
    assert page.select_one(".result-count").get_text(" ", strip=True) == (
        "4 projects : objective 4.1 Cybercrime threat intelligence · "
        "programmes Cybercrime, Financial Crime and Anti-Corruption"
    )
