"""Choosing the language of the tracker: the switcher in every page's header posts here."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracker import locales
from tracker.deps import FormDep, OptionalPrincipal, SessionDep
from tracker.formats import Text
from tracker.locales import N_
from tracker.services.accounts.users import checked_language, set_language
from tracker.services.errors import InputError
from tracker.web._form_data import text_field
from tracker.web._forms import safe_next, see_other
from tracker.web.templating import templates

router = APIRouter()


@router.post("/language", name="choose_language")
def choose_language(
    request: Request, form: FormDep, session: SessionDep, principal: OptionalPrincipal
) -> Response:
    """Keep the language chosen on the account of the person signed in, and in the browser
    (a cookie) for pages read before signing in; then back to the page it was chosen on."""
    try:
        code = checked_language(text_field(form, "lang", max_length=8))
        if principal is not None:
            set_language(session=session, user=principal.user, code=code)
    except InputError as exc:
        session.rollback()
        title = Text(N_("The language was not changed"))
        context = {"title": title, "status": 400, "errors": exc.errors}
        return templates.TemplateResponse(request, "errors/error.html", context, status_code=400)
    session.commit()
    response = see_other(safe_next(text_field(form, "back", max_length=2000)))
    response.headers.append(
        "set-cookie", language_cookie(code, https=request.url.scheme == "https")
    )
    return response


def language_cookie(code: str, *, https: bool) -> str:
    """The `lang` cookie that keeps a language in the browser, as a Set-Cookie value: the
    switcher's choice and a `?lang=` link leave the same one."""
    cookie = SimpleCookie()
    cookie[locales.COOKIE] = code
    morsel = cookie[locales.COOKIE]
    morsel.update({"max-age": locales.COOKIE_MAX_AGE, "samesite": "Lax", "httponly": True})
    morsel["path"] = "/"
    if https:
        morsel["secure"] = True
    return morsel.OutputString()


class RememberLanguage:
    """A page opened with `?lang=` leaves the language in the browser (the `lang` cookie), so
    that a link shared in French goes on in French from page to page."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        code = None
        if scope["type"] == "http" and b"lang=" in scope.get("query_string", b""):
            asked = parse_qs(scope["query_string"].decode("latin-1")).get("lang", [None])[-1]
            code = locales.known(asked)
        if code is None:
            await self.app(scope, receive, send)
            return
        cookie = language_cookie(code, https=scope.get("scheme") == "https")
        header = (b"set-cookie", cookie.encode("latin-1"))

        async def remember(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        await self.app(scope, receive, remember)


__all__ = ["RememberLanguage", "router"]
