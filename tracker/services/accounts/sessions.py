"""Server-side sessions: who a session cookie belongs to while it lives, signing out, and
clearing away sessions and throttle records that are over."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import LoginFailure, User, UserSession
from tracker.models._base import utcnow
from tracker.models.accounts import LoginThrottle
from tracker.services.accounts.secrets import new_token, token_digest

# How often last-seen and last-used times are written: often enough for the idle timeout and
# the token list, rarely enough that reading a page does not always write.
TOUCH_EVERY = timedelta(seconds=60)


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
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.commit()
    return user


def open_session(
    *,
    session: Session,
    user: User,
    settings: Settings,
    client_address: str,
    user_agent: str | None,
    now: datetime,
    provider_sid: str | None = None,
    provider_id_token: str | None = None,
) -> str:
    """A new session for `user` (the sign-in was checked): the cookie's token, of which only
    the digest is stored. Sessions opened through the provider keep its session id and ID
    token, for back-channel and RP-initiated logout."""
    token = new_token()
    session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
            client_address=client_address[:64],
            user_agent=(user_agent or "")[:300] or None,
            provider_sid=provider_sid,
            provider_id_token=provider_id_token,
        )
    )
    session.flush()
    return token


def session_row(*, session: Session, token: str) -> UserSession | None:
    return session.get(UserSession, token_digest(token))


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
