"""Hostile values in every field of every API route: a 4xx naming the field, never a 5xx, and
nothing stored. Moving a budget share between objectives, and GET then PUT of the same body.

Each write is sent with a spoiler that the service refuses only after reading every field (a
stale version, a taken code, an unknown region), so that a value a field may hold (a
superscript two is a fine title) is refused too, and nothing is ever stored.
"""

from __future__ import annotations

import asyncio
import copy
import json
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from sqlmodel import func, select

from tracker.db import session_scope
from tracker.models import AuditEvent, ObjectiveTag, Project, ProjectLocation, Target, ThemeTag
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token

NUL = "nul\x00byte"
LONG = "x" * 100_000
HOSTILE = {
    "nul": NUL,
    "superscript": "²",
    "arabic-indic": "٣",
    "int32": 2**31,
    "int64": 2**63,
    "int32-text": str(2**31),
    "int64-text": str(2**63),
    "long": LONG,
}
# Every field refuses these, naming itself; others are refused where the field cannot hold
# them, and by the spoiler where it can.
REFUSED_BY_EVERY_FIELD = ("nul", "long")

PROJECT = {
    "code": "CYB-API-1",
    "title": "Cybercrime hub",
    "summary": "Line one\nline two",
    "kind": "capacity_building",
    "status": "active",
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "budget_amount": "400000",
    "budget_currency": "EUR",
    "donor": "A donor",
    "programme": "CYB",
    "manager": None,
    "locations": [{"place": "GH", "percentage": 70}, {"place": "AFR", "percentage": 30}],
}
TAGS = {
    "objectives": [
        {"code": "4.1", "significance": "principal", "budget_share": 70, "rationale": "Why"}
    ],
    "themes": [{"code": "I", "significance": "significant", "budget_share": None}],
}
NUMERIC = {"version", "percentage", "budget_share", "min_active_projects", "page"}


@pytest.fixture
def api(framework, accounts, client_factory):
    """A project at version 2 with tags, a target, and an administrator's API client."""
    with session_scope(framework) as session:
        user = users.get_user(session=session, user_id=accounts["admin"].id)
        token = create_api_token(session=session, user=user, name="t")[1]
    client = client_factory(raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.post("/api/v1/projects", json=PROJECT).status_code == 201
    tagged = client.put("/api/v1/projects/CYB-API-1/tags", json={"version": 1, **TAGS})
    assert tagged.status_code == 200, tagged.text
    target = client.post("/api/v1/targets", json={"code": "4.2", "min_active_projects": 2})
    assert target.status_code == 201
    return client


def _fingerprint(engine) -> dict:
    with session_scope(engine) as session:
        counts = {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Project, ProjectLocation, ObjectiveTag, ThemeTag, Target, AuditEvent)
        }
        counts["versions"] = session.exec(select(func.sum(Project.version))).one()
        counts["titles"] = sorted(session.exec(select(Project.title)))
    return counts


def _leaves(value, path=()):
    """(path, value) of every leaf and every list of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        yield path, value
        for n, item in enumerate(value):
            yield from _leaves(item, (*path, n))
    else:
        yield path, value


def _replaced(document, path, value):
    out = copy.deepcopy(document)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def _name(path) -> str:
    return ".".join(str(p) for p in path)


# Each write: its body, and a spoiler that the service refuses after reading every field.
# A field that is itself the spoiler gets the other one.
WRITES = [
    (
        "POST",
        "/api/v1/projects",
        PROJECT,
        [("code", "CYB-API-1"), ("programme", "XX")],
    ),
    (
        "PUT",
        "/api/v1/projects/CYB-API-1",
        {**PROJECT, "version": 1},
        [("version", 1), ("programme", "XX")],
    ),
    ("PUT", "/api/v1/projects/CYB-API-1/tags", {"version": 1, **TAGS}, [("version", 1)]),
    (
        "POST",
        "/api/v1/targets",
        {"code": "4.2", "region": "AFR", "min_active_projects": 2, "min_budget_eur": "5"},
        [("region", "MOON"), ("code", "9.9")],
    ),
]


def _refusal(response, field: str) -> list[str]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    detail = response.json()["detail"]
    return [d["field"] for d in detail] if isinstance(detail, list) else [str(detail)]


# PostgreSQL is where a NUL byte or an integer past a column's range would fail: the tests of
# every field, every parameter and the version run there too.
@pytest.mark.both_backends
def test_every_body_field_refuses_hostile_values_and_stores_nothing(api, framework):
    before = _fingerprint(framework)
    problems = []
    sent = 0
    for method, path, body, spoilers in WRITES:
        for leaf, original in _leaves(body):
            if not leaf:
                continue
            spoiler = next((s for s in spoilers if s[0] != leaf[0]), None)
            # The tags' version is stale already: the body's own is the spoiler.
            base = _replaced(body, (spoiler[0],), spoiler[1]) if spoiler else body
            values = dict(HOSTILE)
            if isinstance(original, list):
                item = original[0] if original else "1"
                values = {"10,000 items": [item] * 10_000}
            for name, value in values.items():
                response = api.request(method, path, json=_replaced(base, leaf, value))
                sent += 1
                field = _name(leaf)
                if response.status_code >= 500 or response.status_code < 400:
                    problems.append(f"{method} {path} {field}={name}: {response.status_code}")
                    continue
                named = _refusal(response, field)
                must_name = (
                    name in REFUSED_BY_EVERY_FIELD
                    or isinstance(original, list)
                    or leaf[-1] in NUMERIC
                )
                if must_name and not any(f == field or f.startswith(f"{field}.") for f in named):
                    problems.append(f"{method} {path} {field}={name}: named {named}")
    assert not problems, "\n".join(problems)
    assert sent > 300
    assert _fingerprint(framework) == before


QUERIES = [
    (
        "/api/v1/projects",
        [
            "q",
            "goal",
            "objective",
            "theme",
            "programme",
            "region",
            "located",
            "status",
            "screened",
            "year",
            "from",
            "to",
            "floor",
            "sort",
            "page",
        ],
    ),
    (
        "/api/v1/coverage",
        ["rows", "cols", "metric", "status", "programme", "region", "from", "to", "floor"],
    ),
    ("/api/v1/gaps", ["kind", "programme", "region", "floor"]),
]
LISTS = {"programme", "status", "kind"}
TEXT = {"q"}


def _raw_get(client, path: str, query: str) -> tuple[int, dict]:
    """A GET sent to the app as an ASGI call: an address longer than HTTP clients send."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", client.headers["authorization"].encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(client.app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


@pytest.mark.both_backends
@pytest.mark.parametrize(("path", "names"), QUERIES, ids=[q[0] for q in QUERIES])
def test_every_query_parameter_refuses_hostile_values(api, path, names):
    problems = []
    for name in names:
        for label, value in HOSTILE.items():
            status, body = _raw_get(api, path, urlencode({name: str(value)}))
            if name in TEXT and label not in REFUSED_BY_EVERY_FIELD:
                # Search takes any text: a superscript two is something to look for.
                if status != 200:
                    problems.append(f"{name}={label}: {status}")
                continue
            detail = body["detail"]
            named = [d["field"] for d in detail] if isinstance(detail, list) else []
            if status != 422 or not any(f == name or f.startswith(f"{name}.") for f in named):
                problems.append(f"{name}={label}: {status} {named}")
        if name in LISTS:
            status, body = _raw_get(api, path, urlencode({name: ["active"] * 10_000}, doseq=True))
            named = [d["field"] for d in body["detail"]] if status == 422 else []
            if not any(f == name or f.startswith(f"{name}.") for f in named):
                problems.append(f"{name} x 10,000: {status} {named}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("method", "template", "body"),
    [
        ("GET", "/api/v1/projects/{}", None),
        ("PUT", "/api/v1/projects/{}", {**PROJECT, "version": 2}),
        ("DELETE", "/api/v1/projects/{}?version=2", None),
        ("GET", "/api/v1/projects/{}/tags", None),
        ("PUT", "/api/v1/projects/{}/tags", {"version": 2, **TAGS}),
        ("DELETE", "/api/v1/targets/{}", None),
    ],
)
def test_hostile_path_keys_name_nothing(api, framework, method, template, body):
    before = _fingerprint(framework)
    for label, value in HOSTILE.items():
        key = quote(str(value)[:5_000], safe="")
        response = api.request(method, template.format(key), json=body)
        assert response.status_code == 404, (label, response.status_code, response.text)
    assert _fingerprint(framework) == before


@pytest.mark.parametrize(
    ("version", "status"),
    [(2**31, 422), (2**63, 422), ("²", 422), ("٣", 422), ("true", 422), ("0", 422), ("1", 409)],
)
def test_delete_reads_the_version_in_ascii_digits_within_range(api, framework, version, status):
    before = _fingerprint(framework)
    response = api.delete("/api/v1/projects/CYB-API-1", params={"version": str(version)})
    assert response.status_code == status, response.text
    if status == 422:
        assert _refusal(response, "version") == ["version"]
    assert _fingerprint(framework) == before


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (False, "version"),
        (True, "version"),
        ("2", "version"),
        (2.5, "version"),
    ],
)
def test_numbers_are_strict(api, framework, value, field):
    before = _fingerprint(framework)
    response = api.put("/api/v1/projects/CYB-API-1/tags", json={**TAGS, "version": value})
    assert response.status_code == 422
    assert _refusal(response, field) == [field]
    assert _fingerprint(framework) == before


@pytest.mark.parametrize(
    ("budget_share", "status"),
    [(False, 422), ("٣", 422), ("40.005", 422), (100.01, 422), ("100", 200), (0.57, 200)],
)
def test_budget_shares_are_decimals_to_the_cent(api, budget_share, status):
    body = {"version": 2, "objectives": [{"code": "4.1", "budget_share": budget_share}]}
    response = api.put("/api/v1/projects/CYB-API-1/tags", json=body)
    assert response.status_code == status, response.text
    if status == 200:
        assert (
            response.json()["objectives"][0]["budget_share"] == f"{Decimal(str(budget_share)):.2f}"
        )


def test_tab_and_line_breaks_only_in_long_text(api):
    refused = api.put("/api/v1/projects/CYB-API-1", json={**PROJECT, "title": "a\tb", "version": 2})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"field": "title", "message": "must not contain control characters such as a NUL byte"}
    ]
    kept = api.put(
        "/api/v1/projects/CYB-API-1",
        json={**PROJECT, "summary": "a\tb\r\nc", "version": 2},
    )
    assert kept.status_code == 200 and kept.json()["summary"] == "a\tb\r\nc"


def test_a_share_moves_from_one_objective_to_another(api, framework):
    """The stored 70% on 4.1 is about to go: 4.2 may take it."""
    moved = api.put(
        "/api/v1/projects/CYB-API-1/tags",
        json={"version": 2, "objectives": [{"code": "4.2", "budget_share": 70}], "themes": []},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["objectives"] == [
        {"code": "4.2", "significance": "principal", "budget_share": "70.00", "rationale": None}
    ]
    with session_scope(framework) as session:
        shares = session.exec(select(ObjectiveTag.budget_share)).all()
    assert shares == [Decimal("70.00")]
    swapped = api.put(
        "/api/v1/projects/CYB-API-1/tags",
        json={
            "version": 3,
            "objectives": [
                {"code": "4.1", "budget_share": 70},
                {"code": "4.2", "budget_share": 30},
            ],
        },
    )
    assert swapped.status_code == 200, swapped.text
    too_much = api.put(
        "/api/v1/projects/CYB-API-1/tags",
        json={
            "version": 4,
            "objectives": [
                {"code": "4.1", "budget_share": 70},
                {"code": "4.2", "budget_share": 31},
            ],
        },
    )
    assert too_much.status_code == 422
    assert too_much.json()["detail"] == [
        {
            "field": "objectives",
            "message": "budget shares add up to 101%; they may add up to at most 100%",
        }
    ]


@pytest.mark.parametrize("path", ["/api/v1/projects/CYB-API-1", "/api/v1/projects/CYB-API-1/tags"])
def test_what_get_gives_put_takes_back_unchanged(api, framework, path):
    read = api.get(path).json()
    before = _fingerprint(framework)
    written = api.put(path, json=read)
    assert written.status_code == 200, written.text
    assert written.json() == {**read, "version": read["version"] + 1}
    after = _fingerprint(framework)
    assert after["versions"] == before["versions"] + 1
    assert after["titles"] == before["titles"]
    assert api.get(path).json() == {**read, "version": read["version"] + 1}


def test_a_round_trip_keeps_the_manager(api, framework, accounts):
    body = {**PROJECT, "code": "CYB-API-2", "manager": accounts["manager_this"].email}
    created = api.post("/api/v1/projects", json=body).json()
    assert created["manager"] == accounts["manager_this"].email
    again = api.put("/api/v1/projects/CYB-API-2", json=created).json()
    assert again["manager"] == accounts["manager_this"].email


def test_a_target_read_can_be_sent_back(api):
    [target] = api.get("/api/v1/targets").json()
    again = api.post("/api/v1/targets", json=target)
    assert again.status_code == 201 and again.json() == target


def test_unknown_fields_and_parameters_are_refused(api, framework):
    before = _fingerprint(framework)
    response = api.put("/api/v1/projects/CYB-API-1/tags", json={"version": 2, "objectivs": []})
    assert response.status_code == 422 and _refusal(response, "objectivs") == ["objectivs"]
    response = api.get("/api/v1/coverage", params={"colums": "regions"})
    assert response.status_code == 422 and _refusal(response, "colums") == ["colums"]
    assert _fingerprint(framework) == before
