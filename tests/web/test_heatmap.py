"""The heatmap page: structure, HTMX fragments, CSV, and refusals of bad parameters."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from tests import factories
from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.services.coverage import targets


@pytest.fixture
def viewer(framework, browser_for):
    with session_scope(framework) as session:
        portfolio.build(session)
    return browser_for("viewer")


def test_heatmap_is_a_real_table_with_numbers_colours_and_gaps(viewer):
    response = viewer.get("/heatmap")
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    page = BeautifulSoup(response.text, "lxml")
    table = page.select_one("table.heatmap")
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == [
        "Goal",
        "Africa",
        "Americas",
        "Asia and South Pacific",
        "Europe",
        "Middle East and North Africa",
        "Global",
        "Total",
    ]
    assert all(th["scope"] == "col" for th in table.select("thead th"))
    rows = table.select("tbody tr")
    assert len(rows) == 7 and all(r.th["scope"] == "row" for r in rows)
    gpg4 = next(r for r in rows if "GPG4" in r.th.text)
    cells = gpg4.select("td.cell")
    assert [c.a.contents[0].strip() for c in cells] == ["3", "0", "1", "1", "0", "1"]
    africa = cells[0]
    assert "step-" in " ".join(africa["class"]) and "cell--gap" not in africa["class"]
    assert africa["title"].startswith(
        "GPG4 · Africa: 3 projects, 2 principal, €142,000.00 attributed"
    )
    americas = cells[1]
    assert "cell--gap" in americas["class"]
    assert "No active project in Americas serves this goal." in americas["title"]
    assert "gap: No active project in Americas serves this goal." in americas.a.get_text()
    # An empty gap opens what can be done about it, not an empty list of projects.
    assert americas.a["href"].startswith("http://testserver/gaps/about?")
    assert "kind=empty_goal_region" in americas.a["href"] and "goal=GPG4" in americas.a["href"]
    assert americas.a["hx-target"] == "#cell-panel"
    # Global counts work without a place: never a gap, and it says so.
    global_ = next(r for r in rows if "GPG2" in r.th.text).select("td.cell")[-1]
    assert "cell--gap" not in global_["class"]
    gpg7 = next(r for r in rows if "GPG7" in r.th.text)
    assert "cell--gap" in gpg7.select_one("td.total")["class"]
    assert "No active project serves this objective." in gpg7.select_one("td.total")["title"]
    legend = [li.get_text(strip=True) for li in page.select(".legend li")]
    assert legend[0] == "None" and legend[-1].startswith("Hatched: a gap.")
    footer = [td.get_text(strip=True) for td in table.select("tfoot td")]
    assert footer[-1] == "8"


def test_every_selector_is_labelled_and_keeps_its_state(viewer):
    page = BeautifulSoup(
        viewer.get(
            "/heatmap?rows=objectives&cols=programmes&metric=budget&status=active&status=completed&floor=2"
        ).text,
        "lxml",
    )
    form = page.select_one("form.heatmap-controls")
    for control in form.select("select, input:not([type=hidden])"):
        assert page.find("label", attrs={"for": control["id"]}) is not None, control["id"]
    assert form.select_one("#rows option[selected]")["value"] == "objectives"
    assert form.select_one("#cols option[selected]")["value"] == "programmes"
    assert form.select_one("#metric option[selected]")["value"] == "budget"
    assert form.select_one("#floor option[selected]")["value"] == "2"
    assert sorted(i["value"] for i in form.select("input[name=status][checked]")) == [
        "active",
        "completed",
    ]
    assert form["hx-push-url"] == "true"
    assert page.select_one("table.heatmap caption").text.startswith(
        "Attributed budget (EUR) by objectives and programmes"
    )


def test_htmx_gets_the_fragment_and_a_history_restore_gets_the_page(viewer):
    fragment = viewer.get("/heatmap?cols=programmes", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "table" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    restore = viewer.get(
        "/heatmap?cols=programmes",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_csv_holds_the_same_matrix_as_the_api(viewer):
    params = "rows=goals&cols=regions&metric=budget"
    response = viewer.get(f"/heatmap.csv?{params}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        'filename="coverage-goals-by-regions-budget.csv"' in response.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "level",
        "code",
        "name",
        "Africa",
        "Americas",
        "Asia and South Pacific",
        "Europe",
        "Middle East and North Africa",
        "Global",
        "Total",
    ]
    by_code = {r[1]: r for r in rows[1:]}
    assert by_code["GPG4"][3:] == [
        "142000.00",
        "0.00",
        "60000.00",
        "28000.00",
        "0.00",
        "0.00",
        "230000.00",
    ]
    assert rows[-1][0] == "total" and rows[-1][-1] == "570000.00"
    api = viewer.get(f"/api/v1/coverage?{params}").json()
    gpg4 = next(r for r in api["rows"] if r["code"] == "GPG4")
    assert gpg4["cells"]["AFR"]["budget_eur"] == "142000.00"
    assert api["total"]["budget_eur"] == "570000.00"


def test_a_target_shortfall_marks_the_cell(framework, viewer):
    with session_scope(framework) as session:
        targets.set_target(
            session=session,
            code="GPG4",
            region_code="AFR",
            min_active_projects=5,
            min_budget_eur=None,
            actor=None,
        )
    page = BeautifulSoup(viewer.get("/heatmap").text, "lxml")
    row = next(r for r in page.select("table.heatmap tbody tr") if "GPG4" in r.th.text)
    africa = row.select("td.cell")[0]
    assert "cell--gap" in africa["class"]
    assert "Target: at least 5 active projects; has 3 active projects." in africa["title"]


BAD = [
    ("rows=planets", "rows", 'unknown value "planets"; allowed: goals, objectives, themes'),
    ("cols=galaxies", "cols", "allowed: regions, countries, programmes, themes, years"),
    ("metric=happiness", "metric", "allowed: projects, principal, budget"),
    ("status=dormant", "status", 'unknown status "dormant"; allowed: pipeline, active'),
    (
        "programme=ZZZ",
        "programme",
        'unknown programme "ZZZ"; allowed: Counter-Terrorism (CT), Cybercrime (CYB), Financial '
        "Crime and Anti-Corruption (FCAC), Organized and Emerging Crime (OEC)",
    ),
    (
        "region=ATLANTIS",
        "region",
        'unknown region "ATLANTIS"; allowed: Africa (AFR), Americas (AME), Asia and South '
        "Pacific (ASP), Europe (EUR), Middle East and North Africa (MENA)",
    ),
    ("rows=themes&cols=themes", "cols", "themes are already the rows"),
    ("from=31/12/2026", "from", '"31/12/2026" is not a date; use the form 2026-03-12'),
    ("to=soon", "to", "is not a date"),
    ("from=2026-06-01&to=2026-01-01", "to", "must not be before from (2026-06-01)"),
    ("floor=3", "floor", "allowed: 1 (significant or principal), 2 (principal only)"),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD)
def test_bad_parameters_are_refused_beside_their_selector(viewer, query, field, message):
    response = viewer.get(f"/heatmap?{query}")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    error = page.find(id=f"{field}-error")
    assert error is not None and message in error.text
    assert page.select_one("table.heatmap") is None
    fragment = viewer.get(f"/heatmap?{query}", headers={"HX-Request": "true"})
    assert fragment.status_code == 400
    assert message in BeautifulSoup(fragment.text, "lxml").get_text()
    api = viewer.get(f"/api/v1/coverage?{query}")
    assert api.status_code == 422
    # The API names the same field; its message is the API's own (enumerations are enums).
    assert any(d["field"].split(".")[0] == field for d in api.json()["detail"]), api.json()
    assert viewer.get(f"/heatmap.csv?{query}").status_code == 400


def test_a_goals_objectives_link_drills_into_that_goal_and_back(viewer):
    page = BeautifulSoup(viewer.get("/heatmap").text, "lxml")
    gpg4 = next(r for r in page.select("table.heatmap tbody tr") if "GPG4" in r.th.text)
    link = gpg4.select_one("a.expand")["href"]
    assert "rows=objectives" in link and "goal=GPG4" in link
    drilled = BeautifulSoup(viewer.get(link).text, "lxml")
    codes = [r.th.select_one(".code").text for r in drilled.select("table.heatmap tbody tr")]
    assert codes[0] == "GPG4" and len(codes) > 1
    assert all(code.startswith("4.") for code in codes[1:])
    # The footer is the goal's: each project counted once.
    footer = [td.get_text(strip=True) for td in drilled.select("table.heatmap tfoot td")]
    total = drilled.select("table.heatmap tbody tr")[0].select_one("td.total").a.contents[0]
    assert footer[-1] == total.strip()
    back = drilled.select_one("nav.drill a")
    assert back.get_text(strip=True) == "← All goals" and "goal=" not in back["href"]
    refused = viewer.get("/heatmap?rows=objectives&goal=GPG99")
    assert refused.status_code == 400
    summary = BeautifulSoup(refused.text, "lxml").select_one(".error-summary").get_text()
    assert 'unknown goal "GPG99"; allowed: Counter terrorism (GPG1)' in summary


def test_countries_without_a_region_ask_for_one_in_place_then_remember_it(viewer):
    asked = viewer.get("/heatmap?cols=countries")
    assert asked.status_code == 200
    page = BeautifulSoup(asked.text, "lxml")
    prompt = page.select_one(".region-prompt")
    assert prompt is not None and prompt.find("select", attrs={"name": "region"}) is not None
    assert "Choose a region" in prompt.get_text()
    # Meanwhile the table shows regions rather than an error.
    assert "Africa" in [th.get_text(strip=True) for th in page.select("table.heatmap thead th")]
    viewer.get("/heatmap?cols=countries&region=AFR")
    again = BeautifulSoup(viewer.get("/heatmap?cols=countries").text, "lxml")
    assert again.select_one(".region-prompt") is None
    assert "(Africa)" in again.select_one("table.heatmap caption").get_text()


def test_principal_projects_are_counted_by_one_control(viewer):
    page = BeautifulSoup(viewer.get("/heatmap").text, "lxml")
    shows = [o["value"] for o in page.select("select[name=metric] option")]
    assert shows == ["projects", "budget"]
    hint = page.select_one("#floor-hint").get_text()
    assert "Principal only counts a project where it is principal" in hint
    # An address that asks for principal projects shows the same figures as principal only.
    principal = BeautifulSoup(viewer.get("/heatmap?metric=principal").text, "lxml")
    floor = BeautifulSoup(viewer.get("/heatmap?floor=2").text, "lxml")

    def figures(doc):
        return [a.contents[0].strip() for a in doc.select("table.heatmap tbody td a")]

    assert figures(principal) == figures(floor)
    chosen = principal.select_one("select[name=floor] option[selected]")
    assert chosen["value"] == "2"


def test_an_empty_budget_cell_that_is_not_a_gap_says_why(framework, viewer):
    with session_scope(framework) as session:
        cyb = factories.programme(session, "CYB").id
        project = factories.project(session, code="NB", programme_id=cyb, budget_amount=None)
        factories.location(session, project, "KE")
        factories.objective_tag(session, project, "2.1", significance=2)
    page = BeautifulSoup(viewer.get("/heatmap?metric=budget").text, "lxml")
    gpg2 = next(r for r in page.select("table.heatmap tbody tr") if "GPG2" in r.th.text)
    africa = gpg2.select("td.cell")[0]
    assert "cell--gap" not in africa["class"]
    assert "No money reaches this cell: its projects have no budget recorded" in africa["title"]


def test_countries_are_in_the_order_of_the_pages_language(framework, browser_for):
    with session_scope(framework) as session:
        for code in ("AT", "DE", "FR"):
            project = factories.project(session, code=f"EU-{code}")
            factories.location(session, project, code)
            factories.objective_tag(session, project, "4.1")
    viewer = browser_for("viewer")

    def countries(language: str) -> list[str]:
        page = viewer.get(f"/heatmap?cols=countries&region=EUR&lang={language}")
        headers = BeautifulSoup(page.text, "lxml").select("table.heatmap thead th[scope=col]")
        return [th.get_text(" ", strip=True) for th in headers][1:4]

    assert countries("en") == ["Austria", "France", "Germany"]
    assert countries("fr") == ["Allemagne", "Autriche", "France"]
    assert countries("es") == ["Alemania", "Austria", "Francia"]


def test_a_kept_table_is_the_same_table_and_the_page_still_says_its_translation(viewer):
    """The table is kept until coverage changes, per view and language: asked again, the page
    is the same, and a page in French still says the framework is a working translation."""
    view = "/heatmap?rows=objectives&cols=countries&region=AFR"
    first, again = viewer.get(view).text, viewer.get(view).text
    assert first == again
    french = [viewer.get(f"{view}&lang=fr") for _ in range(2)]
    for response in french:
        page = BeautifulSoup(response.text, "lxml")
        assert page.select_one(".translation-note") is not None
        assert page.select_one("table.heatmap caption").get_text().startswith("Projets par")
    english = BeautifulSoup(viewer.get(f"{view}&lang=en").text, "lxml")
    assert english.select_one(".translation-note") is None
    assert (
        english.select_one("table.heatmap caption").get_text()
        == BeautifulSoup(first, "lxml").select_one("table.heatmap caption").get_text()
    )
