"""HTMX, in one place: the only code that reads HX-* request headers or names them.

A page includes its fragment inside a container with a stable id. `render` answers an HTMX
request with the fragment and anything else (a plain request, or HTMX restoring history, which
wants the whole page) with the page, and says so with `Vary: HX-Request` so that no cache hands
one to the other.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from tracker.web.templating import templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def is_history_restore(request: Request) -> bool:
    return request.headers.get("hx-history-restore-request") == "true"


def wants_fragment(request: Request) -> bool:
    """An HTMX request that swaps a fragment in (a history restore wants the page)."""
    return is_htmx(request) and not is_history_restore(request)


def target(request: Request) -> str | None:
    """The id of the element the fragment goes into, when HTMX says."""
    return request.headers.get("hx-target") if is_htmx(request) else None


def refusal_status(request: Request, status: int = 400) -> int:
    """The status of a page that shows why its parameters were refused.

    HTMX restores history by fetching the page again and drops anything but a 2xx, so the
    back button to a refused view gets the same page with 200.
    """
    return 200 if is_history_restore(request) else status


def varies(response: Response) -> Response:
    """Say that the answer depends on whether HTMX asked, so no cache hands one to the other."""
    response.headers["Vary"] = "HX-Request"
    return response


def redirect(url: str, status: int = 200) -> Response:
    """Send HTMX to a whole page at `url` (a plain redirect would land inside the fragment)."""
    return varies(Response(status_code=status, headers={"HX-Redirect": url}))


def render(
    request: Request, *, page: str, fragment: str, context: dict, status: int = 200
) -> Response:
    """The fragment for HTMX, the page for everyone else."""
    template = fragment if wants_fragment(request) else page
    return varies(templates.TemplateResponse(request, template, context, status_code=status))
