"""Signing in with the organisation's OpenID Connect provider, against a real provider started
by the tests (oidc-provider-mock, over HTTP on this machine): accounts made at the first
sign-in with the role their groups give, matched by subject, roles following the directory,
and every sign-in, refusal and role change audited."""

from __future__ import annotations

import uuid

import lxml.html
import pytest
from sqlmodel import Session, select

from tests.conftest import sign_in
from tests.oidc import LABEL, begin, local_path, oidc_settings, query_of, sign_in_with
from tracker.db import session_scope
from tracker.models import AuditEvent, ProviderSignIn, User, UserSession
from tracker.services.accounts import users

RULES = "tracker-admins=admin; tracker-cyb-managers=manager:CYB; tracker-staff=viewer"


def _sub() -> str:
    return f"person-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def oidc_client(client_factory, oidc_provider, framework):
    def make(**more):
        return client_factory(**oidc_settings(oidc_provider.issuer, oidc_group_roles=RULES, **more))

    return make


def _user(engine, sub: str) -> User | None:
    with Session(engine) as session:
        return session.exec(select(User).where(User.oidc_subject == sub)).first()


def _events(engine, **where) -> list[AuditEvent]:
    with Session(engine) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(AuditEvent, name) == value)
        return list(session.exec(query))


def _role_shown(client) -> str:
    page = lxml.html.fromstring(client.get("/account").text)
    return page.xpath('string(//span[@class="role-label"])').strip()


def test_the_sign_in_page_offers_the_provider(oidc_client):
    page = lxml.html.fromstring(oidc_client().get("/login?next=/heatmap").text)
    [button] = page.xpath('//a[contains(@class, "button")][contains(@href, "/login/oidc")]')
    assert button.text_content().strip() == f"Sign in with {LABEL}"
    assert button.get("href").endswith("/login/oidc?next=/heatmap")
    # Passwords are still on: the form is there too.
    assert page.xpath('//form[contains(@action, "/login")]//input[@name="password"]')


def test_the_first_sign_in_creates_the_account_with_its_mapped_role(
    oidc_client, oidc_provider, framework
):
    sub = _sub()
    oidc_provider.set_user(
        sub, email="Ana.Costa@Example.org", name="Ana Costa", groups=["tracker-cyb-managers"]
    )
    client = oidc_client()
    provider_url = begin(client, next_path="/heatmap")
    asked = query_of(provider_url)
    # The authorization code flow with PKCE, a state and a nonce.
    assert asked["response_type"] == "code"
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["state"] and asked["nonce"] and asked["scope"] == "openid email profile"
    assert asked["redirect_uri"] == "http://testserver/login/oidc/callback"

    answer = local_path(oidc_provider.authorize(provider_url, sub))
    back = client.get(answer, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/heatmap"
    assert "tracker_session" in back.cookies

    user = _user(framework, sub)
    assert (user.email, user.full_name, user.role, user.password_hash) == (
        "ana.costa@example.org",
        "Ana Costa",
        "manager",
        None,
    )
    assert user.oidc_issuer == oidc_provider.issuer
    with Session(framework) as session:
        assert users.programme_codes(session=session, user_id=user.id) == ["CYB"]
        signed_in = session.exec(select(UserSession).where(UserSession.user_id == user.id)).one()
        assert signed_in.provider_id_token  # kept for signing out at the provider
        assert session.exec(select(ProviderSignIn)).all() == []  # the sign-in was used up
    assert _role_shown(client) == "Manager"
    created, signed = _events(framework, entity_key="ana.costa@example.org")
    assert (created.entity_type, created.action, created.actor_label) == (
        "user",
        "create",
        f"First sign-in with {LABEL}",
    )
    assert created.after["role"] == "manager" and created.after["subject"] == sub
    assert (signed.entity_type, signed.action, signed.actor_id) == ("sign_in", "sign_in", user.id)
    assert signed.after["groups"] == ["tracker-cyb-managers"]


def test_a_group_change_changes_the_role_at_the_next_sign_in(oidc_client, oidc_provider, framework):
    sub = _sub()
    oidc_provider.set_user(
        sub, email=f"{sub}@example.org", name="Lee Chen", groups=["tracker-staff"]
    )
    client = oidc_client()
    assert sign_in_with(client, oidc_provider, sub).status_code == 303
    assert _user(framework, sub).role == "viewer"
    assert _role_shown(client) == "Viewer"

    # The directory makes them an administrator (and a manager of Cybercrime: the higher wins).
    oidc_provider.set_user(
        sub,
        email=f"{sub}@example.org",
        name="Lee Chen",
        groups=["tracker-staff", "tracker-cyb-managers", "tracker-admins"],
    )
    later = oidc_client()
    assert sign_in_with(later, oidc_provider, sub).status_code == 303
    assert _user(framework, sub).role == "admin"
    assert _role_shown(later) == "Administrator"
    [change] = _events(framework, entity_type="user", action="update")
    assert change.before == {"role": "viewer"} and change.after == {"role": "admin"}
    assert change.actor_label == f"Groups at {LABEL}"

    # Out of every group: refused, and the account keeps what it had (nothing is written).
    oidc_provider.set_user(sub, email=f"{sub}@example.org", name="Lee Chen", groups=["other"])
    refused = sign_in_with(oidc_client(), oidc_provider, sub)
    assert refused.status_code == 403
    assert "in no group that gives access to the tracker" in refused.text


def test_someone_in_no_mapped_group_is_refused_or_made_a_viewer(
    oidc_client, oidc_provider, framework
):
    sub = _sub()
    oidc_provider.set_user(sub, email=f"{sub}@example.org", name="Sam Ng", groups=["sales"])
    refused = sign_in_with(oidc_client(), oidc_provider, sub)
    assert refused.status_code == 403
    page = lxml.html.fromstring(refused.text)
    assert page.xpath("string(//h1)") == "You could not be signed in"
    assert "in no group that gives access" in page.xpath("string(//p[@class='lede'])")
    assert page.xpath("//a[substring(@href, string-length(@href) - 5) = '/login']")
    assert _user(framework, sub) is None
    [refusal] = _events(framework, entity_type="sign_in", action="refuse")
    assert refusal.after["reason"] == "no_group" and refusal.after["subject"] == sub
    assert refusal.entity_key == f"{sub}@example.org" and refusal.actor_label == "Sam Ng"

    client = oidc_client(oidc_default_role="viewer")
    assert sign_in_with(client, oidc_provider, sub).status_code == 303
    assert _user(framework, sub).role == "viewer"
    assert _events(framework, entity_type="sign_in", action="sign_in")[-1].after["default_role"]


def test_an_account_is_matched_by_subject_never_by_email_alone(
    oidc_client, oidc_provider, framework, accounts
):
    # Someone at the provider has the address of an existing account that signs in with a
    # password: the sign-in is refused and the account left as it was.
    sub = _sub()
    oidc_provider.set_user(sub, email=accounts["viewer"].email, groups=["tracker-admins"])
    refused = sign_in_with(oidc_client(), oidc_provider, sub)
    assert refused.status_code == 403
    assert "does not sign in with Example ID" in refused.text
    with Session(framework) as session:
        viewer = session.get(User, accounts["viewer"].id)
        assert (viewer.role, viewer.oidc_subject) == ("viewer", None)
    assert _events(framework, entity_type="sign_in", action="refuse")[-1].after["reason"] == (
        "email_taken"
    )

    # An administrator links the account to that subject: then it signs in to it.
    with session_scope(framework) as session:
        users.link_to_provider(
            session=session,
            email=accounts["viewer"].email,
            issuer=oidc_provider.issuer,
            subject=sub,
            actor=None,
        )
    client = oidc_client()
    assert sign_in_with(client, oidc_provider, sub).status_code == 303
    with Session(framework) as session:
        assert session.get(User, accounts["viewer"].id).role == "admin"

    # The subject decides, whatever the email says: another subject with the same email is
    # a stranger.
    stranger = _sub()
    oidc_provider.set_user(stranger, email=accounts["viewer"].email, groups=["tracker-admins"])
    assert sign_in_with(oidc_client(), oidc_provider, stranger).status_code == 403


def test_a_deactivated_account_is_refused(oidc_client, oidc_provider, framework):
    sub = _sub()
    oidc_provider.set_user(sub, email=f"{sub}@example.org", groups=["tracker-staff"])
    assert sign_in_with(oidc_client(), oidc_provider, sub).status_code == 303
    with session_scope(framework) as session:
        user = session.exec(select(User).where(User.oidc_subject == sub)).one()
        user.active = False
        session.add(user)
    refused = sign_in_with(oidc_client(), oidc_provider, sub)
    assert refused.status_code == 403 and "deactivated" in refused.text


def test_signing_out_ends_the_providers_session_too(oidc_client, oidc_provider, framework):
    sub = _sub()
    oidc_provider.set_user(sub, email=f"{sub}@example.org", groups=["tracker-staff"])
    client = oidc_client()
    sign_in_with(client, oidc_provider, sub)
    token = lxml.html.fromstring(client.get("/account").text).xpath(
        '//input[@name="csrf_token"]/@value'
    )[0]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    target = out.headers["location"]
    assert target.startswith(f"{oidc_provider.issuer}/oauth2/end_session?")
    asked = query_of(target)
    assert asked["post_logout_redirect_uri"] == "http://testserver/login?signed_out=1"
    assert asked["client_id"] == "tracker-tests" and asked["id_token_hint"].count(".") == 2
    # The tracker's session has ended.
    assert client.get("/account", follow_redirects=False).status_code == 303
    with Session(framework) as session:
        assert session.exec(select(UserSession)).all() == []


def test_a_password_session_signs_out_at_home(oidc_client, accounts):
    client = oidc_client()
    assert sign_in(client, accounts["admin"].email).status_code == 303
    token = lxml.html.fromstring(client.get("/account").text).xpath(
        '//input[@name="csrf_token"]/@value'
    )[0]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "http://testserver/login?signed_out=1"


def test_without_a_provider_its_addresses_are_not_there(client):
    for path in ("/login/oidc", "/login/oidc/callback?state=x&code=y"):
        assert client.get(path, follow_redirects=False).status_code == 404
    assert "Sign in with" not in client.get("/login").text.replace("Sign in with a", "")
