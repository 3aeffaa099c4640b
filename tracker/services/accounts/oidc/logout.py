"""Sessions that end with the provider's.

Signing out of a session opened through the provider also ends the provider's session, where
its discovery document offers an end_session_endpoint (RP-Initiated Logout 1.0): the browser
is sent there with the ID token as a hint and comes back to the sign-in page. A back-channel
logout (Back-Channel Logout 1.0) is the provider telling the tracker that a person's session
ended there: the logout token is checked, and the person's tracker sessions end and their API
tokens are revoked."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import User, UserSession
from tracker.services.accounts.oidc import provider as discovery
from tracker.services.accounts.oidc.refusals import SignInRefused
from tracker.services.accounts.oidc.tokens import verify_logout_token
from tracker.services.accounts.sessions import session_row
from tracker.services.accounts.users import end_sign_ins
from tracker.services.audit.record import record

log = logging.getLogger(__name__)


def provider_logout_url(
    *, session: Session, settings: Settings, token: str, after_logout: str
) -> str | None:
    """Where to send the browser to end the provider's session too, for a session opened
    through the provider; None when there is nowhere (or the provider does not answer: the
    tracker's own session ends all the same)."""
    if not settings.oidc_enabled:
        return None
    row = session_row(session=session, token=token)
    if row is None or not row.provider_id_token:
        return None
    try:
        found = discovery.provider(settings=settings)
    except SignInRefused as exc:
        log.warning("signed out without the provider: %s", exc.reason)
        return None
    if not found.end_session_endpoint:
        return None
    if not found.end_session_endpoint.startswith(settings.oidc_origin + "/"):
        # The page's policy lets a form lead to the provider's origin only.
        log.warning("the provider's end_session_endpoint is elsewhere than its issuer")
        return None
    query = urlencode(
        {
            "id_token_hint": row.provider_id_token,
            "client_id": settings.oidc_client_id,
            "post_logout_redirect_uri": after_logout,
        }
    )
    separator = "&" if "?" in found.end_session_endpoint else "?"
    return f"{found.end_session_endpoint}{separator}{query}"


def back_channel_logout(*, session: Session, settings: Settings, logout_token: str) -> int:
    """End the sessions and revoke the API tokens of the person a valid logout token names
    (by subject, or by the provider session id of one of their sessions); the caller commits.
    Returns how many sessions ended. SignInRefused when the token is not valid."""
    found = discovery.provider(settings=settings)
    claims = verify_logout_token(raw=logout_token, settings=settings, provider=found)
    users: list[User] = []
    if isinstance(claims.get("sub"), str):
        users = list(
            session.exec(
                select(User).where(
                    User.oidc_issuer == settings.oidc_issuer, User.oidc_subject == claims["sub"]
                )
            )
        )
    elif isinstance(claims.get("sid"), str):
        users = list(
            session.exec(
                select(User)
                .join(UserSession, UserSession.user_id == User.id)
                .where(UserSession.provider_sid == claims["sid"])
                .distinct()
            )
        )
    ended = 0
    for user in users:
        sessions, tokens = end_sign_ins(session=session, user_id=user.id)
        ended += sessions
        record(
            session=session,
            actor=None,
            actor_label=f"Sign-out at {settings.oidc_button_label}"[:200],
            action="end_sessions",
            entity_type="user",
            entity_key=user.email,
            after={"sessions_ended": sessions, "tokens_revoked": tokens, "by": "back-channel"},
        )
    if not users:
        log.info("back-channel logout for nobody the tracker knows")
    return ended
