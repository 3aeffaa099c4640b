"""Signing in with the organisation's OpenID Connect provider: the button's address, the
callback the provider sends the browser back to, and the back-channel logout the provider
posts to. Plain `def` routes: they wait on the provider (with a time limit) in the thread
pool, never on the event loop. Each refusal is a page that says why, and nothing is created."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from tracker.deps import FormDep, OptionalPrincipal, SessionDep, SettingsDep
from tracker.formats import Text
from tracker.locales import N_
from tracker.services.accounts.oidc import flow, logout, people
from tracker.services.accounts.oidc.params import BackChannelLogout, ProviderAnswer, SignInStart
from tracker.services.accounts.oidc.refusals import ProviderUnavailable, SignInRefused
from tracker.services.errors import InputError, NotFound
from tracker.web._forms import client_address, public_link, safe_next, see_other
from tracker.web._params import read_form, read_query
from tracker.web.auth import start_session
from tracker.web.templating import templates

router = APIRouter(prefix="/login/oidc")

# Binds a sign-in under way to the browser that started it (only its digest is stored).
BROWSER_COOKIE = "tracker_sign_in"
NOT_SET_UP = "sign-in with an organisation account"


def _refused_page(request: Request, refusal: SignInRefused) -> HTMLResponse:
    title = (
        Text(N_("The sign-in service is not answering"))
        if isinstance(refusal, ProviderUnavailable)
        else Text(N_("You could not be signed in"))
    )
    return templates.TemplateResponse(
        request,
        "auth/refused.html",
        {"title": title, "message": refusal.message},
        status_code=refusal.status,
    )


def _refuse(request, session, settings, refusal: SignInRefused) -> HTMLResponse:
    """Record the refusal (whatever was under way is rolled back) and say why."""
    session.rollback()
    people.record_refusal(
        session=session,
        settings=settings,
        refusal=refusal,
        client_address=client_address(request),
    )
    session.commit()
    return _refused_page(request, refusal)


def _browser(request: Request) -> str | None:
    value = request.cookies.get(BROWSER_COOKIE)
    if value and 20 <= len(value) <= 100 and value.isascii() and value.isprintable():
        return value
    return None


@router.get("", name="oidc_start")
def start(
    request: Request, session: SessionDep, settings: SettingsDep, principal: OptionalPrincipal
) -> Response:
    """Send the browser to the provider, with a new sign-in under way."""
    if not settings.oidc_enabled:
        raise NotFound(NOT_SET_UP)
    next_path = safe_next(read_query(request, SignInStart).next)
    if principal is not None:
        return see_other(next_path)
    browser = _browser(request) or flow.new_browser_value()
    try:
        started = flow.start_sign_in(
            session=session,
            settings=settings,
            browser=browser,
            redirect_uri=public_link(request, "oidc_callback"),
            next_path=next_path,
        )
    except SignInRefused as refusal:
        return _refuse(request, session, settings, refusal)
    session.commit()
    response = see_other(started.authorization_url)
    response.set_cookie(
        BROWSER_COOKIE,
        browser,
        max_age=flow.SIGN_IN_MINUTES * 60,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or settings.secure_cookies,
        path="/login/oidc",
    )
    return response


@router.get("/callback", name="oidc_callback")
def callback(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The provider's answer: finish the sign-in it belongs to, or refuse it."""
    if not settings.oidc_enabled:
        raise NotFound(NOT_SET_UP)
    try:
        try:
            answer = read_query(request, ProviderAnswer)
        except InputError as exc:
            raise SignInRefused(
                "bad_answer",
                f"The answer from {settings.oidc_button_label} is not one the tracker can "
                f"read ({exc}). Nothing was changed. Start again from the sign-in page.",
            ) from None
        pending = flow.claim_sign_in(
            session=session, settings=settings, state=answer.state, browser=_browser(request)
        )
        session.commit()  # used once, whatever happens next
        verified = flow.finish_sign_in(
            settings=settings,
            pending=pending,
            code=answer.code,
            error=answer.error,
            error_description=answer.error_description,
            issuer=answer.iss,
            redirect_uri=public_link(request, "oidc_callback"),
        )
        signed_in = people.sign_in_person(
            session=session,
            settings=settings,
            verified=verified,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except SignInRefused as refusal:
        return _refuse(request, session, settings, refusal)
    session.commit()
    response = see_other(safe_next(signed_in.next_path))
    return start_session(response, request, session, settings, signed_in.session_token)


@router.post("/backchannel-logout", name="oidc_backchannel_logout")
def backchannel_logout(
    request: Request, form: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """The provider says a person's session ended there (Back-Channel Logout 1.0): 200 when
    their sessions and API tokens ended, 400 for a token that is not valid."""
    if not settings.oidc_enabled:
        raise NotFound(NOT_SET_UP)
    try:
        body = read_form(form, BackChannelLogout)
        logout.back_channel_logout(
            session=session, settings=settings, logout_token=body.logout_token
        )
    except InputError as exc:
        return JSONResponse({"error": "invalid_request", "error_description": str(exc)}, 400)
    except ProviderUnavailable as exc:
        session.rollback()
        # The keys could not be fetched: the logout could not be done (2.8: 501).
        return JSONResponse(
            {"error": "temporarily_unavailable", "error_description": exc.detail}, 501
        )
    except SignInRefused as exc:
        session.rollback()
        people.log.warning("back-channel logout refused: %s", exc.reason)
        return JSONResponse({"error": "invalid_request", "error_description": exc.message}, 400)
    session.commit()
    return Response(status_code=200)
