"""Signing in and out, sessions, throttling, CSRF, tokens and security headers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, inspect, text
from sqlmodel import select

from tests.conftest import PASSWORD, csrf_of, sign_in
from tests.web.refusals import field_error
from tracker.db import session_scope
from tracker.models import ApiToken, InviteToken, LoginFailure, User, UserSession
from tracker.models._base import utcnow
from tracker.security import CSRF_COOKIE, SESSION_COOKIE
from tracker.services.accounts import users
from tracker.services.accounts.secrets import token_digest, verify_password


def _set_cookie_headers(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def test_sign_in_sets_a_strict_session_cookie_and_lands_on_next(client, accounts):
    response = sign_in(client, accounts["viewer"].email, next="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = next(c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/account").status_code == 200


def test_cookies_are_secure_over_https(client_factory, accounts):
    client = client_factory()
    client.base_url = "https://testserver"
    response = sign_in(client, accounts["viewer"].email)
    assert all("Secure" in c for c in _set_cookie_headers(response))
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_next_never_leaves_the_site(client, accounts):
    response = sign_in(client, accounts["viewer"].email, next="//evil.example/")
    assert response.headers["location"] == "/"


def test_anonymous_pages_redirect_to_sign_in_and_back(client, accounts):
    response = client.get("/account?tab=tokens", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "http://testserver/login?next=%2Faccount%3Ftab%3Dtokens"
    page = BeautifulSoup(client.get(response.headers["location"]).text, "lxml")
    assert page.find("input", attrs={"name": "next"})["value"] == "/account?tab=tokens"


@pytest.mark.parametrize("email", ["viewer@example.org", "nobody@example.org"])
def test_wrong_credentials_do_not_reveal_whether_an_account_exists(client, accounts, email):
    response = sign_in(client, email, password="wrong password!")
    assert response.status_code == 401
    page = BeautifulSoup(response.text, "lxml")
    assert page.find(role="alert").get_text(strip=True) == (
        "The email address or password is not right. Check them and try again."
    )
    assert page.find("label", attrs={"for": "email"}).text == "Email address"
    assert page.find("input", id="email")["value"] == email


def test_empty_fields_are_named(client, accounts):
    response = sign_in(client, "", password="")
    assert response.status_code == 400
    page = BeautifulSoup(response.text, "lxml")
    assert (
        page.find(id="email-error").get_text(" ", strip=True) == "Error: enter your email address"
    )
    assert page.find("input", id="email")["aria-invalid"] == "true"
    assert page.find(id="password-error") is not None


def test_a_new_session_id_at_every_sign_in(client, accounts, engine):
    sign_in(client, accounts["viewer"].email)
    first = client.cookies.get(SESSION_COOKIE)
    sign_in(client, accounts["viewer"].email)
    second = client.cookies.get(SESSION_COOKIE)
    assert first and second and first != second
    with session_scope(engine) as session:
        stored = set(session.exec(select(UserSession.token_hash)).all())
    # The session of the earlier sign-in in this browser is gone.
    assert stored == {token_digest(second)}


def test_sign_out_really_ends_the_session(client, accounts, engine):
    sign_in(client, accounts["viewer"].email)
    cookie = client.cookies.get(SESSION_COOKIE)
    response = client.post(
        "/logout", data={"csrf_token": csrf_of(client, "/account")}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/login?signed_out=1")
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(UserSession)).one() == 0
    # Replaying the old cookie does not sign anyone in.
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/account", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("expiry", ["idle", "absolute"])
def test_sessions_expire(client, accounts, engine, expiry):
    sign_in(client, accounts["viewer"].email)
    assert client.get("/account").status_code == 200
    with session_scope(engine) as session:
        row = session.exec(select(UserSession)).one()
        if expiry == "idle":
            row.last_seen_at = utcnow() - timedelta(minutes=121)  # default idle limit: 120
        else:
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/account", follow_redirects=False).status_code == 303
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(UserSession)).one() == 0


def test_activity_keeps_an_idle_session_alive(client, accounts, engine):
    sign_in(client, accounts["viewer"].email)
    with session_scope(engine) as session:
        row = session.exec(select(UserSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=100)
    assert client.get("/account").status_code == 200
    with session_scope(engine) as session:
        assert session.exec(select(UserSession)).one().last_seen_at > utcnow() - timedelta(
            minutes=1
        )


def test_admin_ends_all_sessions_of_a_user(browser_for, accounts):
    viewer_phone, viewer_laptop = browser_for("viewer"), browser_for("viewer")
    admin = browser_for("admin")
    path = f"/admin/users/{accounts['viewer'].id}"
    response = admin.post(
        f"{path}/sessions/end", data={"csrf_token": csrf_of(admin, path)}, follow_redirects=False
    )
    assert response.status_code == 303
    for browser in (viewer_phone, viewer_laptop):
        assert browser.get("/account", follow_redirects=False).status_code == 303
    assert admin.get("/account").status_code == 200


def test_deactivated_account_cannot_sign_in(browser_for, accounts, client_factory):
    viewer = browser_for("viewer")
    admin = browser_for("admin")
    path = f"/admin/users/{accounts['viewer'].id}"
    response = admin.post(
        path,
        data={"csrf_token": csrf_of(admin, path), "full_name": "Viewer", "role": "viewer"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert viewer.get("/account", follow_redirects=False).status_code == 303
    assert sign_in(client_factory(), accounts["viewer"].email).status_code == 401


def test_password_is_rehashed_when_the_parameters_change(client, accounts, engine):
    old = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=32, parallelism=1),)).hash(PASSWORD)
    with session_scope(engine) as session:
        session.get(User, accounts["viewer"].id).password_hash = old
    assert sign_in(client, accounts["viewer"].email).status_code == 303
    with session_scope(engine) as session:
        renewed = session.get(User, accounts["viewer"].id).password_hash
    assert renewed != old and renewed.startswith("$argon2id$") and "t=1" in renewed
    assert sign_in(client, accounts["viewer"].email).status_code == 303


# CSRF


@pytest.mark.parametrize("token", [None, "", "forged", "0" * 64])
def test_a_state_change_without_a_valid_csrf_token_is_refused(browser_for, accounts, engine, token):
    admin = browser_for("admin")
    data = {"email": "new.person@example.org", "full_name": "New Person", "role": "viewer"}
    if token is not None:
        data["csrf_token"] = token
    response = admin.post("/admin/users", data=data)
    assert response.status_code == 403
    assert "nothing was changed" in response.text.lower()
    with session_scope(engine) as session:
        assert (
            session.exec(select(User).where(User.email == "new.person@example.org")).first() is None
        )


def test_a_token_from_another_session_is_refused(browser_for, engine):
    other = browser_for("viewer")
    stolen = csrf_of(other, "/account")
    admin = browser_for("admin")
    response = admin.post(
        "/admin/users",
        data={"email": "x@example.org", "full_name": "X", "role": "viewer", "csrf_token": stolen},
    )
    assert response.status_code == 403


def test_htmx_sends_the_token_in_a_header(browser_for, engine):
    admin = browser_for("admin")
    page = BeautifulSoup(admin.get("/admin/users").text, "lxml")
    header = page.body["hx-headers"]
    token = csrf_of(admin, "/admin/users")
    assert header == f'{{"X-CSRF-Token": "{token}"}}'
    response = admin.post(
        "/admin/users",
        data={"email": "hx@example.org", "full_name": "Hx", "role": "viewer"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert response.status_code == 201


def test_sign_out_without_token_keeps_the_session(browser_for):
    viewer = browser_for("viewer")
    assert viewer.post("/logout", follow_redirects=False).status_code == 403
    assert viewer.get("/account").status_code == 200


# Throttling


def test_throttling_per_account_holds_across_two_instances(client_factory, accounts, engine):
    first, second = client_factory(), client_factory()
    assert first.app is not second.app
    email = accounts["viewer"].email
    for attempt in range(5):
        browser = first if attempt % 2 == 0 else second
        assert sign_in(browser, email, password="wrong password!").status_code == 401
    refused = sign_in(second, email)  # even the right password waits
    assert refused.status_code == 429
    assert 14 * 60 < int(refused.headers["retry-after"]) <= 15 * 60
    message = BeautifulSoup(refused.text, "lxml").find(role="alert").get_text(strip=True)
    assert message == "Too many failed sign-in attempts. Wait 15 minutes and try again."
    assert sign_in(first, email).status_code == 429
    # Another account is not affected.
    assert sign_in(client_factory(), accounts["admin"].email).status_code == 303


def test_throttling_lifts_when_the_window_passes(client, accounts, engine):
    email = accounts["viewer"].email
    for _ in range(5):
        sign_in(client, email, password="wrong password!")
    assert sign_in(client, email).status_code == 429
    with session_scope(engine) as session:
        for failure in session.exec(select(LoginFailure)):
            failure.failed_at -= timedelta(minutes=14)
    refused = sign_in(client, email)
    assert "Wait 1 minute and" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 60
    with session_scope(engine) as session:
        for failure in session.exec(select(LoginFailure)):
            failure.failed_at -= timedelta(minutes=1)
    assert sign_in(client, email).status_code == 303
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


def test_throttling_per_address(client_factory, accounts):
    attacker = client_factory(login_max_failures_per_address=4)
    for n in range(4):
        assert (
            sign_in(attacker, f"guess{n}@example.org", password="wrong password!").status_code
            == 401
        )
    assert sign_in(attacker, accounts["admin"].email).status_code == 429


def test_a_refused_sign_in_says_when_to_come_back_and_counts_nothing(client_factory, accounts):
    client = client_factory(login_max_failures_per_account=2)
    email = accounts["viewer"].email
    for _ in range(2):
        assert sign_in(client, email, password="wrong password!").status_code == 401
    first = sign_in(client, email, password="wrong password!")
    second = sign_in(client, email, password="wrong password!")
    assert first.status_code == second.status_code == 429
    # Refused attempts are not counted: the wait does not grow with them.
    assert int(second.headers["retry-after"]) <= int(first.headers["retry-after"])


# Hostile sign-in and token fields: refused naming the field, nothing stored, never a 5xx


HOSTILE_TEXT = {
    "nul": "nul\x00byte",
    "escape": "\x1b[31mred",
    "bell": "ding\x07",
    "long": "x" * 5_000,
}


def _post(client, path: str, data: dict, *, multipart: bool, csrf_from: str):
    """A form as a browser posts it, or as multipart (which the edge check leaves to routes)."""
    data = {**data, "csrf_token": csrf_of(client, csrf_from)}
    if multipart:
        return client.post(
            path, data=data, files={"attachment": ("a.txt", b"x")}, follow_redirects=False
        )
    return client.post(path, data=data, follow_redirects=False)


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("value", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_sign_in_email_is_refused_naming_the_field(
    client_factory, accounts, engine, value, multipart
):
    client = client_factory(raise_server_exceptions=False)
    response = _post(
        client,
        "/login",
        {"email": value, "password": "wrong password!"},
        multipart=multipart,
        csrf_from="/login",
    )
    assert response.status_code == 400, response.text[:300]
    error = field_error(response.text, "email")
    assert "must not contain control characters" in error or "at most" in error, error
    assert "\x00" not in response.text
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("value", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_token_name_is_refused_naming_the_field(browser_for, engine, value, multipart):
    viewer = browser_for("viewer")
    response = _post(
        viewer, "/account/tokens", {"name": value}, multipart=multipart, csrf_from="/account"
    )
    assert response.status_code == 400, response.text[:300]
    error = field_error(response.text, "name")
    assert "must not contain control characters" in error or "at most" in error, error
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(ApiToken)).one() == 0


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("value", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_passwords_on_an_invitation_set_nothing(
    client_factory, accounts, engine, value, multipart
):
    with session_scope(engine) as session:
        viewer = session.get(User, accounts["viewer"].id)
        token = users.issue_invite(session=session, user=viewer, valid_days=7)
    client = client_factory(raise_server_exceptions=False)
    path = f"/invite/{token}"
    response = _post(
        client, path, {"password": value, "confirm": value}, multipart=multipart, csrf_from=path
    )
    assert response.status_code == 400, response.text[:300]
    assert field_error(response.text, "password")
    with session_scope(engine) as session:
        assert session.exec(select(InviteToken)).one().used_at is None
        assert verify_password(PASSWORD, session.get(User, viewer.id).password_hash)[0]


def test_a_file_where_the_email_belongs_is_refused(client, accounts, engine):
    response = client.post(
        "/login",
        data={"password": "wrong password!", "csrf_token": csrf_of(client, "/login")},
        files={"email": ("email.txt", b"viewer@example.org")},
    )
    assert response.status_code == 400
    assert "must be text, not a file" in field_error(response.text, "email")
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


# API tokens


def test_api_token_is_shown_once_works_and_can_be_revoked(browser_for, client_factory, engine):
    manager = browser_for("manager_this")
    response = manager.post(
        "/account/tokens",
        data={"name": "report script", "csrf_token": csrf_of(manager, "/account")},
    )
    assert response.status_code == 201
    raw = BeautifulSoup(response.text, "lxml").find(id="new-token")["value"]
    assert raw.startswith("pat_")
    assert raw not in manager.get("/account").text  # shown once

    api = client_factory()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.status_code == 200
    assert me.json() == {
        "email": "manager.this@example.org",
        "full_name": "Manager This",
        "role": "manager",
        "programmes": ["CYB"],
        "authenticated_by": "token",
    }
    with session_scope(engine) as session:
        token = session.exec(select(ApiToken)).one()
        assert token.last_used_at is not None
    # Tokens are for the JSON API only.
    assert (
        api.get(
            "/account", headers={"Authorization": f"Bearer {raw}"}, follow_redirects=False
        ).status_code
        == 303
    )

    revoke = manager.post(
        f"/account/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_of(manager, "/account")},
        follow_redirects=False,
    )
    assert revoke.status_code == 303
    refused = api.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"


def test_someone_elses_token_cannot_be_revoked(browser_for, engine):
    owner = browser_for("manager_this")
    owner.post("/account/tokens", data={"name": "mine", "csrf_token": csrf_of(owner, "/account")})
    with session_scope(engine) as session:
        token_id = session.exec(select(ApiToken.id)).one()
    other = browser_for("viewer")
    response = other.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(other, "/account")}
    )
    assert response.status_code == 404
    with session_scope(engine) as session:
        assert session.get(ApiToken, token_id).revoked_at is None


# Nothing secret in clear


def test_no_password_or_token_is_stored_in_clear(browser_for, client_factory, accounts, engine):
    manager = browser_for("manager_this")
    created = manager.post(
        "/account/tokens", data={"name": "t", "csrf_token": csrf_of(manager, "/account")}
    )
    raw_token = BeautifulSoup(created.text, "lxml").find(id="new-token")["value"]
    admin = browser_for("admin")
    invited = admin.post(
        "/admin/users",
        data={
            "email": "invitee@example.org",
            "full_name": "Invitee",
            "role": "viewer",
            "csrf_token": csrf_of(admin, "/admin/users"),
        },
    )
    invite_link = BeautifulSoup(invited.text, "lxml").find(id="invite-link")["value"]
    invite_token = invite_link.rsplit("/", 1)[1]
    secrets = [
        PASSWORD,
        raw_token,
        invite_token,
        manager.cookies.get(SESSION_COOKIE),
        admin.cookies.get(SESSION_COOKIE),
    ]

    dump = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                dump.extend(str(value) for value in row)
    everything = "\n".join(dump)
    for secret in secrets:
        assert secret and secret not in everything
    with session_scope(engine) as session:
        hashes = session.exec(
            select(User.password_hash).where(User.password_hash.is_not(None))
        ).all()
        assert hashes and all(h.startswith("$argon2id$") for h in hashes)
        assert session.exec(select(InviteToken)).one().token_hash == token_digest(invite_token)


# Headers


@pytest.mark.parametrize("path", ["/login", "/healthz", "/no-such-page", "/static/css/app.css"])
def test_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert CSRF_COOKIE in response.headers.get("set-cookie", "")


def test_pages_have_no_inline_script(browser_for):
    admin = browser_for("admin")
    for path in ("/", "/account", "/admin", "/admin/users", "/admin/audit", "/login"):
        page = BeautifulSoup(admin.get(path).text, "lxml")
        for script in page.find_all("script"):
            assert script.get("src") and not script.string, path
        assert not page.find_all(attrs={"style": True}), path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/heatmap",
        "/gaps",
        "/projects",
        "/projects/new",
        "/framework",
        "/digests",
        "/account",
        "/admin/users",
        "/admin/imports",
    ],
)
def test_ids_are_unique_so_that_labels_point_at_their_field(browser_for, path):
    page = BeautifulSoup(browser_for("admin").get(path).text, "lxml")
    ids = [element["id"] for element in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for label in page.find_all("label", attrs={"for": True}):
        assert page.find(id=label["for"]) is not None, label["for"]


# Everything that ends someone's sign-ins ends their API tokens, for good


def _token_of(browser) -> str:
    created = browser.post(
        "/account/tokens", data={"name": "nightly", "csrf_token": csrf_of(browser, "/account")}
    )
    assert created.status_code == 201
    return BeautifulSoup(created.text, "lxml").find(id="new-token")["value"]


def _api_status(client_factory, raw: str) -> int:
    return (
        client_factory().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code
    )


def _admin_post(admin, path: str, data: dict | None = None):
    page = path.rsplit("/", 2)[0] if path.endswith(("/end", "/invite")) else path
    page = page.removesuffix("/sessions")
    return admin.post(
        path, data={**(data or {}), "csrf_token": csrf_of(admin, page)}, follow_redirects=False
    )


def test_signing_someone_out_everywhere_revokes_their_tokens(browser_for, client_factory, accounts):
    raw = _token_of(browser_for("viewer"))
    assert _api_status(client_factory, raw) == 200
    admin = browser_for("admin")
    response = _admin_post(admin, f"/admin/users/{accounts['viewer'].id}/sessions/end")
    assert response.status_code == 303
    assert _api_status(client_factory, raw) == 401


def test_deactivating_revokes_tokens_and_reactivating_brings_none_back(
    browser_for, client_factory, accounts, engine
):
    viewer = browser_for("viewer")
    raw = _token_of(viewer)
    admin = browser_for("admin")
    path = f"/admin/users/{accounts['viewer'].id}"
    fields = {"full_name": "Viewer", "role": "viewer"}
    assert _admin_post(admin, path, fields).status_code == 303  # no "active": deactivated
    assert _api_status(client_factory, raw) == 401
    assert _admin_post(admin, path, {**fields, "active": "true"}).status_code == 303
    with session_scope(engine) as session:
        assert session.get(User, accounts["viewer"].id).active
    assert _api_status(client_factory, raw) == 401
    # The account itself works again, and a new token does.
    fresh = browser_for("viewer")
    assert _api_status(client_factory, _token_of(fresh)) == 200


def test_a_password_reset_revokes_tokens(browser_for, client_factory, accounts):
    raw = _token_of(browser_for("viewer"))
    admin = browser_for("admin")
    invited = _admin_post(admin, f"/admin/users/{accounts['viewer'].id}/invite")
    assert invited.status_code == 201
    link = BeautifulSoup(invited.text, "lxml").find(id="invite-link")["value"]
    path = "/invite/" + link.rsplit("/", 1)[1]
    person = client_factory()
    chosen = {"password": "a new password now", "confirm": "a new password now"}
    response = person.post(
        path, data={**chosen, "csrf_token": csrf_of(person, path)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert _api_status(client_factory, raw) == 401
    # The link worked once.
    again = person.post(path, data={**chosen, "csrf_token": csrf_of(person, "/login")})
    assert again.status_code == 404 and "This link no longer works" in again.text
