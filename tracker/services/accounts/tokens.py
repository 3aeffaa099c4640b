"""API tokens: made for a person, listed, revoked, and looked up for each API request."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tracker.formats import Text
from tracker.inputs import CONTROL, bad_character
from tracker.locales import N_
from tracker.models import ApiToken, User
from tracker.models._base import utcnow
from tracker.services.accounts.secrets import new_token, token_digest
from tracker.services.accounts.sessions import TOUCH_EVERY
from tracker.services.audit.record import record
from tracker.services.errors import InputError, NotFound

MAX_TOKEN_NAME_LENGTH = 80


def create_api_token(*, session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise InputError(
            {"name": Text(N_("give the token a name, such as the script that will use it"))}
        )
    if bad_character(name, allow_line_breaks=False):
        raise InputError({"name": CONTROL})
    if len(name) > MAX_TOKEN_NAME_LENGTH:
        raise InputError(
            {"name": Text(N_("must be at most %(most)s characters"), most=MAX_TOKEN_NAME_LENGTH)}
        )
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
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return user
