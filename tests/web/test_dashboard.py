"""The dashboard: the landing page, with and without a framework."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests import factories
from tests.conftest import PASSWORD, sign_in
from tracker.db import session_scope


def test_dashboard_shows_headlines_goals_gaps_and_changes(framework, browser_for):
    with session_scope(framework) as session:
        active = factories.project(session, status="active", budget_amount=100_000)
        completed = factories.project(session, status="completed")
        factories.project(session, status="active")  # unscreened
        for project, code in ((active, "4.1"), (active, "4.2"), (completed, "4.3")):
            factories.objective_tag(session, project, code, significance=2)
    page = BeautifulSoup(browser_for("viewer").get("/").text, "lxml")
    cards = {
        card.find(class_="card__label").text: card.find(class_="card__number").text
        for card in page.select(".card")
    }
    assert cards["active projects"] == "2"
    assert cards["budget of active projects"] == "€200K"
    assert cards["of active projects screened"] == "50%"
    rows = {
        row.th.find(class_="code").text: [td.get_text(strip=True) for td in row.find_all("td")]
        for row in page.select("#by-goal + .table-scroll table tbody tr")
    }
    assert len(rows) == 7
    # The completed project, registered today, counted as active from its start date until now.
    assert rows["GPG4"] == ["1", "1", "€100K", "from 2 to 1"]
    assert page.select_one("#overview-projects svg title").text == "Active projects by goal"
    assert page.select_one("#overview-gaps details table")
    assert rows["GPG1"][0] == "0 · gap"
    top_gaps = [li.a.text for li in page.select(".gap-list li")]
    assert "1.1 Disrupt terrorist activities through data exchange" in top_gaps
    assert page.find("h1").text == "Overview"
    assert page.select_one("a.skip-link")["href"] == "#main"


def test_landing_page_without_a_framework(client, engine):
    with session_scope(engine) as session:
        factories.user(session, email="first@example.org", role="admin", password=PASSWORD)
    assert sign_in(client, "first@example.org").status_code == 303
    page = BeautifulSoup(client.get("/").text, "lxml")
    assert "No framework is loaded yet" in page.find(class_="empty-state").text
