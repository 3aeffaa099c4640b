"""My account: who I am, what I may edit, my API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tracker.deps import CurrentPrincipal, FormDep, SessionDep
from tracker.services.accounts import tokens as api_tokens
from tracker.services.accounts import users
from tracker.services.errors import InputError
from tracker.web import urls
from tracker.web._form_data import text_field
from tracker.web._forms import see_other
from tracker.web.templating import templates

router = APIRouter()


def _page(request, session, principal, status=200, **context) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "account/index.html",
        {
            "programmes": users.programme_codes(session=session, user_id=principal.user.id),
            "tokens": api_tokens.list_api_tokens(session=session, user_id=principal.user.id),
            **context,
        },
        status_code=status,
    )


@router.get("/account", response_class=HTMLResponse, name="account")
def account(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    return _page(request, session, principal)


@router.post("/account/tokens", response_class=HTMLResponse, name="create_token")
def create_token(
    request: Request, form: FormDep, session: SessionDep, principal: CurrentPrincipal
) -> HTMLResponse:
    name = ""
    try:
        name = text_field(form, "name")
        token, raw = api_tokens.create_api_token(session=session, user=principal.user, name=name)
    except InputError as exc:
        session.rollback()
        return _page(request, session, principal, 400, errors=exc.errors, name=name)
    session.commit()
    # The token is shown on this response only; it is stored as a hash.
    return _page(request, session, principal, 201, new_token=raw, new_token_name=token.name)


@router.post("/account/tokens/{token_id}/revoke", name="revoke_token")
def revoke_token(
    request: Request, token_id: int, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    api_tokens.revoke_api_token(session=session, token_id=token_id, user=principal.user)
    session.commit()
    return see_other(str(urls.url_for(request, "account")))
