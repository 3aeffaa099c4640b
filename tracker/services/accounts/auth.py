"""Signing in and out: throttling, server-side sessions, API tokens."""

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
from tracker.inputs import CONTROL, bad_character
from tracker.models import ApiToken, LoginFailure, User, UserSession
from tracker.models._base import utcnow
from tracker.models.accounts import LoginThrottle
from tracker.services.accounts.secrets import (
    MAX_PASSWORD_LENGTH,
    new_token,
    token_digest,
    verify_password,
)
from tracker.services.accounts.users import email_problem, normalise_email
from tracker.services.audit.record import record
from tracker.services.errors import InputError, NotFound

# How often last-seen and last-used times are written: often enough for the idle timeout and
# the token list, rarely enough that reading a page does not always write.
_TOUCH_EVERY = timedelta(seconds=60)
MAX_TOKEN_NAME_LENGTH = 80


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

    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    purge_expired(session=session, settings=settings, now=now)
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now
    session.add(user)
    token = new_token()
    session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
            client_address=client_address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return SignedIn(user=user, session_token=token)


def user_for_session(
    *, session: Session, token: str, settings: Settings, now: datetime | None = None
) -> User | None:
    """The user of a live session, or None; an expired session is removed."""
    now = now or utcnow()
    row = session.get(UserSession, token_digest(token))
    if row is None:
        return None
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if row.expires_at <= now or idle_limit <= now:
        session.delete(row)
        session.commit()
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return user


def sign_out(*, session: Session, token: str) -> None:
    session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))


def purge_expired(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Remove sessions past their lifetime and throttle records past their window."""
    now = now or utcnow()
    ended = session.execute(delete(UserSession).where(UserSession.expires_at <= now)).rowcount
    idle = now - timedelta(minutes=settings.session_idle_minutes)
    ended += session.execute(delete(UserSession).where(UserSession.last_seen_at <= idle)).rowcount
    window_start = now - timedelta(minutes=settings.login_window_minutes)
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= window_start))
    stale = select(LoginThrottle.key).where(LoginThrottle.touched_at <= window_start)
    if session.get_bind().dialect.name == "postgresql":
        # Never wait for a row an attempt holds: it is in use, and waiting could go in a circle.
        stale = stale.with_for_update(skip_locked=True)
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))
    return ended


# API tokens


def create_api_token(*, session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise InputError({"name": "give the token a name, such as the script that will use it"})
    if bad_character(name, allow_line_breaks=False):
        raise InputError({"name": CONTROL})
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        raise InputError({"name": f"must be at most {MAX_TOKEN_NAME_LENGTH} characters"})
    raw = new_token("pat_")
    token = ApiToken(user_id=user.id, name=name, token_hash=token_digest(raw), prefix=raw[:10])
    session.add(token)
    session.flush()
    record(
        session=session,
        actor=user,
        action="create_token",
        entity_type="user",
        entity_key=user.email,
        after={"token": name, "prefix": token.prefix},
    )
    return token, raw


def list_api_tokens(*, session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke_api_token(*, session: Session, token_id: int, user: User) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        record(
            session=session,
            actor=user,
            action="revoke_token",
            entity_type="user",
            entity_key=user.email,
            before={"token": token.name, "prefix": token.prefix},
        )
    return token


def user_for_api_token(*, session: Session, raw: str, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(raw))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return user
