"""Request dependencies, as Annotated aliases used by every route.

Permission is decided here and in tracker.services.accounts.permissions, nowhere else: a
route states what it needs (`CurrentPrincipal`, `AdminPrincipal`, ...)
and never checks roles itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import FormData

from tracker.config import Settings
from tracker.security import SAFE_METHODS, SESSION_COOKIE, csrf_is_valid
from tracker.services.accounts.permissions import Principal, principal_for
from tracker.services.accounts.sessions import user_for_session
from tracker.services.accounts.tokens import user_for_api_token
from tracker.services.errors import NotAllowed
from tracker.web import htmx


class NotAuthenticated(Exception):
    """No valid session or token: sign in first (HTML) or 401 (API)."""


class CSRFRejected(Exception):
    """A state-changing request without a valid CSRF token."""


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One session per request, rolled back and closed whatever happens: what a route has not
    committed is never left holding a lock. Sync, so FastAPI opens and closes it in the thread
    pool, never on the event loop."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        # close() rolls back whatever was not committed and returns the connection; it keeps
        # loaded objects readable for an error page rendered after this.
        session.close()


async def get_form(request: Request) -> FormData:
    """The request's form, read on the event loop before the (sync) route runs: routes that
    touch the database are plain `def` and take the form from here, never `await` it."""
    return await request.form()


def is_api_request(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _credential(value: str | None) -> str | None:
    """A token or cookie as the tracker issues them (printable ASCII, bounded); anything else
    proves nothing and is never looked up."""
    if not value or len(value) > 512 or not (value.isascii() and value.isprintable()):
        return None
    return value


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return _credential(value.strip()) if scheme.lower() == "bearer" else None


def get_principal(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Principal | None:
    """Who is asking: a bearer token on the JSON API, else the session cookie; or nobody."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    principal = None
    token = _bearer_token(request) if is_api_request(request) else None
    if token is not None:
        user = user_for_api_token(session=session, raw=token)
        principal = principal_for(session=session, user=user, via="token") if user else None
    elif cookie := _credential(request.cookies.get(SESSION_COOKIE)):
        user = user_for_session(session=session, token=cookie, settings=settings)
        principal = principal_for(session=session, user=user, via="session") if user else None
    request.state.principal = principal
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


def require_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    if not principal.is_admin:
        raise NotAllowed("Only administrators can do this.")
    return principal


def require_editor(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """An administrator, or a manager with at least one programme."""
    if not principal.can_edit_some_projects:
        raise NotAllowed("Only managers and administrators can change projects.")
    return principal


async def verify_csrf(request: Request, settings: Annotated[Settings, Depends(get_settings)]):
    """Applied to every route: a state-changing request from a browser needs the CSRF token.

    Requests that authenticate with a bearer token carry no cookies a forger could borrow.
    """
    if request.method in SAFE_METHODS:
        return
    # One-click unsubscribe comes from mail clients; its signed token is the proof.
    if request.url.path.startswith("/digests/unsubscribe/"):
        return
    # The provider posts back-channel logouts server to server; its signed token is the proof.
    if request.url.path == "/login/oidc/backchannel-logout":
        return
    # Only a cookie can be borrowed by a forger: an API request that carries none is not
    # signed in at all, and is told to bring a token (401) rather than a CSRF token.
    if is_api_request(request) and (
        _bearer_token(request) is not None or SESSION_COOKIE not in request.cookies
    ):
        return
    if not await csrf_is_valid(request, settings.secret_key):
        raise CSRFRejected()


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
HXRequest = Annotated[bool, Depends(htmx.wants_fragment)]
FormDep = Annotated[FormData, Depends(get_form)]
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
EditorPrincipal = Annotated[Principal, Depends(require_editor)]
