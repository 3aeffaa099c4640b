"""OpenID Connect providers for the sign-in tests, each a real HTTP server on this machine.

`oidc_provider`: oidc-provider-mock, a real provider (discovery, JWKS, signed ID tokens, the
authorization form a person sees, RP-initiated logout) whose users' claims the tests choose.
`signing_provider`: a small provider of our own, for what that one will not do: sign with a
key it does not publish, call itself another issuer, rotate its keys, give an expired token
for another audience, and post back-channel logout tokens. Both speak plain HTTP on loopback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "tracker-tests"
CLIENT_SECRET = "a secret the provider and the tracker share"
LABEL = "Example ID"


@cache
def rsa_key(name: str, kid: str | None = None) -> RSAKey:
    """An RSA key per name (its key id the name, unless `kid` says another), made once per
    test run: making one takes a while."""
    return RSAKey.generate_key(2048, parameters={"kid": kid or name}, private=True)


# oidc-provider-mock


@dataclass
class MockProvider:
    issuer: str

    def set_user(self, sub: str, **claims: Any) -> None:
        response = httpx.put(f"{self.issuer}/users/{sub}", json=claims)
        assert response.status_code == 204, response.text

    def authorize(self, url: str, sub: str, **form: str) -> str:
        """What the provider's form does when the person signs in as `sub`: the address it
        sends the browser back to."""
        assert url.startswith(f"{self.issuer}/"), url
        response = httpx.post(url, data={"sub": sub, **form})
        assert response.status_code == 302, response.text
        return response.headers["location"]


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[MockProvider]:
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread() as server:
        yield MockProvider(f"http://localhost:{server.server_port}")


def oidc_settings(issuer: str, **more: Any) -> dict[str, Any]:
    return {
        "base_url": "http://testserver",
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_button_label": LABEL,
        **more,
    }


def local_path(url: str) -> str:
    """The callback address as the test client asks for it (its host is the base URL's)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def begin(client: TestClient, next_path: str | None = None) -> str:
    """Press "Sign in with ...": the provider's address the browser is sent to."""
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    response = client.get(f"/login/oidc{query}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def sign_in_with(client: TestClient, provider: MockProvider, sub: str):
    """The whole round: the tracker, the provider's form, and back: the callback's answer."""
    back = provider.authorize(begin(client), sub)
    return client.get(local_path(back), follow_redirects=False)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# A provider of our own


@dataclass
class _Grant:
    nonce: str | None
    redirect_uri: str
    challenge: str | None
    sub: str


@dataclass
class SigningProvider:
    """Discovery, JWKS, an authorization endpoint that signs `sub` in at once, and a token
    endpoint that checks the code and its PKCE verifier, then signs an ID token with
    `signing_key` (the published key unless a test says otherwise)."""

    server: ThreadingHTTPServer
    issuer: str
    published: list[RSAKey] = field(default_factory=lambda: [rsa_key("first")])
    signing_key: RSAKey = field(default_factory=lambda: rsa_key("first"))
    claimed_issuer: str | None = None  # what discovery says the issuer is
    end_session: bool = False
    deny: bool = False  # the person says no at the provider
    claims: dict[str, Any] = field(default_factory=dict)  # added to (or replacing) the defaults
    subject: str = "person-1"
    grants: dict[str, _Grant] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "email": f"{grant.sub}@example.org",
            "name": "Pat Person",
            "groups": ["tracker-viewers"],
            "sid": f"session-of-{grant.sub}",
            **({"nonce": grant.nonce} if grant.nonce else {}),
        }
        claims.update(self.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)

    def logout_token(self, key: RSAKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(8),
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        key = key or self.published[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}, body, key)

    def authorize(self, url: str) -> str:
        response = httpx.get(url)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(provider_of: Callable[[], SigningProvider]):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            provider = provider_of()
            parts = urlsplit(self.path)
            provider.requests.append(parts.path)
            base = provider.issuer
            if parts.path == "/.well-known/openid-configuration":
                document = {
                    "issuer": provider.claimed_issuer or base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "jwks_uri": f"{base}/jwks",
                    "response_types_supported": ["code"],
                    "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
                if provider.end_session:
                    document["end_session_endpoint"] = f"{base}/logout"
                return self._json(200, document)
            if parts.path == "/jwks":
                return self._json(200, KeySet(provider.published).as_dict(private=False))
            if parts.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if provider.deny:
                    answer = {"error": "access_denied", "state": query["state"]}
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{urlencode(answer)}")
                    self.end_headers()
                    return None
                code = secrets.token_urlsafe(16)
                provider.grants[code] = _Grant(
                    query.get("nonce"),
                    query["redirect_uri"],
                    query.get("code_challenge"),
                    provider.subject,
                )
                answer = {"code": code, "state": query["state"]}
                back = f"{query['redirect_uri']}?{urlencode(answer)}"
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
                return None
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            provider = provider_of()
            provider.requests.append(self.path)
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/token":
                return self._json(404, {"error": "not_found"})
            grant = provider.grants.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if grant is None or grant.challenge != challenge:
                return self._json(400, {"error": "invalid_grant"})
            if form.get("redirect_uri") != grant.redirect_uri:
                return self._json(400, {"error": "invalid_grant"})
            return self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": provider.id_token(grant),
                },
            )

    return Handler


@pytest.fixture
def signing_provider() -> Iterator[SigningProvider]:
    holder: list[SigningProvider] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(lambda: holder[0]))
    provider = SigningProvider(server=server, issuer=f"http://127.0.0.1:{server.server_port}")
    holder.append(provider)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield provider
    if server.socket.fileno() != -1:
        provider.stop()
    thread.join(timeout=5)
