"""The project page: everything about a project, and its history in plain words."""

from __future__ import annotations

from decimal import Decimal

from bs4 import BeautifulSoup

from tests import factories
from tracker.db import session_scope


def test_project_page_shows_tags_places_sdgs_and_history(framework, browser_for):
    with session_scope(framework) as session:
        project = factories.project(
            session,
            code="CYB-2026-0042",
            title="Cyber investigation training in Kenya",
            budget_amount=Decimal("200000"),
            budget_currency="USD",
        )
        factories.location(session, project, "KE", percentage=60)
        factories.location(session, project, region="ASP", percentage=40)
        factories.objective_tag(session, project, "4.3", significance=2, budget_share=70)
        factories.theme_tag(session, project, "IV", significance=1)
        factories.audit_event(
            session,
            project,
            actor_label="Ana Costa",
            action="tag",
            entity_type="objective_tag",
            entity_key="CYB-2026-0042 4.3",
            after={"code": "4.3", "name": "Cybercrime capabilities", "significance": 2},
        )
    page = BeautifulSoup(browser_for("viewer").get("/projects/CYB-2026-0042").text, "lxml")
    assert (
        page.h1.get_text(" ", strip=True) == "CYB-2026-0042 Cyber investigation training in Kenya"
    )
    facts = {
        dt.text: dt.find_next("dd").get_text(" ", strip=True) for dt in page.select("dl.facts dt")
    }
    assert facts["Budget"] == "200,000.00 US dollars (about €184.2K)"
    assert facts["Where"] == "Kenya 60%, Asia and South Pacific (whole region) 40%"
    # Its objectives are GPG4's, which links to 9.1 and 16.a in equal parts.
    assert facts["SDGs"] == (
        "SDG 9 Industry, innovation and infrastructure; SDG 16 Peace, justice and strong "
        "institutions Targets: 9.1 (50%), 16.a (50%)"
    )
    tag_rows = page.select("table")[0].select("tbody tr")
    assert [c.get_text(" ", strip=True) for c in tag_rows[0].find_all(["th", "td"])][:3] == [
        "4.3 Cybercrime capabilities GPG4 Cybercrime",
        "Principal",
        "70%",
    ]
    history = [li.get_text(" ", strip=True) for li in page.select("ol.history li")]
    assert history[0].endswith("Ana Costa tagged 4.3 Cybercrime capabilities as principal")


def test_unknown_project_is_a_404(framework, browser_for):
    response = browser_for("viewer").get("/projects/NOPE-1")
    assert response.status_code == 404
    assert "There is no project NOPE-1 here" in response.text
