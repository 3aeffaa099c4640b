"""Signing in: the password checked, attempts throttled per account and per address, and a
server-side session opened. Sessions live on in `sessions`, API tokens in `tokens`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.formats import Text
from tracker.locales import Nn_
from tracker.models import LoginFailure, User
from tracker.models._base import utcnow
from tracker.models.accounts import LoginThrottle
from tracker.services.accounts.secrets import MAX_PASSWORD_LENGTH, verify_password
from tracker.services.accounts.sessions import open_session, purge_expired
from tracker.services.accounts.users import email_problem, normalise_email
from tracker.services.audit.record import record
from tracker.services.errors import InputError


class LoginFailed(Exception):
    """Wrong email or password; deliberately does not say which."""


class LoginThrottled(Exception):
    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"retry after {retry_after_seconds} s")

    @property
    def wait_text(self) -> str:
        seconds = self.retry_after_seconds
        if seconds < 60:
            return f"{seconds} second{'s' if seconds != 1 else ''}"
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"

    @property
    def wait_said(self) -> Text:
        """How long to wait, as a Text (its English is `wait_text`)."""
        seconds = self.retry_after_seconds
        if seconds < 60:
            return Text.counted(*Nn_("%(num)s second", "%(num)s seconds"), seconds)
        minutes = math.ceil(seconds / 60)
        return Text.counted(*Nn_("%(num)s minute", "%(num)s minutes"), minutes)


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str


def _retry_after(
    session: Session, column, value: str, limit: int, window: timedelta, now: datetime
) -> int:
    """Seconds until fewer than `limit` attempts for `value` remain in the window; 0 if now."""
    recent = session.exec(
        select(LoginFailure.failed_at)
        .where(column == value, LoginFailure.failed_at > now - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return 0
    # When the limit-th most recent attempt leaves the window, one more is allowed. (Never
    # more than the window: an attempt counted just before may carry a later time than ours.)
    wait = math.ceil((recent[-1] + window - now).total_seconds())
    return min(max(1, wait), math.ceil(window.total_seconds()))


def _insert_for(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _hold(session: Session, key: str, now: datetime) -> None:
    """Write the key's throttle row: until this transaction ends, other attempts on the same
    key wait here (PostgreSQL locks the row; on SQLite this makes us the one writer)."""
    statement = _insert_for(session)(LoginThrottle).values(key=key, touched_at=now)
    session.execute(
        statement.on_conflict_do_update(index_elements=["key"], set_={"touched_at": now})
    )


def count_attempt(
    *,
    engine: Engine,
    email: str,
    client_address: str,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Count a sign-in attempt before its password is checked, or refuse it.

    In a short transaction of its own, committed at once: the attempt holds its address's and
    its account's throttle rows (always in that order, so two attempts never wait for each
    other in a circle), counts what is already in the window, and records itself only when
    both limits allow it. However many arrive at once, at most the limit are let through to
    the password check; a refused attempt is not recorded and does not push the wait further.
    """
    window = timedelta(minutes=settings.login_window_minutes)
    with Session(engine) as session:
        _hold(session, f"address:{client_address}", now or utcnow())
        _hold(session, f"account:{email}", now or utcnow())
        # Timed when its turn comes, after those counted before it.
        now = now or utcnow()
        wait = max(
            _retry_after(
                session,
                LoginFailure.client_address,
                client_address,
                settings.login_max_failures_per_address,
                window,
                now,
            ),
            _retry_after(
                session,
                LoginFailure.email,
                email,
                settings.login_max_failures_per_account,
                window,
                now,
            ),
        )
        if wait:
            session.rollback()
            raise LoginThrottled(wait)
        session.add(LoginFailure(email=email, client_address=client_address, failed_at=now))
        session.commit()


def _sign_in_problems(email: str, password: str) -> dict[str, str]:
    errors = {}
    if not email:
        errors["email"] = "enter your email address"
    elif problem := email_problem(email):
        errors["email"] = problem
    if not password:
        errors["password"] = "enter your password"
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors["password"] = f"must be at most {MAX_PASSWORD_LENGTH} characters"
    return errors


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    client_address: str,
    user_agent: str | None,
    settings: Settings,
    now: datetime | None = None,
) -> SignedIn:
    """Check the password and open a new session; the caller commits.

    The attempt is counted (and committed) before the password is checked, so LoginThrottled
    comes first and a wrong password (LoginFailed) has nothing left to write."""
    email = normalise_email(email)
    if errors := _sign_in_problems(email, password):
        raise InputError(errors)
    client_address = client_address[:64]
    count_attempt(
        engine=session.get_bind().engine,
        email=email,
        client_address=client_address,
        settings=settings,
        now=now,
    )
    now = now or utcnow()
    user = session.exec(select(User).where(User.email == email)).first()
    valid, new_hash = verify_password(password, user.password_hash if user else None)
    if not (valid and user and user.active):
        raise LoginFailed()
    if not settings.local_passwords and not user.break_glass:
        # Passwords are off: only a break-glass administrator still signs in with one. The
        # refusal is the same as for a wrong password, so it tells nobody which account is one.
        raise LoginFailed()

    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    purge_expired(session=session, settings=settings, now=now)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now
    session.add(user)
    record(
        session=session,
        actor=user,
        action="sign_in",
        entity_type="sign_in",
        entity_key=user.email,
        after={"with": "password", "break_glass": user.break_glass},
    )
    token = open_session(
        session=session,
        user=user,
        settings=settings,
        client_address=client_address,
        user_agent=user_agent,
        now=now,
    )
    return SignedIn(user=user, session_token=token)
