"""Signing in and out, and accepting an invitation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import FormDep, OptionalPrincipal, SessionDep, SettingsDep
from tracker.formats import Text
from tracker.inputs import bad_character
from tracker.locales import N_
from tracker.security import SESSION_COOKIE, is_https
from tracker.services.accounts import auth, sessions, users
from tracker.services.accounts.oidc.logout import provider_logout_url as provider_logout
from tracker.services.errors import InputError, NotFound
from tracker.web import urls
from tracker.web._form_data import text_field
from tracker.web._forms import client_address, public_link, safe_next, see_other
from tracker.web.errors import error_page
from tracker.web.templating import templates

router = APIRouter()

WRONG_CREDENTIALS = Text(
    N_("The email address or password is not right. Check them and try again.")
)


def _login_page(request: Request, status: int = 200, **context) -> HTMLResponse:
    settings = request.app.state.settings
    context = {
        "provider_label": settings.oidc_button_label if settings.oidc_enabled else None,
        "local_passwords": settings.local_passwords,
        **context,
    }
    return templates.TemplateResponse(request, "auth/login.html", context, status_code=status)


def start_session(response: Response, request: Request, session, settings, token: str) -> Response:
    """Give the browser its new session's cookie, ending the session it had before."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        sessions.sign_out(session=session, token=old)
        session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request.scope, secure_cookies=settings.secure_cookies),
        path="/",
    )
    return response


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(request: Request, principal: OptionalPrincipal, next: str | None = None) -> Response:
    if principal is not None:
        return see_other(safe_next(next))
    notice = None
    if request.query_params.get("signed_out"):
        notice = Text(N_("You have signed out."))
    elif request.query_params.get("password_set"):
        notice = Text(N_("Your password is set. Sign in with it now."))
    return _login_page(request, next=safe_next(next, ""), notice=notice, email="")


def _next(form) -> str:
    """Where to go after signing in: a same-site path, else the start page."""
    value = form.get("next")
    if not isinstance(value, str) or len(value) > 2000:
        return ""
    if bad_character(value, allow_line_breaks=False):
        return ""
    return safe_next(value, "")


@router.post("/login", response_class=HTMLResponse, name="login")
def login(request: Request, form: FormDep, session: SessionDep, settings: SettingsDep) -> Response:
    next = _next(form)
    context = {"email": "", "next": next}
    try:
        context["email"] = email = text_field(form, "email")
        # Line breaks and tabs are left to the password check: they reach no database.
        password = text_field(form, "password", allow_line_breaks=True)
        signed_in = auth.sign_in(
            session=session,
            email=email,
            password=password,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
            settings=settings,
        )
    except InputError as exc:
        session.rollback()
        return _login_page(request, 400, errors=exc.errors, **context)
    except auth.LoginThrottled as exc:
        response = _login_page(
            request,
            429,
            error=Text(
                N_("Too many failed sign-in attempts. Wait %(wait)s and try again."),
                wait=exc.wait_said,
            ),
            **context,
        )
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except auth.LoginFailed:
        # Nothing to store: the attempt was counted before the password was checked.
        return _login_page(request, 401, error=WRONG_CREDENTIALS, **context)
    session.commit()
    return start_session(
        see_other(safe_next(next)), request, session, settings, signed_in.session_token
    )


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the session, and the provider's too where the session began there and the provider
    offers it (RP-initiated logout); the browser comes back to the sign-in page."""
    signed_out = public_link(request, "login_form") + "?signed_out=1"
    token = request.cookies.get(SESSION_COOKIE)
    provider_url = None
    if token:
        provider_url = provider_logout(
            session=session, settings=settings, token=token, after_logout=signed_out
        )
        sessions.sign_out(session=session, token=token)
        session.commit()
    response = see_other(provider_url or str(urls.url_for(request, "login_form")) + "?signed_out=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _used_invitation(request: Request, token: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "auth/invite.html", {"invited": None, "token": token}, status_code=404
    )


def _passwords_off(request: Request, settings) -> HTMLResponse:
    return error_page(
        request,
        403,
        Text(N_("Passwords are switched off")),
        Text(
            N_(
                "People sign in to the tracker with %(provider)s, not with a password; this "
                "link sets none. Go to the sign-in page and use that button."
            ),
            provider=settings.oidc_button_label,
        ),
    )


@router.get("/invite/{token}", response_class=HTMLResponse, name="invite_form")
def invite_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    user = users.invited_user(session=session, token=token)
    if user and not settings.local_passwords and not user.break_glass:
        return _passwords_off(request, settings)
    return templates.TemplateResponse(
        request,
        "auth/invite.html",
        {"invited": user, "token": token},
        status_code=200 if user else 404,
    )


@router.post("/invite/{token}", response_class=HTMLResponse, name="accept_invite")
def accept_invite(
    request: Request, token: str, form: FormDep, session: SessionDep, settings: SettingsDep
) -> Response:
    user = users.invited_user(session=session, token=token)
    if user is None:
        return _used_invitation(request, token)
    if not settings.local_passwords and not user.break_glass:
        return _passwords_off(request, settings)
    try:
        users.accept_invite(
            session=session,
            token=token,
            password=text_field(form, "password", allow_line_breaks=True),
            confirm=text_field(form, "confirm", allow_line_breaks=True),
        )
    except NotFound:
        session.rollback()
        # Used a moment ago by a request that arrived at the same time.
        return _used_invitation(request, token)
    except InputError as exc:
        session.rollback()
        return templates.TemplateResponse(
            request,
            "auth/invite.html",
            {"invited": user, "token": token, "errors": exc.errors},
            status_code=400,
        )
    session.commit()
    return see_other(str(urls.url_for(request, "login_form")) + "?password_set=1")
