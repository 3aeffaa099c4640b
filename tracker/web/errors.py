"""How refusals look: a page for people, JSON for the API."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from tracker.deps import CSRFRejected, NotAuthenticated, is_api_request
from tracker.formats import Text, listed
from tracker.locales import N_
from tracker.security import BodyTooLarge
from tracker.services.errors import Conflict, InputError, NotAllowed, NotFound
from tracker.web import htmx, urls
from tracker.web.templating import templates


def error_page(request: Request, status: int, title: str, message: str, **extra) -> Response:
    """The page that says why a request was refused."""
    return templates.TemplateResponse(
        request,
        "errors/error.html",
        {"title": title, "message": message, "status": status, **extra},
        status_code=status,
    )


# The things a 404 names, in words each language has (what follows the word is a code).
THINGS = {
    "account": N_("account"),
    "digest": N_("digest"),
    "export": N_("export"),
    "group rule": N_("group rule"),
    "import": N_("import"),
    "invitation": N_("invitation"),
    "message": N_("message"),
    "subscription": N_("subscription"),
    "target": N_("target"),
    "template": N_("template"),
    "token": N_("token"),
    "project": N_("project"),
    "user": N_("user"),
    "job": N_("import"),
    "mapping": N_("group rule"),
    "link": N_("link"),
    "page": N_("page"),
}


def _thing(what) -> Text | str:
    """What a 404 says is not there, in the page's language where the tracker knows the word."""
    if isinstance(what, Text):
        return what
    what = str(what)
    if what in THINGS:
        return Text(THINGS[what])
    noun, _, code = what.partition(" ")
    if noun in THINGS and code and " " not in code:
        return Text(N_("%(thing)s %(code)s"), thing=Text(THINGS[noun]), code=code)
    return what


def _said(exc: BaseException) -> Text | str:
    """An exception's message as it was raised: a Text stays one, for the page to say."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Text) else str(exc)


def _refusal(errors: dict) -> Text | str:
    """Every field with what is wrong with it, in one line: "title: is required; ..."."""
    return listed(
        [Text(N_("%(field)s: %(problem)s"), field=f, problem=m) for f, m in errors.items()],
        clauses=True,
    )


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header")]
    return ".".join(parts) or "request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if is_api_request(request):
            return JSONResponse(
                {
                    "detail": "Sign in required: send a personal API token in the header "
                    "'Authorization: Bearer <token>'."
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login = str(urls.url_for(request, "login_form")) + "?next=" + quote(target, safe="")
        if htmx.is_htmx(request):
            return htmx.redirect(login, status=401)
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        """The one refusal: signed in, but this is not theirs to see or do."""
        if is_api_request(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return error_page(request, 403, Text(N_("Not allowed")), exc.message)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> Response:
        if is_api_request(request):
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return error_page(request, 409, Text(N_("Someone else changed this first")), _said(exc))

    @app.exception_handler(CSRFRejected)
    async def _csrf(request: Request, exc: CSRFRejected) -> Response:
        message = Text(
            N_(
                "This request did not carry a valid security token, so nothing was changed. "
                "Go back, reload the page and try again."
            )
        )
        if is_api_request(request):
            return JSONResponse({"detail": message}, status_code=403)
        return error_page(request, 403, Text(N_("Nothing was changed")), message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        message = Text(
            N_("There is no %(what)s here. It may have been removed, or the link is wrong."),
            what=_thing(exc.what),
        )
        if is_api_request(request):
            return JSONResponse({"detail": str(message)}, status_code=404)
        return error_page(request, 404, Text(N_("Not found")), message)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        if is_api_request(request):
            return JSONResponse(
                {
                    "detail": [
                        {"field": field, "message": message}
                        for field, message in exc.errors.items()
                    ]
                },
                status_code=422,
            )
        return error_page(request, 400, CHECK, _refusal(exc.errors), errors=exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = {_field_name(e["loc"]): e["msg"] for e in exc.errors()}
        if is_api_request(request):
            return JSONResponse(
                {"detail": [{"field": f, "message": m} for f, m in errors.items()]},
                status_code=422,
            )
        return error_page(request, 400, CHECK, "", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api_request(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        title, message = HTTP_PAGES.get(exc.status_code, (CHECK, str(exc.detail)))
        response = error_page(request, exc.status_code, title, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        message = Text(
            N_("The request is larger than the %(limit)s bytes this address accepts."),
            limit=exc.limit,
        )
        if is_api_request(request):
            return JSONResponse({"detail": str(message)}, status_code=413)
        return error_page(request, 413, Text(N_("Too large")), message)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> Response:
        """A request that could not get its lock or its turn in time is told to come back;
        nothing it did was stored."""
        if not is_busy(exc):
            raise exc
        return _busy(request)

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, exc: PoolTimeout) -> Response:
        return _busy(request)


def _busy(request: Request) -> Response:
    message = Text(
        N_("The tracker is busy with other changes; nothing was changed. Try again shortly.")
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request(request):
        return JSONResponse({"detail": str(message)}, status_code=503, headers=headers)
    response = error_page(request, 503, Text(N_("Busy, please try again")), message)
    response.headers.update(headers)
    return response


RETRY_AFTER_SECONDS = 5
# PostgreSQL: lock_not_available, query_canceled (a timeout), serialization and deadlock
# failures, idle in transaction too long; SQLite: the database stayed locked.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01", "25P03"})
CHECK = Text(N_("Please check what you entered"))
HTTP_PAGES = {
    404: (Text(N_("Page not found")), Text(N_("There is no page at this address."))),
    405: (Text(N_("Not allowed")), Text(N_("This address does not accept that request."))),
    413: (Text(N_("Too large")), Text(N_("The request is larger than this address accepts."))),
}


def is_busy(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
