"""Browser security: response headers, the CSRF seed cookie, and CSRF verification.

CSRF uses signed double-submit: every browser gets a random seed in an HttpOnly cookie; the
token that forms and HTMX send is an HMAC of that seed and the session, so a page from another
site can neither read it nor forge it, and signing in changes it.
"""

from __future__ import annotations

import re
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker.services.accounts.secrets import same, sign

CSRF_COOKIE = "tracker_csrf"
SESSION_COOKIE = "tracker_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI and emails (digest previews) set style attributes: those pages alone allow inline
# styles, never inline script.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


_EMAIL_PAGE = re.compile(r"^/digests/(\d+/preview|archive/\d+)$")


def inline_styles_allowed(path: str) -> bool:
    return path == "/docs" or bool(_EMAIL_PAGE.match(path))


def is_https(scope: Scope, *, secure_cookies: bool) -> bool:
    return secure_cookies or scope.get("scheme") == "https"


class SecurityMiddleware:
    """Adds the security headers to every response and gives each browser a CSRF seed."""

    def __init__(self, app: ASGIApp, *, secure_cookies: bool = False, form_targets: str = ""):
        self.app = app
        self.secure_cookies = secure_cookies
        # Origins a form may lead to besides the tracker: the sign-in provider, whose session
        # signing out ends too (a form's redirect is held to form-action).
        self.policies = {
            relaxed: policy.replace("form-action 'self'", f"form-action 'self' {form_targets}")
            if form_targets
            else policy
            for relaxed, policy in (
                (False, CONTENT_SECURITY_POLICY),
                (True, DOCS_CONTENT_SECURITY_POLICY),
            )
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = SimpleCookie()
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookies.load(value.decode("latin-1"))
        seed = cookies[CSRF_COOKIE].value if CSRF_COOKIE in cookies else None
        new_seed = None if seed and len(seed) >= 32 else secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_seed"] = seed if new_seed is None else new_seed
        https = is_https(scope, secure_cookies=self.secure_cookies)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                relaxed = inline_styles_allowed(scope.get("path", ""))
                headers.append("content-security-policy", self.policies[relaxed])
                for name, value in SECURITY_HEADERS:
                    headers.append(name.decode(), value.decode())
                if no_store(scope.get("path", "")) and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"
                if https:
                    headers.append("strict-transport-security", "max-age=31536000")
                if new_seed is not None:
                    headers.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={new_seed}; Path=/; HttpOnly; SameSite=Lax"
                        + ("; Secure" if https else ""),
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


def csrf_token(request: Request, secret_key: str) -> str:
    seed = request.state.csrf_seed
    return sign(secret_key, "csrf", seed, request.cookies.get(SESSION_COOKIE, ""))


async def csrf_is_valid(request: Request, secret_key: str) -> bool:
    presented = request.headers.get(CSRF_HEADER)
    if not presented:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
    # The seed must come from the browser: a freshly minted one proves nothing.
    if not presented or CSRF_COOKIE not in request.cookies:
        return False
    return same(presented, csrf_token(request, secret_key))


class BodyTooLarge(Exception):
    """The request's body passed the limit of its kind; raised while it is being read."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"request body larger than {limit} bytes")


class BodyLimitMiddleware:
    """Refuses request bodies over a limit as they arrive, whatever the Content-Length says:
    uploads (multipart) may be as large as an import file, every other body small."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        limit = (
            self.max_upload_bytes
            if content_type.startswith("multipart/form-data")
            else self.max_bytes
        )
        declared = headers.get(b"content-length", b"").decode("latin-1")
        too_large = declared.isascii() and declared.isdigit() and int(declared) > limit
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


class HeadMiddleware:
    """HEAD on every GET address: the GET is run and its body left out, headers kept."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def no_store(path: str) -> bool:
    """Every page and answer but the static files: what a signed-in person sees (a new API
    token, say) is never kept by a browser or a proxy."""
    return not path.startswith("/static/")
