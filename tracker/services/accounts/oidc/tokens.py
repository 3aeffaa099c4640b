"""Checking what the provider signs: ID tokens (OpenID Connect Core 3.1.3.7) and logout tokens
(Back-Channel Logout 1.0, 2.6), against the keys it publishes.

Signatures are checked with joserfc, the JOSE library Authlib itself now uses, and the ID
token's claims with Authlib's CodeIDToken: issuer and audience exactly the configured ones,
expiry and issue time (with LEEWAY_SECONDS of clock difference), the nonce of this sign-in,
the authorised party and the access token's hash."""

from __future__ import annotations

import time
from typing import Any

from authlib.oauth2.claims import JWTClaims
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jws import JWSRegistry

from tracker.config import Settings
from tracker.services.accounts.oidc import provider as discovery
from tracker.services.accounts.oidc.provider import Provider
from tracker.services.accounts.oidc.refusals import SignInRefused

LEEWAY_SECONDS = 60
# A logout token older than this is refused: it has been kept, or replayed.
MAX_LOGOUT_TOKEN_AGE_SECONDS = 600
BACK_CHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_TOKEN_LENGTH = 32_000

_CLAIM_WORDS = {
    "iss": ("unknown_issuer", "was issued by another provider than the one the tracker trusts"),
    "aud": ("wrong_audience", "was issued for another application than the tracker"),
    "azp": ("wrong_audience", "was issued for another application than the tracker"),
    "nonce": ("wrong_nonce", "belongs to another sign-in than this one (its nonce differs)"),
    "exp": ("expired_token", "has expired"),
    "iat": ("bad_token", "was issued at a time that is not believable"),
    "nbf": ("bad_token", "is not valid yet"),
    "at_hash": ("bad_token", "does not match the access token it came with"),
}


def _refused(settings: Settings, reason: str, what: str, kind: str) -> SignInRefused:
    return SignInRefused(
        reason,
        f"The {kind} from {settings.oidc_button_label} {what}, so the tracker did not accept "
        "it. Nothing was changed. Start again from the sign-in page; if it happens again, tell "
        "whoever looks after the tracker.",
    )


def _decode(raw: str, *, settings: Settings, provider: Provider, kind: str):
    """The token's header and claims once its signature checks out with the provider's keys."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise _refused(settings, "bad_token", "is missing or not a token", kind)
    registry = JWSRegistry(algorithms=list(provider.algorithms), strict_check_header=False)
    key_set = discovery.keys(settings=settings, provider=provider)
    try:
        try:
            return jwt.decode(raw, key_set, registry=registry)
        except InvalidKeyIdError:
            # Keys may have rotated since they were fetched.
            key_set = discovery.keys(settings=settings, provider=provider, refresh=True)
            return jwt.decode(raw, key_set, registry=registry)
    except InvalidKeyIdError:
        raise _refused(
            settings, "bad_signature", "was signed with a key the provider does not publish", kind
        ) from None
    except BadSignatureError:
        raise _refused(
            settings, "bad_signature", "was not signed with the provider's published keys", kind
        ) from None
    except JoseError:
        raise _refused(
            settings, "bad_token", "is not a signed token the tracker can read", kind
        ) from None


def _claim_refusal(settings: Settings, error: JoseError, kind: str) -> SignInRefused:
    if isinstance(error, ExpiredTokenError):
        return _refused(settings, "expired_token", "has expired", kind)
    claim = getattr(error, "claim", None)
    if isinstance(error, MissingClaimError):
        return _refused(settings, "bad_token", f"lacks its {claim} claim", kind)
    reason, words = _CLAIM_WORDS.get(claim, ("bad_token", f"has a wrong {claim} claim"))
    return _refused(settings, reason, words, kind)


def verify_id_token(
    *, raw: str, settings: Settings, provider: Provider, nonce: str, access_token: str | None
) -> dict[str, Any]:
    """The claims of a valid ID token for this sign-in, or SignInRefused saying why not."""
    token = _decode(raw, settings=settings, provider=provider, kind="ID token")
    claims = CodeIDToken(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": settings.oidc_issuer},
            "aud": {"essential": True, "value": settings.oidc_client_id},
            "sub": {"essential": True},
        },
        {"nonce": nonce, "client_id": settings.oidc_client_id, "access_token": access_token},
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except JoseError as error:
        raise _claim_refusal(settings, error, "ID token") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise _refused(settings, "bad_token", "names nobody (its subject is unusable)", "ID token")
    return dict(claims)


def verify_logout_token(*, raw: str, settings: Settings, provider: Provider) -> dict[str, Any]:
    """The claims of a valid logout token (Back-Channel Logout 1.0, 2.6), or SignInRefused."""
    kind = "logout token"
    token = _decode(raw, settings=settings, provider=provider, kind=kind)
    claims = JWTClaims(
        token.claims,
        token.header,
        {
            "iss": {"essential": True, "value": settings.oidc_issuer},
            "aud": {"essential": True, "value": settings.oidc_client_id},
            "iat": {"essential": True},
        },
    )
    try:
        claims.validate(leeway=LEEWAY_SECONDS)
    except (InvalidClaimError, MissingClaimError, ExpiredTokenError) as error:
        raise _claim_refusal(settings, error, kind) from None
    except JoseError:
        raise _refused(settings, "bad_token", "has claims the tracker cannot read", kind) from None
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACK_CHANNEL_EVENT), dict):
        raise _refused(settings, "bad_token", "is not a back-channel logout event", kind)
    if "nonce" in claims:
        raise _refused(settings, "bad_token", "carries a nonce, as no logout token may", kind)
    sub, sid = claims.get("sub"), claims.get("sid")
    if not (isinstance(sub, str) and sub) and not (isinstance(sid, str) and sid):
        raise _refused(settings, "bad_token", "names neither a person nor a session", kind)
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or time.time() - issued > (
        MAX_LOGOUT_TOKEN_AGE_SECONDS + LEEWAY_SECONDS
    ):
        raise _refused(settings, "expired_token", "was issued too long ago", kind)
    return dict(claims)
