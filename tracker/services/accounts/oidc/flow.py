"""The authorization code flow with PKCE: starting a sign-in, and finishing it when the
provider sends the browser back.

A sign-in under way is a row (ProviderSignIn) keyed by its state's digest and bound to the
browser that started it (the digest of a random value in a cookie of that browser). The
callback claims the row with one DELETE, so it is used once: a replayed, forged or stale
callback, or one with another browser's state, finds no row and is refused before the
provider is asked anything. The code is then exchanged (with the PKCE verifier) and the ID
token checked (`tokens`). The network calls happen outside any open transaction."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.requests_client import OAuthError as AuthlibOAuthError
from sqlalchemy import delete
from sqlmodel import Session

from tracker.config import Settings
from tracker.formats import Text
from tracker.locales import N_
from tracker.models import ProviderSignIn
from tracker.models._base import utcnow
from tracker.services.accounts.oidc import provider as discovery
from tracker.services.accounts.oidc.refusals import ProviderUnavailable, SignInRefused
from tracker.services.accounts.oidc.tokens import verify_id_token
from tracker.services.accounts.secrets import new_token, same, token_digest

log = logging.getLogger(__name__)

SIGN_IN_MINUTES = 10  # how long a started sign-in waits for the provider's answer
MAX_STATE_LENGTH = 200


@dataclass(frozen=True)
class Started:
    authorization_url: str


@dataclass(frozen=True)
class Verified:
    """What the provider vouched for in a valid ID token, and where the person goes next."""

    claims: dict[str, Any]
    id_token: str
    next_path: str


def _client(settings: Settings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=(
            "client_secret_basic" if settings.oidc_client_secret else "none"
        ),
    )


def start_sign_in(
    *, session: Session, settings: Settings, browser: str, redirect_uri: str, next_path: str
) -> Started:
    """Record a sign-in under way for this browser and give the provider's address to send it
    to; the caller commits. ProviderUnavailable when the provider does not answer."""
    found = discovery.provider(settings=settings)
    state, nonce, verifier = new_token(), new_token(), new_token() + new_token()[:20]
    now = utcnow()
    session.execute(delete(ProviderSignIn).where(ProviderSignIn.expires_at <= now))
    session.add(
        ProviderSignIn(
            state_hash=token_digest(state),
            browser_hash=token_digest(browser),
            nonce=nonce,
            code_verifier=verifier,
            next_path=next_path,
            created_at=now,
            expires_at=now + timedelta(minutes=SIGN_IN_MINUTES),
        )
    )
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            found.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    return Started(authorization_url=url)


def _stale(settings: Settings) -> SignInRefused:
    return SignInRefused(
        "no_sign_in_under_way",
        Text(
            N_(
                "This answer from %(provider)s does not belong to a sign-in started in this "
                "browser in the last %(minutes)s minutes, or it was used already. Nothing was "
                "changed. Start again from the sign-in page."
            ),
            provider=settings.oidc_button_label,
            minutes=SIGN_IN_MINUTES,
        ),
    )


def claim_sign_in(*, session: Session, settings: Settings, state: str, browser: str | None):
    """The sign-in under way that `state` names, taken away so that it is never used twice;
    the caller commits at once. SignInRefused when there is none for this browser."""
    if not state or len(state) > MAX_STATE_LENGTH or not browser:
        raise _stale(settings)
    row = session.get(ProviderSignIn, token_digest(state))
    if row is None or not same(row.browser_hash, token_digest(browser)):
        raise _stale(settings)
    claimed = session.execute(
        delete(ProviderSignIn).where(
            ProviderSignIn.state_hash == row.state_hash, ProviderSignIn.expires_at > utcnow()
        )
    ).rowcount
    if claimed != 1:
        raise _stale(settings)
    return row


def _provider_said_no(settings: Settings, error: str, description: str | None) -> SignInRefused:
    said = (description or error)[:300]
    return SignInRefused(
        "provider_refused",
        Text(
            N_("%(provider)s did not sign you in: %(said)s. Nothing was changed."),
            provider=settings.oidc_button_label,
            said=said,
        ),
        status=403 if error == "access_denied" else 400,
    )


def finish_sign_in(
    *,
    settings: Settings,
    pending: ProviderSignIn,
    code: str | None,
    error: str | None,
    error_description: str | None,
    issuer: str | None,
    redirect_uri: str,
) -> Verified:
    """Exchange the code for tokens and check the ID token; no database work, so nothing is
    held open while the provider answers."""
    if error:
        raise _provider_said_no(settings, error, error_description)
    if issuer is not None and issuer != settings.oidc_issuer:
        # RFC 9207: the answer names who sent it; another issuer is a mix-up attack.
        raise SignInRefused(
            "unknown_issuer",
            f"The answer came from {issuer[:200]!r}, not from the provider the tracker trusts. "
            "Nothing was changed.",
        )
    if not code:
        raise SignInRefused(
            "bad_answer",
            f"The answer from {settings.oidc_button_label} carries no code. Nothing was "
            "changed. Start again from the sign-in page.",
        )
    found = discovery.provider(settings=settings)
    token = _exchange(settings, found, pending, code, redirect_uri)
    id_token = token.get("id_token")
    claims = verify_id_token(
        raw=id_token,
        settings=settings,
        provider=found,
        nonce=pending.nonce,
        access_token=token.get("access_token"),
    )
    return Verified(claims=claims, id_token=id_token, next_path=pending.next_path)


def _exchange(settings, found, pending, code: str, redirect_uri: str) -> dict[str, Any]:
    label = settings.oidc_button_label
    try:
        with _client(settings, redirect_uri) as client:
            token = client.fetch_token(
                found.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=pending.code_verifier,
                timeout=settings.oidc_timeout_seconds,
            )
    except requests.Timeout:
        raise ProviderUnavailable(label, "no answer from its token endpoint in time") from None
    except requests.RequestException:
        raise ProviderUnavailable(label, "its token endpoint could not be reached") from None
    except AuthlibOAuthError as exc:
        log.warning("token endpoint refused the code: %s", exc.error)
        raise SignInRefused(
            "code_refused",
            f"{label} would not exchange this sign-in's code ({exc.error}): it was used "
            "already, has expired, or was not issued to the tracker. Nothing was changed. "
            "Start again from the sign-in page.",
        ) from None
    except ValueError:
        raise ProviderUnavailable(label, "its token endpoint did not answer in JSON") from None
    if not isinstance(token, dict) or not token.get("id_token"):
        raise SignInRefused(
            "bad_answer",
            f"{label} answered without an ID token (is the scope openid asked for?). "
            "Nothing was changed.",
        )
    return dict(token)


def new_browser_value() -> str:
    return secrets.token_urlsafe(32)
