"""The project page: everything about a project, and its history in plain words."""

from __future__ import annotations

from decimal import Decimal

from bs4 import BeautifulSoup

from tests import factories
from tracker.db import session_scope
from tracker.models import ObjectiveTag, ProjectLocation, ThemeTag
from tracker.services.audit.record import record


def test_project_page_shows_tags_places_sdgs_and_history(framework, browser_for):
    with session_scope(framework) as session:
        project = factories.project(
            session,
            code="CYB-2026-0042",
            title="Cyber investigation training in Kenya",
            budget_amount=Decimal("200000"),
            budget_currency="USD",
        )
        session.add(
            ProjectLocation(
                project_id=project.id,
                country_id=factories.country(session, "KE").id,
                percentage=Decimal(60),
            )
        )
        session.add(
            ProjectLocation(
                project_id=project.id,
                region_id=factories.region(session, "ASP").id,
                percentage=Decimal(40),
            )
        )
        session.add(
            ObjectiveTag(
                project_id=project.id,
                objective_id=factories.objective(session, "4.3").id,
                significance=2,
                budget_share=Decimal(70),
            )
        )
        session.add(
            ThemeTag(
                project_id=project.id, theme_id=factories.theme(session, "IV").id, significance=1
            )
        )
        record(
            session=session,
            actor=None,
            actor_label="Ana Costa",
            action="tag",
            entity_type="objective_tag",
            entity_key="CYB-2026-0042 4.3",
            project_id=project.id,
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
    assert facts["SDGs"] == "SDG 16 Peace, Justice and Strong Institutions"
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
