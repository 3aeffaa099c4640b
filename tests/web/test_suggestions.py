"""Suggested tags on the project page and the screening queue, through the pages."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlmodel import select

from tests import factories
from tests.conftest import csrf_of
from tracker.db import session_scope
from tracker.models import AuditEvent, ObjectiveTag, Project, SuggestionDismissal

SUMMARY = (
    "Joint operation with police forces to disrupt ransomware networks: coordinate and "
    "enhance law enforcement cooperation to prevent, detect, investigate and disrupt cybercrime."
)


def _project(engine, code="CYB-2026-0400", **values):
    with session_scope(engine) as session:
        values.setdefault("title", "Ransomware operation")
        values.setdefault("summary", SUMMARY)
        return factories.project(session, code=code, **values).code


def _suggested(page) -> list[str]:
    html = BeautifulSoup(page.text, "html.parser")
    return [li["id"] for li in html.select(".suggested [data-suggestion]")]


def _post(client, path, data, page):
    return client.post(
        path, data={**data, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def test_the_project_page_suggests_above_the_tag_editor_for_its_editors(framework, browser_for):
    code = _project(framework)
    manager = browser_for("manager_this")
    page = manager.get(f"/projects/{code}")
    html = BeautifulSoup(page.text, "html.parser")
    editor = html.select_one("#tag-editor")
    suggested = editor.select_one(".suggested")
    assert suggested is not None and suggested.find("h3").get_text() == "Suggested"
    # Above the editor's lists and forms.
    assert str(editor).index("Suggested") < str(editor).index("Objectives it serves")
    first = suggested.select_one("[data-suggestion]")
    assert first["id"] == "suggest-objective-4-2"
    assert "disrupt cybercrime" in first.select_one(".suggestion__why").get_text()
    select_ = first.select_one("select[name=significance]")
    assert select_.find("option", selected=True)["value"] == "significant"
    assert first.select_one("button[id$=-add]").get_text(" ", strip=True).startswith("Accept")
    # Viewers and managers of other programmes see no suggestions.
    for who in ("viewer", "manager_other"):
        assert _suggested(browser_for(who).get(f"/projects/{code}")) == []


def test_adding_and_dismissing_from_the_project_page(framework, browser_for):
    code = _project(framework)
    manager = browser_for("manager_this")
    page = f"/projects/{code}"
    with session_scope(framework) as session:
        version = factories.project_by_code(session, code).version
    response = manager.post(
        f"/projects/{code}/suggestions/accept",
        data={
            "kind": "objective",
            "code": "4.2",
            "significance": "significant",
            "version": str(version),
            "back": "project",
            "csrf_token": csrf_of(manager, page),
        },
        headers={"HX-Request": "true", "HX-Target": "tag-editor"},
    )
    assert response.status_code == 200, response.text
    fragment = BeautifulSoup(response.text, "html.parser")
    assert "Added objective 4.2 as significant" in fragment.select_one("#announcer").get_text()
    assert "suggest-objective-4-2" not in [li["id"] for li in fragment.select("[data-suggestion]")]
    assert fragment.select_one("#tag-objective-4-2") is not None  # now in the editor
    dismissed = _suggested(manager.get(page))[0].removeprefix("suggest-objective-")
    dismissed = dismissed.replace("-", ".")
    response = _post(
        manager,
        f"/projects/{code}/suggestions/dismiss",
        {"kind": "objective", "code": dismissed, "back": "project"},
        page,
    )
    assert response.status_code == 303  # without HTMX, back to the page
    assert f"suggest-objective-{dismissed.replace('.', '-')}" not in _suggested(manager.get(page))
    with session_scope(framework) as session:
        project = factories.project_by_code(session, code)
        tag = session.exec(select(ObjectiveTag).where(ObjectiveTag.project_id == project.id)).one()
        assert tag.significance == 1
        assert len(session.exec(select(SuggestionDismissal)).all()) == 1
        actions = [
            e.action
            for e in session.exec(
                select(AuditEvent).where(AuditEvent.entity_type == "suggestion")
            ).all()
        ]
        assert actions == ["accept", "dismiss"]
    history = BeautifulSoup(manager.get(page).text, "html.parser").select_one("#project-history")
    assert "dismissed the suggestion" in history.get_text()


def test_deciding_is_for_the_projects_editors_and_refuses_bad_forms(framework, browser_for):
    code = _project(framework)
    page = f"/projects/{code}"
    other = browser_for("manager_other")
    response = _post(
        other, f"/projects/{code}/suggestions/dismiss", {"kind": "objective", "code": "4.2"}, page
    )
    assert response.status_code == 403
    manager = browser_for("manager_this")
    for data, field in (
        ({"kind": "goal", "code": "4.2"}, "kind"),
        ({"kind": "objective", "code": "9.9"}, "code"),
        ({"kind": "objective", "code": "4.2", "significance": "huge"}, "significance"),
        ({"kind": "objective", "code": "4.2", "colour": "red"}, "colour"),
    ):
        response = _post(manager, f"/projects/{code}/suggestions/dismiss", data, page)
        assert response.status_code == 400, (data, response.status_code)
        assert field in response.text
    with session_scope(framework) as session:
        assert session.exec(select(SuggestionDismissal)).all() == []


def test_the_screening_queue(framework, browser_for):
    first = _project(framework, code="CYB-2026-0401")
    second = _project(framework, code="CYB-2026-0402", title="Asset recovery", summary="")
    manager = browser_for("manager_this")
    page = manager.get("/screening")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.select_one("#screening-title").get_text(" ", strip=True).startswith(first)
    assert "0 of 2 active and pipeline projects" in html.select_one(".screening-progress").text
    assert html.select_one("#screening-card [data-suggestion]")["id"] == "suggest-objective-4-2"
    # Next leaves it for later.
    nxt = manager.get(f"/screening?after={first}", headers={"HX-Request": "true"})
    assert second in BeautifulSoup(nxt.text, "html.parser").select_one("#screening-title").text
    # Adding from the queue stays on the project.
    with session_scope(framework) as session:
        version = factories.project_by_code(session, first).version
    response = manager.post(
        f"/projects/{first}/suggestions/accept",
        data={
            "kind": "objective",
            "code": "4.2",
            "version": str(version),
            "back": "screening",
            "csrf_token": csrf_of(manager, "/screening"),
        },
        headers={"HX-Request": "true", "HX-Target": "screening-card"},
    )
    card = BeautifulSoup(response.text, "html.parser")
    assert first in card.select_one("#screening-title").text
    assert "4.2" in card.select_one(".tag-summary").text
    # Marking it screened moves on to the next one.
    response = manager.post(
        f"/screening/{first}/screened",
        data={"version": str(version + 1), "csrf_token": csrf_of(manager, "/screening")},
        headers={"HX-Request": "true", "HX-Target": "screening-card"},
    )
    card = BeautifulSoup(response.text, "html.parser")
    assert second in card.select_one("#screening-title").text
    assert "1 of 2 active and pipeline projects" in card.select_one(".screening-progress").text
    assert f"Marked {first} as screened" in card.select_one("#announcer").text
    # A stale version is refused, and says so.
    response = _post(manager, f"/screening/{second}/screened", {"version": "1000"}, "/screening")
    assert response.status_code == 409
    with session_scope(framework) as session:
        assert factories.project_by_code(session, second).screened_at is None
        assert factories.project_by_code(session, first).screened_at is not None
    # Without HTMX the queue goes on by a redirect.
    response = _post(manager, f"/screening/{second}/screened", {"version": "1"}, "/screening")
    assert response.status_code == 303
    done = BeautifulSoup(manager.get(response.headers["location"]).text, "html.parser")
    assert done.select_one("#screening-done") is not None
    assert browser_for("viewer").get("/screening").status_code == 403


def test_screening_is_in_the_navigation_of_people_who_edit(framework, browser_for):
    for who, shown in (("manager_this", True), ("admin", True), ("viewer", False)):
        nav = BeautifulSoup(browser_for(who).get("/").text, "html.parser").select_one("nav")
        assert (nav.find("a", string="Screening") is not None) is shown, who


def test_an_objective_nobody_serves_lists_the_active_projects_likely_to_serve_it(
    framework, browser_for
):
    from tracker.services.suggestions import store

    with session_scope(framework) as session:
        project = factories.project(
            session,
            code="OEC-2026-0500",
            title="Health impact of pollution crime",
            summary="Links between environmental crime and public health implications.",
        )
        factories.project(
            session, code="OEC-2026-0501", title="Pollution and public health", status="completed"
        )
        factories.objective_tag(session, factories.project(session), "4.2")
    store.train_and_store(framework)
    viewer = browser_for("viewer")
    html = BeautifulSoup(viewer.get("/gaps?rows=objectives").text, "html.parser")
    gap = next(li for li in html.select(".gap-list > li") if li.strong.text.startswith("7.6 "))
    likely = gap.select_one(".likely")
    assert likely is not None
    assert [a.text.split()[0] for a in likely.select("a")] == [project.code]  # active only
    about = viewer.get(gap.select_one("a[href*='gaps/about']")["href"])
    page = BeautifulSoup(about.text, "html.parser")
    assert project.code in page.select_one(".likely-lead").text
    with session_scope(framework) as session:
        assert session.exec(select(Project).where(Project.code == project.code)).one()


def test_the_import_report_suggests_tags_for_rows_without_tags(framework, browser_for):
    from tests.files import spreadsheet_csv
    from tests.web.test_imports import _upload, _wait
    from tracker.services.exchange.spreadsheet.columns import EXAMPLE

    untagged = {
        **EXAMPLE,
        "code": "CYB-2026-0043",
        "title": "Ransomware takedown",
        "summary": "Coordinate law enforcement cooperation to disrupt cybercrime.",
        "objectives": "",
        "themes": "",
        "screened": "",
    }
    admin = browser_for("admin")
    response = _upload(admin, "projects.csv", spreadsheet_csv([EXAMPLE, untagged]))
    location = response.headers["location"]
    checked = _wait(admin, location)
    section = checked.find("section", attrs={"aria-labelledby": "import-suggestions-title"})
    assert "Suggested tags for 1 row without tags" in section.h2.get_text()
    rows = section.select("tbody tr")
    assert len(rows) == 1  # the tagged row is not listed
    cells = [c.get_text(" ", strip=True) for c in rows[0].find_all(["td", "th"])]
    assert cells[0] == "row 3" and cells[1].startswith("CYB-2026-0043")
    assert cells[2].startswith("4.2 Cooperation against cybercrime")
    form = checked.find("form", attrs={"action": lambda a: a and a.endswith("/commit")})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    admin.post(form["action"], data={"csrf_token": token}, follow_redirects=False)
    done = _wait(admin, location)
    section = done.select_one("#import-suggestions-title").find_parent("section")
    # Once imported, each row links to its project's page, where its suggestions wait.
    assert section.find("a", href=lambda h: h and "/projects/CYB-2026-0043" in h) is not None
