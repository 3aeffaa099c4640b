"""Bad and hostile answers at the sign-in callback, and hostile logout tokens: each refused
with a page (or, for the provider's back channel, an error) that says why, nothing created, the
attempt in the audit trail. All against real providers over HTTP: oidc-provider-mock, and a
provider of our own where a case needs one that misbehaves (tests/oidc.py)."""

from __future__ import annotations

import time
import uuid

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from tests.oidc import (
    CLIENT_ID,
    begin,
    local_path,
    oidc_settings,
    query_of,
    rsa_key,
)
from tests.waiting import free_port
from tracker.db import session_scope
from tracker.models import ApiToken, AuditEvent, ProviderSignIn, User, UserSession
from tracker.services.accounts.tokens import create_api_token

RULES = "tracker-viewers=viewer; tracker-admins=admin"


def _counts(engine) -> tuple[int, int]:
    """(accounts made at the provider, sessions open)."""
    with Session(engine) as session:
        made = session.exec(
            select(func.count()).select_from(User).where(User.oidc_subject.is_not(None))
        ).one()
        return made, session.exec(select(func.count()).select_from(UserSession)).one()


def _last_refusal(engine) -> dict:
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "sign_in", AuditEvent.action == "refuse")
            .order_by(AuditEvent.id.desc())
        ).first()
        return event.after


def _refusal(response, status: int, words: str) -> str:
    assert response.status_code == status, response.text
    page = lxml.html.fromstring(response.text)
    message = page.xpath("string(//p[@class='lede'])")
    assert words in message, message
    assert "Nothing was changed" in message
    return message


# With oidc-provider-mock


@pytest.fixture
def mock_client(client_factory, oidc_provider, framework):
    sub = f"person-{uuid.uuid4().hex[:8]}"
    oidc_provider.set_user(sub, email=f"{sub}@example.org", groups=["tracker-viewers"])

    def make() -> TestClient:
        return client_factory(**oidc_settings(oidc_provider.issuer, oidc_group_roles=RULES))

    make.sub = sub
    return make


def test_a_replayed_callback_is_refused(mock_client, oidc_provider, framework):
    client = mock_client()
    back = local_path(oidc_provider.authorize(begin(client), mock_client.sub))
    assert client.get(back, follow_redirects=False).status_code == 303
    assert _counts(framework) == (1, 1)
    again = client.get(back, follow_redirects=False)
    _refusal(again, 400, "or it was used already")
    assert _counts(framework) == (1, 1)
    assert _last_refusal(framework)["reason"] == "no_sign_in_under_way"


def test_a_callback_forged_into_another_browser_is_refused(mock_client, oidc_provider, framework):
    # An attacker starts a sign-in and sends the answer's address to someone else's browser
    # (to sign them in as the attacker): that browser did not start it.
    attacker = mock_client()
    back = local_path(oidc_provider.authorize(begin(attacker), mock_client.sub))
    _refusal(mock_client().get(back, follow_redirects=False), 400, "started in this browser")
    assert _counts(framework) == (0, 0)
    # The browser that did start it can still finish.
    assert attacker.get(back, follow_redirects=False).status_code == 303


STALE = "does not belong to a sign-in started in this browser"


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        (lambda q: {**q, "state": q["state"][:-2] + "xy"}, STALE),
        (lambda q: {k: v for k, v in q.items() if k != "state"}, STALE),
        # Refused at the edge, before the route: the field named with what is allowed.
        (lambda q: {**q, "state": "a\x00b"}, "must not contain control characters"),
        (lambda q: {**q, "state": "s" * 5000}, "must be at most 2,000 characters"),
    ],
    ids=["wrong state", "no state", "NUL in the state", "state too long"],
)
def test_a_wrong_state_is_refused(tamper, words, mock_client, oidc_provider, framework):
    client = mock_client()
    back = oidc_provider.authorize(begin(client), mock_client.sub)
    answer = tamper(query_of(back))
    response = client.get("/login/oidc/callback", params=answer, follow_redirects=False)
    assert response.status_code == 400
    assert words in lxml.html.fromstring(response.text).text_content()
    assert _counts(framework) == (0, 0)


def test_a_wrong_nonce_is_refused(mock_client, oidc_provider, framework):
    client = mock_client()
    provider_url = begin(client)
    nonce = query_of(provider_url)["nonce"]
    # The ID token the provider issues carries another sign-in's nonce.
    forged = provider_url.replace(f"nonce={nonce}", "nonce=from-another-sign-in")
    back = local_path(oidc_provider.authorize(forged, mock_client.sub))
    _refusal(client.get(back, follow_redirects=False), 400, "its nonce differs")
    assert _counts(framework) == (0, 0)
    assert _last_refusal(framework)["reason"] == "wrong_nonce"


def test_a_code_the_provider_refuses_is_refused(mock_client, oidc_provider, framework):
    client = mock_client()
    back = query_of(oidc_provider.authorize(begin(client), mock_client.sub))
    response = client.get(
        "/login/oidc/callback", params={**back, "code": "made-up"}, follow_redirects=False
    )
    _refusal(response, 400, "would not exchange this sign-in's code")
    assert _counts(framework) == (0, 0)


# With a provider of our own


@pytest.fixture
def own_client(client_factory, signing_provider, framework):
    def make(**more) -> TestClient:
        return client_factory(
            **oidc_settings(signing_provider.issuer, oidc_group_roles=RULES, **more)
        )

    return make


def _round(client, provider):
    back = provider.authorize(begin(client))
    return client.get(local_path(back), follow_redirects=False)


def test_our_own_provider_signs_people_in(own_client, signing_provider, framework):
    assert _round(own_client(), signing_provider).status_code == 303
    assert _counts(framework) == (1, 1)


@pytest.mark.parametrize(
    ("claims", "reason", "words"),
    [
        ({"exp": -3600, "iat": -7200}, "expired_token", "has expired"),
        ({"iss": "https://login.example.net"}, "unknown_issuer", "another provider"),
        ({"aud": "another-application"}, "wrong_audience", "another application"),
        ({"nonce": None}, "bad_token", "lacks its nonce claim"),
        ({"sub": None}, "bad_token", "lacks its sub claim"),
    ],
    ids=["expired", "another issuer", "another audience", "no nonce", "no subject"],
)
def test_a_bad_id_token_is_refused(claims, reason, words, own_client, signing_provider, framework):
    now = int(time.time())
    signing_provider.claims = {
        k: (now + v if k in ("exp", "iat") else v) for k, v in claims.items()
    }
    _refusal(_round(own_client(), signing_provider), 400, words)
    assert _counts(framework) == (0, 0)
    assert _last_refusal(framework)["reason"] == reason


@pytest.mark.parametrize(
    ("impostor", "words"),
    [
        (("impostor", "first"), "was not signed with the provider's published keys"),
        (("impostor", None), "was signed with a key the provider does not publish"),
    ],
    ids=["same key id", "unknown key id"],
)
def test_an_id_token_signed_with_another_key_is_refused(
    impostor, words, own_client, signing_provider, framework
):
    signing_provider.signing_key = rsa_key(*impostor)
    message = _refusal(_round(own_client(), signing_provider), 400, words)
    assert "ID token" in message
    assert _counts(framework) == (0, 0)
    assert _last_refusal(framework)["reason"] == "bad_signature"


def test_keys_rotated_by_the_provider_are_fetched_again(own_client, signing_provider, framework):
    assert _round(own_client(), signing_provider).status_code == 303
    signing_provider.published = [rsa_key("second")]
    signing_provider.signing_key = rsa_key("second")
    assert _round(own_client(), signing_provider).status_code == 303
    assert signing_provider.requests.count("/jwks") == 2
    # The discovery document was read once and kept.
    assert signing_provider.requests.count("/.well-known/openid-configuration") == 1


def test_a_provider_that_calls_itself_another_issuer_is_refused(
    own_client, signing_provider, framework
):
    signing_provider.claimed_issuer = "https://login.example.net"
    response = own_client().get("/login/oidc", follow_redirects=False)
    assert response.status_code == 502
    assert "not the issuer the tracker is set to trust" in response.text
    assert _last_refusal(framework)["reason"] == "unknown_issuer"


def test_an_answer_naming_another_issuer_is_refused(own_client, signing_provider, framework):
    client = own_client()
    back = query_of(signing_provider.authorize(begin(client)))
    response = client.get(
        "/login/oidc/callback",
        params={**back, "iss": "https://login.example.net"},
        follow_redirects=False,
    )
    _refusal(response, 400, "not from the provider the tracker trusts")
    assert _counts(framework) == (0, 0)


def test_a_refusal_at_the_provider_is_said(own_client, signing_provider, framework):
    signing_provider.deny = True
    _refusal(_round(own_client(), signing_provider), 403, "did not sign you in: access_denied")
    assert _last_refusal(framework)["reason"] == "provider_refused"


def test_a_provider_that_is_down_gets_a_clear_page(client_factory, framework):
    issuer = f"http://127.0.0.1:{free_port()}"
    client = client_factory(**oidc_settings(issuer, oidc_group_roles=RULES))
    response = client.get("/login/oidc", follow_redirects=False)
    assert response.status_code == 502
    page = lxml.html.fromstring(response.text)
    assert page.xpath("string(//h1)") == "The sign-in service is not answering"
    assert "could not reach Example ID" in page.xpath("string(//p[@class='lede'])")
    assert _last_refusal(framework)["reason"] == "provider_unavailable"
    with Session(framework) as session:
        assert session.exec(select(ProviderSignIn)).all() == []


def test_a_provider_that_goes_down_before_the_callback_gets_a_clear_page(
    own_client, signing_provider, framework
):
    client = own_client()
    back = local_path(signing_provider.authorize(begin(client)))
    signing_provider.stop()
    response = client.get(back, follow_redirects=False)
    _refusal(response, 502, "could not reach Example ID")
    assert _counts(framework) == (0, 0)


# Back-channel logout


@pytest.fixture
def signed_in(own_client, signing_provider, framework):
    """A browser signed in through the provider, and an API token of the same person."""
    client = own_client()
    assert _round(client, signing_provider).status_code == 303
    with session_scope(framework) as session:
        user = session.exec(select(User).where(User.oidc_subject == "person-1")).one()
        _, raw = create_api_token(session=session, user=user, name="script")
    return client, raw


def _logout(client, token) -> int:
    data = {} if token is None else {"logout_token": token}
    return client.post("/login/oidc/backchannel-logout", data=data).status_code


def test_a_back_channel_logout_ends_sessions_and_api_tokens(
    signed_in, own_client, signing_provider, framework
):
    client, raw = signed_in
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    # The provider posts from its own server: no cookie, no CSRF token.
    provider_side = own_client()
    assert _logout(provider_side, signing_provider.logout_token(sub="person-1")) == 200
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    with Session(framework) as session:
        assert session.exec(select(ApiToken)).one().revoked_at is not None
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "end_sessions")).one()
        assert event.after == {"sessions_ended": 1, "tokens_revoked": 1, "by": "back-channel"}


def test_a_back_channel_logout_by_session_id(signed_in, own_client, signing_provider, framework):
    token = signing_provider.logout_token(sid="session-of-person-1")
    assert _logout(own_client(), token) == 200
    assert _counts(framework) == (1, 0)


@pytest.mark.parametrize(
    "bad",
    [
        lambda p: p.logout_token(sub="person-1", key=rsa_key("impostor", "first")),
        lambda p: p.logout_token(sub="person-1", nonce="n"),
        lambda p: p.logout_token(sub="person-1", events=None),
        lambda p: p.logout_token(sub="person-1", events={"other": {}}),
        lambda p: p.logout_token(),
        lambda p: p.logout_token(sub="person-1", aud="another-application"),
        lambda p: p.logout_token(sub="person-1", iss="https://login.example.net"),
        lambda p: p.logout_token(sub="person-1", iat=int(time.time()) - 3600, exp=None),
        lambda p: "not.a.token",
        lambda p: None,
    ],
    ids=[
        "wrong key",
        "nonce",
        "no events",
        "other event",
        "nobody named",
        "another audience",
        "another issuer",
        "too old",
        "not a token",
        "missing",
    ],
)
def test_a_bad_logout_token_is_refused(bad, signed_in, own_client, signing_provider, framework):
    assert _logout(own_client(), bad(signing_provider)) == 400
    assert _counts(framework) == (1, 1)
    with Session(framework) as session:
        assert session.exec(select(ApiToken)).one().revoked_at is None


def test_an_id_token_is_not_a_logout_token(signed_in, own_client, signing_provider):
    from tests.oidc import _Grant

    id_token = signing_provider.id_token(_Grant("n", "x", None, "person-1"))
    assert _logout(own_client(), id_token) == 400


def test_a_logout_token_names_only_this_client(signed_in, own_client, signing_provider):
    assert CLIENT_ID == "tracker-tests"
    assert _logout(own_client(), signing_provider.logout_token(sub="someone-else")) == 200
