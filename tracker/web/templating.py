"""The Jinja2 environment: where templates live and the filters they share."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from fastapi import Request
from fastapi.templating import Jinja2Templates

from tracker.config import PROJECT_ROOT
from tracker.security import csrf_token
from tracker.services.permissions import Principal

NO_VALUE = "\u2013"  # an en dash where there is no figure

templates = Jinja2Templates(directory=str(PROJECT_ROOT / "templates"))


def format_number(value: int | float | Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value:,.0f}"


def format_date(value: date | datetime | None) -> str:
    return NO_VALUE if value is None else value.strftime("%-d %b %Y")


def format_money(value: Decimal | float | None, currency: str = "EUR") -> str:
    """Compact money for tables: €1.2M, €350k; the exact value belongs in a title."""
    if value is None:
        return NO_VALUE
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency, currency + " ")
    amount = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"{symbol}{amount / limit:.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{symbol}{amount:,.0f}"


def format_datetime(value: datetime | None) -> str:
    return NO_VALUE if value is None else value.strftime("%-d %b %Y %H:%M UTC")


def _csrf_token(request: Request) -> str:
    return csrf_token(request, request.app.state.settings.secret_key)


def _principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


templates.env.globals["csrf_token"] = _csrf_token
templates.env.globals["principal"] = _principal
templates.env.filters["when"] = format_datetime
templates.env.filters["number"] = format_number
templates.env.filters["day"] = format_date
templates.env.filters["money"] = format_money
