"""The framework page: goals, objectives and themes, with what serves each."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.services.coverage import portfolio
from tracker.db import session_scope


@pytest.fixture
def example(framework):
    with session_scope(framework) as session:
        portfolio.build(session)
    return framework


def test_framework_page(example, browser_for):
    page = BeautifulSoup(browser_for("viewer").get("/framework").text, "lxml")
    assert page.h1.text == "Global Policing Goals (2023)"
    goals = page.select("section.goal")
    assert len(goals) == 7
    assert sum(len(g.select("tbody tr")) for g in goals) == 38
    assert len(page.select("#themes ol.statements li")) == 35
    gpg4 = page.find(id="GPG4")
    assert "SDG 16 Peace, justice and strong institutions" in gpg4.get_text(" ", strip=True)
    first = gpg4.select("tbody tr")[0]
    assert first.th.get_text(" ", strip=True).startswith("4.1 Cybercrime threat intelligence")
    assert first.find("a").text == "3"
    assert "0 · gap" in gpg4.select("tbody tr")[3].get_text(" ", strip=True)


def _csrf(client) -> str:
    return BeautifulSoup(client.get("/framework").text, "lxml").select_one(
        "form[action$='/framework/sdg-links'] input[name=csrf_token]"
    )["value"]


def _links(engine, owner: str) -> list[tuple[str | None, int, bool]]:
    from sqlmodel import select

    from tracker.models import Goal, SDGLink

    with session_scope(engine) as session:
        goal = session.exec(select(Goal).where(Goal.code == owner)).one()
        return sorted(
            (
                (link.target_code, link.sdg_number, link.proposed)
                for link in session.exec(select(SDGLink).where(SDGLink.goal_id == goal.id))
            ),
            key=lambda link: (link[0] or "", link[1]),
        )


def test_an_administrator_adds_confirms_and_removes_sdg_links_each_audited(framework, browser_for):
    from sqlmodel import select

    from tracker.models import AuditEvent, SDGLink

    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/framework").text, "lxml")
    rows = page.select("#sdg-links tbody tr")
    assert any("5.2 Eliminate all forms of violence" in r.get_text(" ", strip=True) for r in rows)
    assert "Proposed, to confirm" in page.select_one("#sdg-links").get_text(" ", strip=True)
    # Viewers read the links but get no form.
    viewer_page = BeautifulSoup(browser_for("viewer").get("/framework").text, "lxml")
    assert viewer_page.select("#sdg-links tbody tr") and not viewer_page.select("#sdg-links form")

    added = admin.post(
        "/framework/sdg-links",
        data={
            "owner": "GPG4",
            "target": "17",
            "weight": "",
            "note": "Partnerships",
            "csrf_token": _csrf(admin),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"].endswith("#sdg-links")
    assert (None, 17, False) in _links(framework, "GPG4")
    with session_scope(framework) as session:
        link = session.exec(select(SDGLink).where(SDGLink.target_code == "9.1")).one()
    confirm = admin.post(
        f"/framework/sdg-links/{link.id}/confirm", data={"csrf_token": _csrf(admin)}
    )
    assert confirm.status_code == 200 and "The link is confirmed." in confirm.text
    assert ("9.1", 9, False) in _links(framework, "GPG4")
    removed = admin.post(
        f"/framework/sdg-links/{link.id}/delete", data={"csrf_token": _csrf(admin)}
    )
    assert removed.status_code == 200
    assert [t for t, _, _ in _links(framework, "GPG4")] == [None, "16.a"]
    with session_scope(framework) as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.entity_key == "GPG4").order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events][-3:] == ["update", "update", "update"]
    assert "SDG 17: Partnerships" in events[-3].after["sdg_links"]
    assert events[-2].after == {
        "sdg_link": "9.1: Reliable and resilient infrastructure",
        "proposed": False,
    }
    assert "9.1" not in " ".join(events[-1].after["sdg_links"])
    from tracker.services.audit.describe import describe

    assert describe(events[-3]).endswith(
        "changed the SDG links of goal GPG4: linked it to SDG 17: Partnerships"
    )
    assert describe(events[-2]).endswith(
        "confirmed the link of goal GPG4 to 9.1: Reliable and resilient infrastructure"
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"owner": "GPG9", "target": "16.4"}, "owner", 'unknown goal or objective "GPG9"'),
        ({"owner": "GPG4", "target": "16.99"}, "target", 'unknown SDG target "16.99"'),
        ({"owner": "GPG4", "target": "18"}, "target", "must be an SDG target such as 16.4"),
        ({"owner": "GPG4", "target": "١٦"}, "target", "must be an SDG target such as 16.4"),
        ({"owner": "GPG4", "target": "16.a"}, "target", "GPG4 already links to 16.a"),
        ({"owner": "GPG4", "target": "16.4", "weight": "101"}, "weight", "100"),
        ({"owner": "GPG4", "target": "16.4", "note": "x\x00"}, "note", "control characters"),
        ({"owner": "GPG4", "target": "16.4", "note": "x" * 501}, "note", "500"),
    ],
)
def test_a_bad_link_is_refused_naming_the_field_and_nothing_changes(
    framework, browser_for, fields, field, message
):
    admin = browser_for("admin")
    before = _links(framework, "GPG4")
    response = admin.post(
        "/framework/sdg-links", data={**fields, "csrf_token": _csrf(admin)}, follow_redirects=False
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    # A field's own error, or (for a NUL byte, refused before any form is read) the list of
    # refused fields.
    error = page.select_one(f"#{field}-error") or page.find("li", string=None)
    assert error is not None and message in error.get_text(" ", strip=True), response.text[:2000]
    assert _links(framework, "GPG4") == before


def test_sdg_views_of_the_heatmap_and_the_api(example, browser_for, client_factory, accounts):
    viewer = browser_for("viewer")
    page = BeautifulSoup(viewer.get("/heatmap?rows=sdg_targets&metric=budget").text, "lxml")
    heads = [th.get_text(" ", strip=True) for th in page.select("table.heatmap tbody th")]
    assert any(h.startswith("SDG 16 Peace, justice") for h in heads)
    assert any(h.startswith("16.a Strengthen relevant national institutions") for h in heads)
    assert page.select_one("table.heatmap thead th").get_text(strip=True) == "SDG target"
    body = viewer.get("/api/v1/coverage", params={"rows": "sdgs", "metric": "budget"}).json()
    assert body["rows_kind"] == "sdgs"
    assert {r["level"] for r in body["rows"]} == {"sdg"}
    goals = viewer.get("/api/v1/coverage", params={"rows": "goals", "metric": "budget"}).json()
    assert body["total"] == goals["total"]
    reference = viewer.get("/api/v1/sdgs").json()
    assert len(reference["sdgs"]) == 17
    assert sum(len(g["targets"]) for g in reference["sdgs"]) == 169
    bad = viewer.get("/api/v1/coverage", params={"rows": "sdg"})
    assert bad.status_code == 422 and "sdg_targets" in bad.text
