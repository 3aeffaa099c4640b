"""Administration of signing in with the provider, and passwords switched off: group rules set
on a page (audited, refused with the field named), the break-glass administrator who still
signs in with a password, and everyone else sent to the provider."""

from __future__ import annotations

import uuid

import lxml.html
import pytest
from sqlmodel import Session, select

from tests.conftest import PASSWORD, csrf_of, sign_in
from tests.oidc import LABEL, oidc_settings, sign_in_with
from tracker.db import session_scope
from tracker.models import AuditEvent, GroupMapping, User
from tracker.services.accounts import users


@pytest.fixture
def admin_client(client_factory, oidc_provider, accounts):
    client = client_factory(
        **oidc_settings(oidc_provider.issuer, oidc_group_roles="tracker-admins=admin")
    )
    assert sign_in(client, accounts["admin"].email).status_code == 303
    return client


def test_the_page_shows_the_set_up_and_the_rules(admin_client, oidc_provider):
    page = lxml.html.fromstring(admin_client.get("/admin/sign-in").text)
    facts = page.xpath("string(//dl[contains(@class, 'facts')])")
    assert oidc_provider.issuer in facts and f"Sign in with {LABEL}" in facts
    rows = [
        [cell.text_content().strip() for cell in row.xpath("th|td")]
        for row in page.xpath("//table//tbody/tr")
    ]
    assert rows == [["tracker-admins", "Administrator", "–", "Settings", ""]]


def test_a_rule_set_on_the_page_gives_its_role_at_the_next_sign_in(
    admin_client, client_factory, oidc_provider, framework
):
    token = csrf_of(admin_client, "/admin/sign-in")
    added = admin_client.post(
        "/admin/sign-in/mappings",
        data={"group": "tracker-oec", "role": "manager", "programme": "OEC", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = admin_client.get(added.headers["location"]).text
    assert "Rule added. It applies from each person's next sign-in." in page

    sub = f"person-{uuid.uuid4().hex[:8]}"
    oidc_provider.set_user(sub, email=f"{sub}@example.org", groups=["tracker-oec"])
    browser = client_factory(**oidc_settings(oidc_provider.issuer))
    assert sign_in_with(browser, oidc_provider, sub).status_code == 303
    with Session(framework) as session:
        user = session.exec(select(User).where(User.oidc_subject == sub)).one()
        assert user.role == "manager"
        assert users.programme_codes(session=session, user_id=user.id) == ["OEC"]
        mapping = session.exec(select(GroupMapping)).one()
        event = session.exec(
            select(AuditEvent).where(AuditEvent.entity_type == "group_mapping")
        ).one()
        assert event.after == {"group": "tracker-oec", "role": "manager", "programme": "OEC"}

    removed = admin_client.post(
        f"/admin/sign-in/mappings/{mapping.id}/delete",
        data={"csrf_token": csrf_of(admin_client, "/admin/sign-in")},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    audit = lxml.html.fromstring(admin_client.get("/admin/audit?entity=group_mapping").text)
    sentences = audit.xpath("string(//table)")
    assert "let group tracker-oec sign in as manager of OEC" in sentences
    assert "removed the rule giving group tracker-oec the role manager of OEC" in sentences


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"group": "", "role": "viewer"}, "group", "is required"),
        ({"group": "g", "role": "boss"}, "role", "must be a role"),
        ({"group": "g", "role": "manager"}, "programme", "names the programme"),
        ({"group": "g\x00", "role": "viewer"}, "group", "control characters"),
        ({"group": "g", "role": "viewer", "colour": "red"}, "colour", "unknown field"),
    ],
)
def test_a_wrong_rule_is_refused_beside_its_field(admin_client, framework, form, field, words):
    token = csrf_of(admin_client, "/admin/sign-in")
    response = admin_client.post("/admin/sign-in/mappings", data={**form, "csrf_token": token})
    assert response.status_code == 400
    assert words in lxml.html.fromstring(response.text).text_content()
    with Session(framework) as session:
        assert session.exec(select(GroupMapping)).all() == []


# Passwords switched off


@pytest.fixture
def passwords_off(client_factory, oidc_provider, accounts, framework):
    with session_scope(framework) as session:
        users.create_user(
            session=session,
            email="break.glass@example.org",
            full_name="Break Glass",
            role="admin",
            programmes=[],
            actor=None,
            password=PASSWORD,
            break_glass=True,
        )
    return lambda: client_factory(**oidc_settings(oidc_provider.issuer, local_passwords=False))


def test_with_passwords_off_only_the_break_glass_administrator_uses_one(passwords_off, accounts):
    page = lxml.html.fromstring(passwords_off().get("/login").text)
    assert page.xpath("string(//a[contains(@href, '/login/oidc')])") == f"Sign in with {LABEL}"
    [emergency] = page.xpath("//details")
    assert "break-glass administrator" in emergency.xpath("string(summary)")
    assert emergency.xpath(".//input[@name='password']") and emergency.get("open") is None

    refused = sign_in(passwords_off(), accounts["admin"].email)
    assert refused.status_code == 401
    assert "The email address or password is not right" in refused.text
    assert lxml.html.fromstring(refused.text).xpath("//details[@open]")

    assert sign_in(passwords_off(), "break.glass@example.org").status_code == 303


def test_with_passwords_off_an_invitation_sets_no_password(passwords_off, framework):
    with session_scope(framework) as session:
        invited = users.create_user(
            session=session,
            email="new@example.org",
            full_name="New",
            role="viewer",
            programmes=[],
            actor=None,
        )
        token = users.issue_invite(session=session, user=invited, valid_days=7)
    client = passwords_off()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 403 and "Passwords are switched off" in page.text
    posted = client.post(
        f"/invite/{token}",
        data={
            "password": "long enough password",
            "confirm": "long enough password",
            "csrf_token": csrf_of(client),
        },
    )
    assert posted.status_code == 403
    with Session(framework) as session:
        assert session.get(User, invited.id).password_hash is None


def test_password_sign_ins_are_audited(passwords_off, framework):
    assert sign_in(passwords_off(), "break.glass@example.org").status_code == 303
    with Session(framework) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "sign_in")).one()
    assert event.after == {"with": "password", "break_glass": True}
