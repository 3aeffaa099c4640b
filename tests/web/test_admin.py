"""Administration pages: inviting, changing roles, the audit trail."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from tests.conftest import csrf_of, sign_in
from tests.names import PROGRAMMES
from tracker.db import session_scope
from tracker.models import User, UserProgramme


def test_invite_then_choose_a_password_then_sign_in(browser_for, client_factory, engine):
    admin = browser_for("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "Rosa.Diaz@Example.org",
            "full_name": "Rosa Diaz",
            "role": "manager",
            "programmes": ["CYB", "OEC"],
            "csrf_token": csrf_of(admin, "/admin/users"),
        },
    )
    assert response.status_code == 201
    page = BeautifulSoup(response.text, "lxml")
    link = page.find(id="invite-link")["value"]
    row = next(r for r in page.select("tbody tr") if "Rosa Diaz" in r.text)
    assert [c.get_text(strip=True) for c in row.find_all("td")][:4] == [
        "rosa.diaz@example.org",
        "Manager",
        "CYB, OEC",
        "Invited",
    ]

    rosa = client_factory()
    path = link.replace("http://testserver", "")
    form = BeautifulSoup(rosa.get(path).text, "lxml")
    assert "Welcome, Rosa Diaz" in form.text
    mismatch = rosa.post(
        path,
        data={
            "password": "a long password",
            "confirm": "another",
            "csrf_token": csrf_of(rosa, path),
        },
    )
    assert mismatch.status_code == 400
    assert "does not match the password" in mismatch.text
    done = rosa.post(
        path,
        data={
            "password": "a long password",
            "confirm": "a long password",
            "csrf_token": csrf_of(rosa, path),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert rosa.get(path).status_code == 404  # a link works once
    assert sign_in(rosa, "rosa.diaz@example.org", "a long password").status_code == 303
    assert "Manager" in rosa.get("/account").text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "not-an-email", "full_name": "X", "role": "viewer"},
            "email",
            "must be an email address",
        ),
        (
            {"email": "admin@example.org", "full_name": "X", "role": "viewer"},
            "email",
            "already exists",
        ),
        ({"email": "a@example.org", "full_name": "", "role": "viewer"}, "full_name", "is required"),
        (
            {"email": "a@example.org", "full_name": "X", "role": "owner"},
            "role",
            "must be a role: Administrator (admin), Manager (manager), Viewer (viewer)",
        ),
        (
            {"email": "a@example.org", "full_name": "X", "role": "manager"},
            "programmes",
            "at least one programme",
        ),
        (
            {"email": "a@example.org", "full_name": "X", "role": "manager", "programmes": ["ZZ"]},
            "programmes",
            f"unknown programme ZZ; allowed: {PROGRAMMES}",
        ),
    ],
)
def test_bad_invitations_are_refused_with_the_field_named(
    browser_for, engine, data, field, message
):
    admin = browser_for("admin")
    with session_scope(engine) as session:
        before = len(session.exec(select(User)).all())
    response = admin.post(
        "/admin/users", data={**data, "csrf_token": csrf_of(admin, "/admin/users")}
    )
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    error = page.find(id=f"{field}-error")
    assert error is not None and message in error.text
    assert page.find(id="error-summary") is not None
    with session_scope(engine) as session:
        assert len(session.exec(select(User)).all()) == before


def test_change_a_role_and_programmes(browser_for, accounts, engine):
    admin = browser_for("admin")
    path = f"/admin/users/{accounts['viewer'].id}"
    response = admin.post(
        path,
        data={
            "full_name": "Viewer Promoted",
            "role": "manager",
            "programmes": ["FCAC"],
            "active": "true",
            "csrf_token": csrf_of(admin, path),
        },
    )
    assert response.status_code == 200  # followed the redirect
    assert "Changes saved." in response.text
    with session_scope(engine) as session:
        user = session.get(User, accounts["viewer"].id)
        programmes = session.exec(
            select(UserProgramme).where(UserProgramme.user_id == user.id)
        ).all()
    assert (user.full_name, user.role, len(programmes)) == ("Viewer Promoted", "manager", 1)


def test_audit_page_lists_and_filters(browser_for, accounts):
    admin = browser_for("admin")
    path = f"/admin/users/{accounts['viewer'].id}"
    admin.post(f"{path}/sessions/end", data={"csrf_token": csrf_of(admin, path)})
    page = BeautifulSoup(admin.get("/admin/audit?entity=user").text, "lxml")
    sentences = [
        row.th.get_text(strip=True) for row in page.select("table.audit-table > tbody > tr")
    ]
    assert sentences[0] == "Admin signed viewer@example.org out everywhere (0 sessions)"
    assert all("loaded framework" not in s for s in sentences)
    framework_only = BeautifulSoup(admin.get("/admin/audit?entity=framework").text, "lxml")
    assert [
        r.th.get_text(strip=True) for r in framework_only.select("table.audit-table > tbody > tr")
    ] == [
        # `tracker setup` loads the working translations after the framework.
        f"System loaded the {language} translation of framework GPG-2023 (unofficial working "
        "translation): 85 items added"
        for language in ("Arabic", "Spanish", "French")
    ] + ["System loaded framework GPG-2023: 86 added, made active"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "entity=spaceships",
            "entity",
            "must be a kind of change: Projects (project), Objective tags (objective_tag), "
            "Theme tags (theme_tag), Targets (target), Users (user), Framework (framework)",
        ),
        ("actor=bob", "actor", "must be a person from the list"),
        ("from=12/03/2026", "from", '"12/03/2026" is not a date; use the form 2026-03-12'),
        ("from=2026-03-12&to=2026-03-01", "to", "must not be before from (2026-03-12)"),
        ("actor=99999999999", "actor", "must be a person from the list"),
    ],
)
def test_audit_page_bad_filters(browser_for, query, field, message):
    response = browser_for("admin").get(f"/admin/audit?{query}")
    assert response.status_code == 400
    error = BeautifulSoup(response.text, "lxml").find(id=f"{field}-error")
    assert error is not None and message in error.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "must be a page number from 1 to 100,000"),
        ("entity=user&colour=red", "unknown parameter; allowed: entity, actor, from, to, page"),
    ],
)
def test_audit_page_refuses_a_bad_page_or_parameter(browser_for, query, message):
    response = browser_for("admin").get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert message in BeautifulSoup(response.text, "lxml").get_text()


def test_a_target_is_chosen_from_the_framework_and_a_region_by_name(browser_for, engine):
    from tracker.models import Target

    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/admin/targets").text, "lxml")
    scope = page.find("select", id="code")
    assert page.find("label", attrs={"for": "code"}).text == "Goal or objective"
    assert scope.find("option")["value"] == "" and scope.find("option").text.startswith("Choose")
    groups = scope.find_all("optgroup")
    assert [g["label"] for g in groups[:2]] == ["Goals", "Objectives of GPG1 — Counter terrorism"]
    assert len(groups) == 1 + 7
    assert [(o["value"], o.text) for o in groups[0].find_all("option")][:2] == [
        ("GPG1", "GPG1 — Counter terrorism"),
        ("GPG2", "GPG2 — Border security"),
    ]
    cyber = next(g for g in groups if g["label"] == "Objectives of GPG4 — Cybercrime")
    assert ("4.2", "4.2 — Cooperation against cybercrime") in [
        (o["value"], o.text) for o in cyber.find_all("option")
    ]
    assert len(scope.find_all("option")) == 1 + 7 + 38
    regions = page.find("select", id="region")
    assert [(o["value"], o.text) for o in regions.find_all("option")] == [
        ("", "Everywhere"),
        ("AFR", "Africa"),
        ("AME", "Americas"),
        ("ASP", "Asia and South Pacific"),
        ("EUR", "Europe"),
        ("MENA", "Middle East and North Africa"),
    ]

    # A refusal keeps what was chosen; nothing chosen is refused beside the selector.
    token = csrf_of(admin, "/admin/targets")
    refused = BeautifulSoup(
        admin.post(
            "/admin/targets",
            data={"code": "4.2", "region": "EUR", "min_active_projects": "", "csrf_token": token},
        ).text,
        "lxml",
    )
    assert refused.find("select", id="code").find("option", selected=True)["value"] == "4.2"
    assert refused.find("select", id="region").find("option", selected=True)["value"] == "EUR"
    missing = BeautifulSoup(
        admin.post("/admin/targets", data={"min_active_projects": "1", "csrf_token": token}).text,
        "lxml",
    )
    assert missing.find(id="code-error").get_text(" ", strip=True) == "Error: is required"
    assert missing.find("select", id="code")["aria-invalid"] == "true"
    assert "code-error" in missing.find("select", id="code")["aria-describedby"]

    saved = admin.post(
        "/admin/targets",
        data={"code": "GPG4", "region": "EUR", "min_active_projects": "3", "csrf_token": token},
    )
    assert saved.status_code == 200 and "Target saved." in saved.text
    row = BeautifulSoup(saved.text, "lxml").select_one("table tbody tr")
    assert [c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])][:3] == [
        "GPG4 Cybercrime",
        "Europe",
        "3",
    ]
    with session_scope(engine) as session:
        assert [t.min_active_projects for t in session.exec(select(Target))] == [3]
