"""The provider's discovery document and signing keys, fetched over HTTP with a time limit and
kept in this process: the document for an hour, the keys until a token names a key the tracker
has not seen (the provider rotated them), when they are fetched again, at most once every
MIN_KEY_REFRESH_SECONDS so that made-up key ids cannot make the tracker hammer the provider."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc.jwk import KeySet

from tracker.config import Settings
from tracker.services.accounts.oidc.refusals import ProviderUnavailable, SignInRefused

METADATA_SECONDS = 3600
MIN_KEY_REFRESH_SECONDS = 30
MAX_DOCUMENT_BYTES = 1_000_000
# Signatures made with the provider's published (asymmetric) keys; never "none", and never a
# shared secret.
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None
    algorithms: tuple[str, ...]


@dataclass
class _Keys:
    keys: KeySet
    fetched_at: float
    refreshed_at: float = 0.0


@dataclass
class _Cache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    providers: dict[str, tuple[Provider, float]] = field(default_factory=dict)
    keys: dict[str, _Keys] = field(default_factory=dict)


_cache = _Cache()


def get_json(url: str, *, settings: Settings, what: str) -> dict[str, Any]:
    """A JSON object from the provider, or ProviderUnavailable saying what went wrong."""
    label = settings.oidc_button_label
    try:
        response = requests.get(
            url, timeout=settings.oidc_timeout_seconds, headers={"Accept": "application/json"}
        )
    except requests.Timeout:
        raise ProviderUnavailable(label, f"no answer to {what} in time") from None
    except requests.RequestException:
        raise ProviderUnavailable(label, f"{what} could not be fetched") from None
    if response.status_code != 200:
        raise ProviderUnavailable(label, f"{what} answered HTTP {response.status_code}")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise ProviderUnavailable(label, f"{what} is larger than a provider's ever is")
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ProviderUnavailable(label, f"{what} is not a JSON object")
    return document


def _discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _read(document: dict[str, Any], settings: Settings) -> Provider:
    label = settings.oidc_button_label
    issuer = document.get("issuer")
    if issuer != settings.oidc_issuer:
        # OpenID Connect Discovery 4.3: the document's issuer is the one configured, exactly.
        raise SignInRefused(
            "unknown_issuer",
            f"The provider at {settings.oidc_issuer} calls itself {str(issuer)[:200]!r}, not "
            "the issuer the tracker is set to trust. Nothing was changed; the tracker's "
            "TRACKER_OIDC_ISSUER must be exactly the provider's issuer.",
            status=502,
        )
    metadata = OpenIDProviderMetadata(document)
    try:
        for check in (
            metadata.validate_issuer,
            metadata.validate_authorization_endpoint,
            metadata.validate_token_endpoint,
            metadata.validate_jwks_uri,
        ):
            check()
        if not document.get("jwks_uri"):
            raise ValueError('"jwks_uri" is required')
    except ValueError as exc:
        raise ProviderUnavailable(label, f"its discovery document is not usable: {exc}") from None
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(a for a in offered if a in ASYMMETRIC)
    if not algorithms:
        raise ProviderUnavailable(label, "it signs ID tokens with no algorithm the tracker trusts")
    end_session = document.get("end_session_endpoint")
    return Provider(
        issuer=issuer,
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        end_session_endpoint=end_session if isinstance(end_session, str) else None,
        algorithms=algorithms,
    )


def provider(*, settings: Settings) -> Provider:
    """The configured provider as its discovery document describes it."""
    now = time.monotonic()
    with _cache.lock:
        cached = _cache.providers.get(settings.oidc_issuer)
    if cached and now - cached[1] < METADATA_SECONDS:
        return cached[0]
    document = get_json(
        _discovery_url(settings.oidc_issuer), settings=settings, what="its discovery document"
    )
    found = _read(document, settings)
    with _cache.lock:
        _cache.providers[settings.oidc_issuer] = (found, now)
    return found


def keys(*, settings: Settings, provider: Provider, refresh: bool = False) -> KeySet:
    """The provider's published keys; with `refresh`, fetched again (when the last refresh is
    far enough back) because a token named a key that is not among them."""
    now = time.monotonic()
    with _cache.lock:
        cached = _cache.keys.get(provider.jwks_uri)
    fresh_enough = cached and now - cached.fetched_at < METADATA_SECONDS
    if cached and fresh_enough and not refresh:
        return cached.keys
    if cached and refresh and now - cached.refreshed_at < MIN_KEY_REFRESH_SECONDS:
        return cached.keys
    document = get_json(provider.jwks_uri, settings=settings, what="its signing keys")
    try:
        key_set = KeySet.import_key_set(document)
    except Exception:
        raise ProviderUnavailable(
            settings.oidc_button_label, "its signing keys could not be read"
        ) from None
    with _cache.lock:
        _cache.keys[provider.jwks_uri] = _Keys(key_set, now, now if refresh else 0.0)
    return key_set
