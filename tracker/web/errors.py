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
from tracker.security import BodyTooLarge
from tracker.services.errors import Conflict, InputError, NotAllowed, NotFound
from tracker.web import htmx
from tracker.web.templating import templates


def error_page(request: Request, status: int, title: str, message: str, **extra) -> Response:
    """The page that says why a request was refused."""
    return templates.TemplateResponse(
        request,
        "errors/error.html",
        {"title": title, "message": message, "status": status, **extra},
        status_code=status,
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
        login = str(request.url_for("login_form")) + "?next=" + quote(target, safe="")
        if htmx.is_htmx(request):
            return htmx.redirect(login, status=401)
        return RedirectResponse(login, status_code=303)

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        """The one refusal: signed in, but this is not theirs to see or do."""
        if is_api_request(request):
            return JSONResponse({"detail": exc.message}, status_code=403)
        return error_page(request, 403, "Not allowed", exc.message)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> Response:
        if is_api_request(request):
            return JSONResponse({"detail": str(exc)}, status_code=409)
        return error_page(request, 409, "Someone else changed this first", str(exc))

    @app.exception_handler(CSRFRejected)
    async def _csrf(request: Request, exc: CSRFRejected) -> Response:
        message = (
            "This request did not carry a valid security token, so nothing was changed. "
            "Go back, reload the page and try again."
        )
        if is_api_request(request):
            return JSONResponse({"detail": message}, status_code=403)
        return error_page(request, 403, "Nothing was changed", message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        message = f"There is no {exc.what} here. It may have been removed, or the link is wrong."
        if is_api_request(request):
            return JSONResponse({"detail": message}, status_code=404)
        return error_page(request, 404, "Not found", message)

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
        return error_page(
            request, 400, "Please check what you entered", str(exc), errors=exc.errors
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = {_field_name(e["loc"]): e["msg"] for e in exc.errors()}
        if is_api_request(request):
            return JSONResponse(
                {"detail": [{"field": f, "message": m} for f, m in errors.items()]},
                status_code=422,
            )
        return error_page(request, 400, "Please check what you entered", "", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api_request(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        title, message = HTTP_PAGES.get(
            exc.status_code, ("Please check what you entered", str(exc.detail))
        )
        response = error_page(request, exc.status_code, title, message)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> Response:
        message = f"The request is larger than the {exc.limit:,} bytes this address accepts."
        if is_api_request(request):
            return JSONResponse({"detail": message}, status_code=413)
        return error_page(request, 413, "Too large", message)

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
    message = "The tracker is busy with other changes; nothing was changed. Try again shortly."
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api_request(request):
        return JSONResponse({"detail": message}, status_code=503, headers=headers)
    response = error_page(request, 503, "Busy, please try again", message)
    response.headers.update(headers)
    return response


RETRY_AFTER_SECONDS = 5
# PostgreSQL: lock_not_available, query_canceled (a timeout), serialization and deadlock
# failures, idle in transaction too long; SQLite: the database stayed locked.
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40001", "40P01", "25P03"})
HTTP_PAGES = {
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed", "This address does not accept that request."),
    413: ("Too large", "The request is larger than this address accepts."),
}


def is_busy(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)
