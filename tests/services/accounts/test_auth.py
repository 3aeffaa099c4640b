"""Accounts under pressure: simultaneous sign-in guesses, everything that ends a person's
sign-ins (API tokens included, for good), and invitation links used at the same moment."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from tests.conftest import PASSWORD
from tests.waiting import Latch
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import ApiToken, AuditEvent, InviteToken, LoginFailure, User
from tracker.models._base import utcnow
from tracker.models.accounts import LoginThrottle
from tracker.services.accounts import auth, users
from tracker.services.accounts.secrets import password_problem, verify_password
from tracker.services.accounts.tokens import create_api_token, user_for_api_token
from tracker.services.errors import InputError, NotFound

WRONG = "not the password at all"


def _settings(engine, **values) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False), env="test", **values
    )


def _all_at_once(n: int, work) -> list:
    """Run work(i) in n threads that start together; each result or exception, in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _sign_in(engine, email: str, password: str, settings: Settings, **extra):
    with Session(engine, expire_on_commit=False) as session:
        signed_in = auth.sign_in(
            session=session,
            email=email,
            password=password,
            client_address=extra.pop("client_address", "192.0.2.1"),
            user_agent="test",
            settings=settings,
            **extra,
        )
        session.commit()
        return signed_in


@pytest.fixture
def overlapping_attempts(monkeypatch):
    """overlapping_attempts(n): of n simultaneous sign-ins, every password check waits until
    all n have been counted or refused, so that each check certainly overlaps the others'
    counting. Returns the number of passwords checked, and of checks that saw all n counted
    (rather than giving up after ten seconds)."""

    def install(attempts: int) -> Counter:
        counted = Latch(attempts)
        checks = Counter()
        lock = threading.Lock()
        real_count, real_check = auth.count_attempt, auth.verify_password

        def count_attempt(**values):
            try:
                return real_count(**values)
            finally:
                counted.count_down()

        def check(password, stored_hash):
            overlapped = counted.wait(timeout=10)
            with lock:
                checks["passwords"] += 1
                checks["overlapped"] += overlapped
            return real_check(password, stored_hash)

        monkeypatch.setattr(auth, "count_attempt", count_attempt)
        monkeypatch.setattr(auth, "verify_password", check)
        return checks

    return install


# Throttling


def test_twenty_simultaneous_guesses_check_at_most_five_passwords(
    accounts, framework, overlapping_attempts
):
    settings = _settings(framework)
    email = accounts["viewer"].email
    checks = overlapping_attempts(20)
    results = _all_at_once(20, lambda i: _sign_in(framework, email, WRONG, settings))

    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"LoginFailed": 5, "LoginThrottled": 15}, results
    assert checks["passwords"] == 5
    assert checks["overlapped"] == 5  # every check began before the last guess was counted
    waits = [r.retry_after_seconds for r in results if isinstance(r, auth.LoginThrottled)]
    assert all(0 < wait <= 15 * 60 for wait in waits)
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 5
    # Even the right password now waits.
    with pytest.raises(auth.LoginThrottled):
        _sign_in(framework, email, PASSWORD, settings)


def test_simultaneous_guesses_at_many_accounts_from_one_address_are_limited_too(
    accounts, framework, overlapping_attempts
):
    settings = _settings(framework, login_max_failures_per_address=4)
    checks = overlapping_attempts(12)
    results = _all_at_once(
        12, lambda i: _sign_in(framework, f"guess{i}@example.org", WRONG, settings)
    )
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"LoginFailed": 4, "LoginThrottled": 8}, results
    assert checks["passwords"] == 4
    assert checks["overlapped"] == 4


def test_the_wait_is_until_the_oldest_counted_attempt_leaves_the_window(accounts, framework):
    settings = _settings(framework)
    email = accounts["viewer"].email
    start = utcnow() - timedelta(minutes=5)
    for minute in range(5):
        with pytest.raises(auth.LoginFailed):
            _sign_in(framework, email, WRONG, settings, now=start + timedelta(minutes=minute))
    with pytest.raises(auth.LoginThrottled) as refused:
        _sign_in(framework, email, WRONG, settings, now=start + timedelta(minutes=5))
    assert refused.value.retry_after_seconds == 10 * 60
    assert refused.value.wait_text == "10 minutes"
    # A refused attempt is not counted, so it does not push the wait further.
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 5
    # When the first attempt leaves the window, one more is allowed, and only one.
    later = start + timedelta(minutes=15, seconds=1)
    with pytest.raises(auth.LoginFailed):
        _sign_in(framework, email, WRONG, settings, now=later)
    with pytest.raises(auth.LoginThrottled) as again:
        _sign_in(framework, email, WRONG, settings, now=later)
    assert again.value.retry_after_seconds == 60 - 1


def test_a_successful_sign_in_forgives_the_account_and_old_throttle_rows_go(accounts, framework):
    settings = _settings(framework)
    email = accounts["viewer"].email
    old = utcnow() - timedelta(hours=1)
    for _ in range(3):
        with pytest.raises(auth.LoginFailed):
            _sign_in(framework, "someone.else@example.org", WRONG, settings, now=old)
    for _ in range(4):
        with pytest.raises(auth.LoginFailed):
            _sign_in(framework, email, WRONG, settings)
    assert _sign_in(framework, email, PASSWORD, settings).user.email == email
    with Session(framework) as session:
        assert session.exec(select(LoginFailure.email)).all() == []
        keys = set(session.exec(select(LoginThrottle.key)))
    # The old key's rows left with its window; this sign-in's keys stay until theirs ends.
    assert keys == {f"account:{email}", "address:192.0.2.1"}


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("nul\x00@example.org", WRONG, "email", "must not contain control characters"),
        ("esc\x1b@example.org", WRONG, "email", "must not contain control characters"),
        ("x" * 250 + "@example.org", WRONG, "email", "must be at most 254 characters"),
        ("viewer@example.org", "p" * 257, "password", "must be at most 256 characters"),
        ("", WRONG, "email", "enter your email address"),
        ("viewer@example.org", "", "password", "enter your password"),
    ],
)
def test_sign_in_refuses_what_no_account_has_and_counts_nothing(
    accounts, framework, email, password, field, message
):
    with pytest.raises(InputError) as refused:
        _sign_in(framework, email, password, _settings(framework))
    assert message in refused.value.errors[field]
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0
        assert session.exec(select(func.count()).select_from(LoginThrottle)).one() == 0


# Everything that ends a person's sign-ins revokes their API tokens, for good


def _token_for(engine, user_id: int, name: str = "report script") -> str:
    with session_scope(engine) as session:
        user = users.get_user(session=session, user_id=user_id)
        return create_api_token(session=session, user=user, name=name)[1]


def _token_works(engine, raw: str) -> bool:
    with Session(engine) as session:
        return user_for_api_token(session=session, raw=raw) is not None


def _end_sessions(engine, accounts):
    with session_scope(engine) as session:
        admin = users.get_user(session=session, user_id=accounts["admin"].id)
        users.end_all_sessions(session=session, user_id=accounts["viewer"].id, actor=admin)


def _change_password(engine, accounts):
    with session_scope(engine) as session:
        users.set_password(
            session=session,
            email=accounts["viewer"].email,
            password="a brand new password",
            confirm="a brand new password",
            actor=None,
        )


def _reset_password(engine, accounts):
    with session_scope(engine) as session:
        viewer = users.get_user(session=session, user_id=accounts["viewer"].id)
        link = users.issue_invite(session=session, user=viewer, valid_days=7)
    with session_scope(engine) as session:
        users.accept_invite(
            session=session, token=link, password="a reset password", confirm="a reset password"
        )


def _set_active(engine, accounts, active: bool):
    with session_scope(engine) as session:
        admin = users.get_user(session=session, user_id=accounts["admin"].id)
        users.update_user(
            session=session,
            user_id=accounts["viewer"].id,
            full_name="Viewer",
            role="viewer",
            programmes=[],
            active=active,
            actor=admin,
        )


def _deactivate(engine, accounts):
    _set_active(engine, accounts, False)


def _deactivate_then_reactivate(engine, accounts):
    _set_active(engine, accounts, False)
    _set_active(engine, accounts, True)


@pytest.mark.parametrize(
    "end",
    [_end_sessions, _change_password, _reset_password, _deactivate, _deactivate_then_reactivate],
    ids=lambda f: f.__name__.strip("_"),
)
def test_ending_sign_ins_revokes_api_tokens_for_good(accounts, framework, end):
    raw = _token_for(framework, accounts["viewer"].id)
    others = _token_for(framework, accounts["manager_this"].id)
    assert _token_works(framework, raw)

    end(framework, accounts)

    assert not _token_works(framework, raw)
    assert _token_works(framework, others)
    with Session(framework) as session:
        token = session.exec(
            select(ApiToken).where(ApiToken.user_id == accounts["viewer"].id)
        ).one()
        assert token.revoked_at is not None
    # Whatever happens to the account next, the token stays refused; a new one works.
    _set_active(framework, accounts, True)
    assert not _token_works(framework, raw)
    assert _token_works(framework, _token_for(framework, accounts["viewer"].id, "new one"))


@pytest.mark.parametrize(
    ("end", "action", "after"),
    [
        (_end_sessions, "end_sessions", {"sessions_ended": 0, "tokens_revoked": 2}),
        (_change_password, "set_password", {"password": "changed", "tokens_revoked": 2}),
    ],
)
def test_the_audit_trail_says_how_many_tokens_were_revoked(accounts, framework, end, action, after):
    _token_for(framework, accounts["viewer"].id, "one")
    _token_for(framework, accounts["viewer"].id, "two")
    end(framework, accounts)
    with Session(framework) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == action)).one()
    assert event.after == after


# Invitation links


def _invite(engine) -> tuple[int, str]:
    with session_scope(engine) as session:
        user, link = users.invite_user(
            session=session,
            email="new.person@example.org",
            full_name="New Person",
            role="viewer",
            programmes=[],
            actor=None,
            valid_days=7,
        )
        return user.id, link


def _accept(engine, link: str, password: str) -> str:
    with Session(engine, expire_on_commit=False) as session:
        users.accept_invite(session=session, token=link, password=password, confirm=password)
        session.commit()
    return password


def test_two_simultaneous_acceptances_of_one_invitation_set_one_password(framework, monkeypatch):
    user_id, link = _invite(framework)
    real_hash = users.hash_password
    both_checked = threading.Barrier(2, timeout=10)

    def hash_once_both_have_checked(password: str) -> str:
        both_checked.wait()  # both requests have checked the link before either claims it
        return real_hash(password)

    monkeypatch.setattr(users, "hash_password", hash_once_both_have_checked)
    passwords = ["first password here", "second password here"]
    results = _all_at_once(2, lambda i: _accept(framework, link, passwords[i]))

    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, NotFound)]
    assert len(winners) == 1 and len(losers) == 1, results
    with Session(framework) as session:
        stored = session.get(User, user_id).password_hash
        assert verify_password(winners[0], stored)[0]
        loser = next(p for p in passwords if p != winners[0])
        assert not verify_password(loser, stored)[0]
        assert session.exec(select(InviteToken)).one().used_at is not None
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "set_password"))
        assert len(events.all()) == 1


def test_a_used_or_expired_invitation_sets_nothing(framework):
    user_id, link = _invite(framework)
    _accept(framework, link, "the first password")
    with pytest.raises(NotFound):
        _accept(framework, link, "a second password")
    _, other = _invite_again(framework, user_id)
    with session_scope(framework) as session:
        session.exec(select(InviteToken)).one().expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(NotFound):
        _accept(framework, other, "a third password")
    with Session(framework) as session:
        assert verify_password("the first password", session.get(User, user_id).password_hash)[0]


def _invite_again(engine, user_id: int) -> tuple[int, str]:
    with session_scope(engine) as session:
        user = users.get_user(session=session, user_id=user_id)
        return user_id, users.issue_invite(session=session, user=user, valid_days=7)


@pytest.mark.parametrize("token", ["", "x" * 129, "nul\x00", "é" * 43, "../../etc"])
def test_malformed_invitation_tokens_name_no_one(framework, token):
    _invite(framework)
    with Session(framework) as session:
        assert users.invited_user(session=session, token=token) is None


# Hostile account fields


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "nul\x00@example.org"}, "email"),
        ({"email": "tab\t@example.org"}, "email"),
        ({"full_name": "Nul\x00 Byte"}, "full_name"),
        ({"full_name": "x" * 121}, "full_name"),
        ({"password": "long enough\x00password"}, "password"),
    ],
)
def test_account_fields_with_control_characters_are_refused(framework, values, field):
    fields = {
        "email": "new.person@example.org",
        "full_name": "New Person",
        "role": "viewer",
        "programmes": [],
        "password": "long enough password",
        **values,
    }
    with pytest.raises(InputError) as refused, session_scope(framework) as session:
        users.create_user(session=session, actor=None, **fields)
    assert field in refused.value.errors
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_password_problems_name_control_characters():
    assert password_problem("a password with\x00nul") == (
        "must not contain control characters (such as a NUL byte or a tab)"
    )
    assert password_problem("a perfectly fine password") is None


@pytest.mark.parametrize("name", ["nul\x00", "\x1b[31mred", "x" * 81, "   "])
def test_token_names_are_checked(accounts, framework, name):
    with pytest.raises(InputError) as refused, session_scope(framework) as session:
        viewer = users.get_user(session=session, user_id=accounts["viewer"].id)
        create_api_token(session=session, user=viewer, name=name)
    assert "name" in refused.value.errors
    with Session(framework) as session:
        assert session.exec(select(func.count()).select_from(ApiToken)).one() == 0
