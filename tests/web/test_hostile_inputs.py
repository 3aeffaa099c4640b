"""Hostile values on every route, HTML and API: never a 5xx, and nothing stored.

Each route gets, in its path, its query and its body, a NUL byte, an escape character,
Unicode digits (a superscript two, an Arabic-Indic three), integers past the database's
range, a string longer than any field, and every field repeated 10,000 times.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from tests import factories
from tests.conftest import csrf_of, sign_in
from tests.routes import api_routes
from tracker.db import session_scope
from tracker.models import AuditEvent, Project

HOSTILE = {
    "nul": "nul\x00\x1bbyte",
    "superscript": "²",
    "arabic-indic": "٣",
    "int32": str(2**31),
    "int64": str(2**63),
    "long": "x" * 100_001,
}
FIELDS = [
    "code",
    "title",
    "summary",
    "kind",
    "status",
    "start_date",
    "end_date",
    "budget_amount",
    "budget_currency",
    "donor",
    "programme",
    "manager",
    "place",
    "percentage",
    "version",
    "significance",
    "rationale",
    "budget_share",
    "email",
    "password",
    "full_name",
    "role",
    "programmes",
    "name",
    "frequency",
    "weekday",
    "hour",
    "timezone",
    "quiet",
    "scope",
    "objective",
    "goal",
    "theme",
    "region",
    "threshold",
    "metric",
    "active",
    "next",
    "token",
    "new_password",
    "confirm",
    "rows",
    "cols",
    "floor",
    "from",
    "to",
    "page",
    "year",
    "q",
    "sort",
    "screened",
    "located",
    "country",
    "actor",
    "entity",
    "as_of",
]
# Routes that end the signed-in session: fuzzed like the others, then signed in again.
SIGN_OUT = re.compile(r"^/(logout|account/sessions|admin/users/\{user_id\}/sessions)")
# Tables that record sign-ins and their failures: refused sign-ins may write there.
ACCOUNTING = (
    "user_session",
    "login_failure",
    "login_attempt",
    "login_throttle",
    "provider_sign_in",
)


def _fingerprint(engine) -> dict:
    """Row counts of every table the people's work lives in, and every project's version."""
    with Session(engine) as session:
        counts = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar()
            for table in SQLModel.metadata.sorted_tables
            if table.name not in ACCOUNTING
        }
        # Signing in again after a sign-out is audited: that is not a change.
        counts["audit_event"] = session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type != "sign_in")
        ).scalar()
        counts["project versions"] = session.execute(select(func.sum(Project.version))).scalar()
        counts["project text"] = session.execute(
            text(
                "SELECT coalesce(sum(length(title) + length(coalesce(donor, ''))), 0) FROM project"
            )
        ).scalar()
    return counts


def _path(template: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: quote(value[:5_000], safe=""), template)


def _requests(routes):
    for path, route in routes:
        for method in sorted(route.methods - {"HEAD"}):
            yield path, method


@pytest.fixture
def fuzzed(framework, accounts):
    with session_scope(framework) as session:
        factories.project(session, code="FUZZ-1")
    return framework


def _signed_in(client_factory, accounts):
    client = client_factory(raise_server_exceptions=False)
    assert sign_in(client, accounts["admin"].email).status_code == 303
    return client, csrf_of(client, "/projects")


def _query(value: str, repeat: int) -> dict:
    """Every field in the address, within what an address can carry (64 KB): a long value or
    a long list goes in one field."""
    if repeat > 1:
        return {"q": [value] * repeat}
    if len(value) > 1_000:
        return {"q": value[:60_000]}
    return {name: value for name in FIELDS}


@functools.lru_cache(maxsize=16)
def _form(value: str, repeat: int, token: str) -> bytes:
    """Every field (each repeated), urlencoded once: a body of millions of characters costs the
    client far more to encode than the server to refuse."""
    fields = {name: [value] * repeat if repeat > 1 else value for name in FIELDS}
    return urlencode({**fields, "csrf_token": token}, doseq=True).encode()


def _send(client, method, path, token, value, *, repeat=1):
    headers = {"x-csrf-token": token}
    if path.startswith("/api/"):
        if method == "GET":
            return client.request(method, path, params=_query(value, repeat), headers=headers)
        body = {name: ([value] * repeat if repeat > 1 else value) for name in FIELDS}
        body["tags"] = [{"kind": "objective", "code": value}] * repeat
        return client.request(method, path, json=body, headers=headers)
    if method == "GET":
        return client.request(method, path, params=_query(value, repeat), headers=headers)
    headers["content-type"] = "application/x-www-form-urlencoded"
    return client.request(method, path, content=_form(value, repeat, token), headers=headers)


def _fuzz(client_factory, accounts, routes, values: dict, *, lists: bool) -> tuple[list, int]:
    """Every route with each value in its path and in every field; the problems and the
    number of requests sent."""
    client, token = _signed_in(client_factory, accounts)
    problems: list[str] = []
    sent = 0
    for path, method in _requests(routes):
        for name, value in values.items():
            for where, target in (("path", _path(path, value)), ("body", _path(path, "FUZZ-1"))):
                if where == "path" and "{" not in path:
                    continue
                body_value = value if where == "body" else "ok"
                response = _send(client, method, target, token, body_value)
                sent += 1
                if response.status_code >= 500:
                    problems.append(f"{method} {path} {name} in {where}: {response.status_code}")
                if SIGN_OUT.match(path):
                    client, token = _signed_in(client_factory, accounts)
        if lists:
            response = _send(client, method, _path(path, "FUZZ-1"), token, "1", repeat=10_000)
            sent += 1
            if response.status_code >= 500:
                problems.append(f"{method} {path} 10,000 items: {response.status_code}")
            if SIGN_OUT.match(path):
                client, token = _signed_in(client_factory, accounts)
    return problems, sent


# Values no field may hold: whatever route they reach, nothing is stored. The others are fine
# text (a token may be named "²" or "2147483648") but never a number or an id.
REFUSED_EVERYWHERE = ("nul", "long")


def test_every_route_refuses_hostile_values_without_a_5xx_or_a_write(
    fuzzed, accounts, client_factory
):
    names = REFUSED_EVERYWHERE
    routes = api_routes(client_factory().app.routes)
    before = _fingerprint(fuzzed)
    problems, sent = _fuzz(
        client_factory, accounts, routes, {n: HOSTILE[n] for n in names}, lists=True
    )
    assert not problems, "\n".join(problems)
    assert sent > 200
    assert _fingerprint(fuzzed) == before


def test_numbers_past_range_and_unicode_digits_never_give_a_5xx(
    framework, accounts, client_factory
):
    """Integers past the database's range, a superscript two or an Arabic-Indic three, in
    every path, parameter and field: no route fails on one."""
    with session_scope(framework) as session:
        factories.project(session, code="FUZZ-1")
    routes = api_routes(client_factory().app.routes)
    names = ("superscript", "arabic-indic", "int32", "int64")
    if framework.dialect.name == "postgresql":  # where a number past its column would fail
        names = ("int32", "int64")
    digits = {n: HOSTILE[n] for n in names}
    problems, sent = _fuzz(client_factory, accounts, routes, digits, lists=False)
    assert not problems, "\n".join(problems)
    assert sent > 100
