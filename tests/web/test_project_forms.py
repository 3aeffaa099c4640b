"""Registering, editing and tagging projects through the pages, as a manager would."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import func, select

from tests import factories
from tests.conftest import csrf_of
from tests.names import PROGRAMMES
from tracker.db import session_scope
from tracker.models import AuditEvent, ObjectiveTag, Project, ProjectLocation
from tracker.services.audit.describe import describe

GOOD = {
    "code": "CYB-2026-0100",
    "title": "Cyber investigation training in Kenya",
    "summary": "Trains investigators in digital evidence.",
    "kind": "capacity_building",
    "status": "active",
    "programme": "CYB",
    "start_date": "2026-01-01",
    "end_date": "2027-06-30",
    "budget_amount": "250000",
    "budget_currency": "EUR",
    "donor": "European Union",
    "place": ["KE", "UG", ""],
    "percentage": ["60", "40", ""],
}


def _post(client, path, data, page=None):
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page or path)}, follow_redirects=False
    )


def _count(engine, model=Project) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_manager_registers_a_project(framework, browser_for):
    manager = browser_for("manager_this")
    response = _post(manager, "/projects/new", GOOD)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/projects/CYB-2026-0100?notice=created")
    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0100")).one()
        places = session.exec(
            select(ProjectLocation).where(ProjectLocation.project_id == project.id)
        ).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.project_id == project.id)).one()
    assert (project.status, project.budget_amount, project.version) == ("active", 250000, 1)
    assert sorted(float(p.percentage) for p in places) == [40.0, 60.0]
    assert project.manager_id is not None
    assert event.action == "create" and event.after["locations"] == ["KE 60%", "UG 40%"]
    assert (
        describe(event)
        == "Manager This registered project CYB-2026-0100 Cyber investigation training in Kenya"
    )
    page = BeautifulSoup(manager.get(response.headers["location"]).text, "lxml")
    assert "Project registered." in page.select_one(".notice").text


BAD_FORMS = [
    (
        {"programme": "NOPE"},
        "programme",
        f'unknown programme "NOPE"; allowed: {PROGRAMMES}',
    ),
    ({"place": ["XX"], "percentage": [""]}, "locations", 'unknown country or region "XX"'),
    (
        {"percentage": ["60", "30", ""]},
        "locations",
        "percentages must add up to 100; they add up to 90",
    ),
    ({"percentage": ["60", "", ""]}, "locations", "give a percentage for every place, or for none"),
    ({"percentage": ["160", "-60", ""]}, "locations", "percentage must"),
    ({"end_date": "2025-12-31"}, "end_date", "must not be before the start date (1 Jan 2026)"),
    ({"start_date": "01/01/2026"}, "start_date", "is not a date; use the form 2026-03-12"),
    ({"budget_amount": "-5"}, "budget_amount", "must be a number from 0 up to (not including)"),
    ({"budget_amount": "lots"}, "budget_amount", "must be a number from 0 up to"),
    ({"budget_currency": "XYZ"}, "budget_currency", 'unknown currency "XYZ"'),
    ({"budget_currency": ""}, "budget_currency", "choose the currency of the budget"),
    ({"title": "x" * 201}, "title", "must be at most 200 characters (it has 201)"),
    ({"summary": "x" * 5001}, "summary", "must be at most 5,000 characters"),
    ({"code": "CYB-2026-0001"}, "code", '"CYB-2026-0001" is already used by another project'),
    ({"code": "has spaces"}, "code", "may hold letters, digits and . _ / - only"),
    ({"title": ""}, "title", "is required"),
    ({"code": ""}, "code", "is required"),
    ({"kind": "party"}, "kind", 'unknown kind "party"'),
    ({"status": "dreaming"}, "status", 'unknown status "dreaming"'),
    ({"manager": "nobody@example.org"}, "manager", "must be the email of an active manager"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_FORMS)
def test_bad_project_forms_are_refused_beside_the_field(
    framework, browser_for, change, field, message
):
    with session_scope(framework) as session:
        factories.project(session, code="CYB-2026-0001")
    before = _count(framework)
    response = _post(
        browser_for("manager_this"), "/projects/new", {**GOOD, **change}, page="/projects/new"
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    error = page.find(id=f"{field}-error")
    assert error is not None, page.select_one(".error-summary")
    assert message in error.get_text(" ", strip=True)
    assert page.select_one(f"#error-summary a[href='#{field}']") is not None
    if field != "locations":
        control = page.find(id=field)
        assert (
            control.get("aria-invalid") == "true"
            and f"{field}-error" in control["aria-describedby"]
        )
    assert page.find(id="title")["value"] == change.get(
        "title", GOOD["title"]
    )  # what was typed stays
    assert _count(framework) == before


def _project(engine, code="CYB-2026-0001"):
    with session_scope(engine) as session:
        project = factories.project(session, code=code, budget_amount=100_000)
        return project.id


def _edit_data(version, **change):
    return {**GOOD, "code": "CYB-2026-0001", "version": str(version), **change}


def test_edit_changes_and_audits(framework, browser_for):
    _project(framework)
    manager = browser_for("manager_this")
    response = _post(
        manager,
        "/projects/CYB-2026-0001/edit",
        _edit_data(1, title="Renamed"),
        page="/projects/CYB-2026-0001/edit",
    )
    assert response.status_code == 303
    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0001")).one()
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert (project.title, project.version) == ("Renamed", 2)
    assert event.before["title"] == "Test project" or event.before["title"].startswith(
        "Test project"
    )
    assert event.after["title"] == "Renamed"


def test_a_stale_edit_gets_409_and_says_who(framework, browser_for):
    _project(framework)
    ana, admin = browser_for("manager_this"), browser_for("admin")
    form_page = "/projects/CYB-2026-0001/edit"
    assert (
        _post(admin, form_page, _edit_data(1, title="Admin's title"), page=form_page).status_code
        == 303
    )
    stale = _post(ana, form_page, _edit_data(1, title="Ana's title"), page=form_page)
    assert stale.status_code == 409
    text = BeautifulSoup(stale.text, "lxml").select_one(".error-summary").get_text(" ", strip=True)
    assert text.startswith("Admin changed project CYB-2026-0001 on ")
    assert "Nothing was saved" in text
    with session_scope(framework) as session:
        project = session.exec(select(Project).where(Project.code == "CYB-2026-0001")).one()
    assert (project.title, project.version) == ("Admin's title", 2)


def test_other_programmes_cannot_be_edited(framework, browser_for):
    _project(framework)
    other = browser_for("manager_other")
    assert other.get("/projects/CYB-2026-0001/edit").status_code == 403
    tag = _post(
        other,
        "/projects/CYB-2026-0001/tags",
        {"kind": "objective", "code": "4.1", "significance": "principal", "version": "1"},
        page="/projects/CYB-2026-0001",
    )
    assert tag.status_code == 403
    assert _count(framework, ObjectiveTag) == 0


def test_a_viewer_sees_no_edit_controls(framework, browser_for):
    _project(framework)
    page = BeautifulSoup(browser_for("viewer").get("/projects/CYB-2026-0001").text, "lxml")
    assert page.select("#tag-editor form") == []
    assert page.find("a", string="Edit project details") is None
    listing = BeautifulSoup(browser_for("viewer").get("/projects").text, "lxml")
    assert listing.find("a", string="Register a project") is None


HX = {"HX-Request": "true", "HX-Target": "tag-editor"}


def _tag(client, version, **fields):
    data = {
        "kind": "objective",
        "code": "4.2",
        "significance": "principal",
        "version": str(version),
        **fields,
    }
    token = csrf_of(client, "/projects/CYB-2026-0001")
    return client.post(
        "/projects/CYB-2026-0001/tags", data={**data, "csrf_token": token}, headers=HX
    )


def test_tag_editor_adds_changes_and_removes_in_place(framework, browser_for):
    _project(framework)
    ana = browser_for("manager_this")
    added = _tag(ana, 1, budget_share="60", rationale="Its core aim")
    assert added.status_code == 200
    # Everything that depends on the tags comes back in the same answer, out of band.
    assert "hx-trigger" not in added.headers
    assert added.headers["vary"] == "HX-Request"
    fragment = BeautifulSoup(added.text, "html.parser")
    assert "<html" not in added.text
    item = fragment.find(id="tag-objective-4-2")
    assert "4.2 Cooperation against cybercrime" in item.h4.get_text(" ", strip=True)
    assert fragment.find(id="tag-objective-4-2-share")["value"] == "60.00"
    # The figures that depend on the tags come along, out of band.
    coverage = fragment.find(id="project-coverage")
    assert coverage["hx-swap-oob"] == "innerHTML"
    assert "€100K" in coverage.get_text(" ", strip=True)
    assert "SDG 16" in fragment.find(id="project-sdgs").text
    assert (
        "Manager This tagged 4.2 Cooperation against cybercrime as principal"
        in fragment.find(id="project-history").text
    )

    changed = _tag(ana, 2, significance="significant", budget_share="60", rationale="Its core aim")
    assert changed.status_code == 200
    with session_scope(framework) as session:
        tag = session.exec(select(ObjectiveTag)).one()
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "objective_tag")
            .order_by(AuditEvent.id)
        ).all()
    assert tag.significance == 1
    assert [e.action for e in events] == ["tag", "retag"]
    assert events[1].before["significance"] == 2 and events[1].after["significance"] == 1
    assert describe(events[1]) == (
        "Manager This changed the tag 4.2 Cooperation against cybercrime: "
        "from principal to significant"
    )

    token = csrf_of(ana, "/projects/CYB-2026-0001")
    removed = ana.post(
        "/projects/CYB-2026-0001/tags/remove",
        data={"kind": "objective", "code": "4.2", "version": "3", "csrf_token": token},
        headers=HX,
    )
    assert removed.status_code == 200
    assert _count(framework, ObjectiveTag) == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "9.9"}, "code", 'unknown objective "9.9"'),
        ({"significance": "crucial"}, "significance", "must be principal or significant"),
        ({"budget_share": "120"}, "share", "must be at most 100"),
        ({"budget_share": "abc"}, "share", '"abc" is not a number'),
        (
            {"code": "4.3", "budget_share": "50"},
            "share",
            "would add up to 110%; at most 40% is left",
        ),
        ({"rationale": "x" * 2001}, "rationale", "must be at most 2,000 characters"),
    ],
)
def test_bad_tags_are_refused_beside_the_field(framework, browser_for, fields, field, message):
    _project(framework)
    ana = browser_for("manager_this")
    assert _tag(ana, 1, budget_share="60").status_code == 200
    before = _count(framework, ObjectiveTag)
    response = _tag(ana, 2, **fields)
    assert response.status_code == 400
    fragment = BeautifulSoup(response.text, "html.parser")
    code = fields.get("code", "4.2")
    prefix = "tag-objective-4-2" if code == "4.2" else "add-objective"
    element = fragment.find(id=f"{prefix}-{field}-error")
    assert element is not None and message in element.text
    assert _count(framework, ObjectiveTag) == before


def test_a_stale_tag_change_gets_409(framework, browser_for):
    _project(framework)
    ana, admin = browser_for("manager_this"), browser_for("admin")
    assert _tag(admin, 1, code="4.1").status_code == 200
    stale = _tag(ana, 1)
    assert stale.status_code == 409
    assert "Admin changed project CYB-2026-0001" in stale.text
    with session_scope(framework) as session:
        assert [t.objective_id for t in session.exec(select(ObjectiveTag))] == [
            factories.objective(session, "4.1").id
        ]


def test_mark_screened_without_javascript(framework, browser_for):
    _project(framework)
    ana = browser_for("manager_this")
    token = csrf_of(ana, "/projects/CYB-2026-0001")
    response = ana.post(
        "/projects/CYB-2026-0001/screen",
        data={"version": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = BeautifulSoup(ana.get(response.headers["location"]).text, "lxml")
    assert "Screened" in page.find(id="project-badges").text
    assert "marked project CYB-2026-0001 as screened" in page.find(id="project-history").text


@pytest.mark.parametrize("version", ["1", "99", "²", "٣", str(2**63), "04"])
def test_deleting_with_a_stale_or_impossible_version_shows_the_changed_first_page(
    framework, browser_for, version
):
    with session_scope(framework) as session:
        project = factories.project(session)
        project.version = 2
        code = project.code
    admin = browser_for("admin")
    response = _post(
        admin, f"/projects/{code}/delete", {"version": version}, page=f"/projects/{code}/edit"
    )
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "lxml")
    assert page.h1.get_text(strip=True) == "Someone else changed this first"
    assert _count(framework) == 1


def test_registering_a_project_in_a_programme_one_may_not_change_is_refused_403(
    framework, browser_for
):
    ana = browser_for("manager_this")
    response = _post(ana, "/projects/new", {**GOOD, "programme": "CT"})
    assert response.status_code == 403
    page = BeautifulSoup(response.text, "lxml")
    assert "managers of its programme and administrators" in page.select_one(".lede").text
    assert _count(framework) == 0


def test_the_tag_form_is_read_through_its_model_and_refuses_what_it_does_not_take(
    framework, browser_for
):
    _project(framework)
    ana = browser_for("manager_this")
    before = _count(framework, ObjectiveTag)
    unknown = _tag(ana, 1, colour="red")
    assert unknown.status_code == 400
    assert "unknown field; allowed: kind, code, significance" in unknown.text
    nul = _tag(ana, 1, significance="principal\x00")
    assert nul.status_code == 400 and "must not contain control characters" in nul.text
    assert _count(framework, ObjectiveTag) == before
