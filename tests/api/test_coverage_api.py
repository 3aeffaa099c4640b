"""The JSON API for framework, coverage, gaps and targets."""

from __future__ import annotations

import pytest
from sqlmodel import select

from tests.services.coverage import portfolio
from tracker.db import session_scope
from tracker.models import AuditEvent, Target
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token


@pytest.fixture
def api(framework, accounts, client_factory):
    """Clients holding API tokens of the administrator and of the viewer."""
    with session_scope(framework) as session:
        portfolio.build(session)
        tokens = {}
        for who in ("admin", "viewer"):
            user = users.get_user(session=session, user_id=accounts[who].id)
            tokens[who] = create_api_token(session=session, user=user, name="tests")[1]
    clients = {}
    for who, token in tokens.items():
        client = client_factory()
        client.headers["Authorization"] = f"Bearer {token}"
        clients[who] = client
    return clients


def test_coverage_json(api):
    body = (
        api["viewer"]
        .get("/api/v1/coverage", params={"rows": "objectives", "cols": "regions"})
        .json()
    )
    assert body["rows_kind"] == "objectives" and body["filters"]["status"] == ["active"]
    assert [c["code"] for c in body["columns"]] == ["AFR", "AME", "ASP", "EUR", "MENA", "global"]
    row = next(r for r in body["rows"] if r["code"] == "4.1")
    assert row["level"] == "objective" and row["goal"] == "GPG4"
    assert row["cells"]["AFR"] == {
        "projects": 2,
        "principal": 2,
        "budget_eur": "142000.00",
        "change": None,
    }
    assert body["total"] == {
        "projects": 8,
        "principal": 6,
        "budget_eur": "570000.00",
        "change": None,
    }


def test_framework_json(api):
    body = api["viewer"].get("/api/v1/framework").json()
    assert body["framework"]["code"] == "GPG-2023"
    assert [g["code"] for g in body["goals"]] == [f"GPG{n}" for n in range(1, 8)]
    gpg4 = body["goals"][3]
    assert gpg4["sdgs"] == [
        {"number": 9, "name": "Industry, innovation and infrastructure"},
        {"number": 16, "name": "Peace, justice and strong institutions"},
    ]
    assert {link["target"] for link in gpg4["sdg_links"]} == {"9.1", "16.a"}
    assert all(link["proposed"] for link in gpg4["sdg_links"])
    assert [o["code"] for o in gpg4["objectives"]] == ["4.1", "4.2", "4.3", "4.4"]
    assert gpg4["objectives"][0]["coverage"]["projects"] == 3  # P1, P2, P5
    assert len(body["themes"]) == 5 and body["themes"][0]["statements"][0]["code"] == "I.1"


def test_gaps_json(api):
    body = api["viewer"].get("/api/v1/gaps", params={"kind": "unscreened"}).json()
    assert body == {
        "gaps": [
            {
                "kind": "unscreened",
                "subject": "1 active project",
                "reason": "Not yet reviewed against the framework: P8.",
                "projects": {"status": "active", "screened": "no"},
            }
        ]
    }
    bad = api["viewer"].get("/api/v1/gaps", params={"kind": "meteor"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "kind.0"


def test_targets_can_be_set_replaced_and_removed_by_administrators(api, framework):
    created = api["admin"].post(
        "/api/v1/targets", json={"code": "4.2", "region": "AFR", "min_active_projects": 3}
    )
    assert created.status_code == 201
    target = created.json()
    assert target == {
        "id": target["id"],
        "scope": "objective",
        "code": "4.2",
        "region": "AFR",
        "min_active_projects": 3,
        "min_budget_eur": None,
    }
    replaced = api["admin"].post(
        "/api/v1/targets", json={"code": "4.2", "region": "AFR", "min_budget_eur": "250000"}
    )
    assert replaced.json()["id"] == target["id"]
    assert replaced.json()["min_budget_eur"] == "250000.00"
    assert len(api["viewer"].get("/api/v1/targets").json()) == 1
    gaps = api["viewer"].get("/api/v1/gaps", params={"kind": "below_target"}).json()["gaps"]
    assert gaps[0]["reason"].startswith("Target: at least €250,000")
    with session_scope(framework) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "target")).all()
    assert [(e.action, e.before, e.after) for e in events] == [
        ("create", None, {"min_active_projects": 3, "min_budget_eur": None}),
        (
            "update",
            {"min_active_projects": 3, "min_budget_eur": None},
            {"min_active_projects": None, "min_budget_eur": "250000.00"},
        ),
    ]
    assert api["admin"].delete(f"/api/v1/targets/{target['id']}").status_code == 204
    assert api["viewer"].get("/api/v1/targets").json() == []
    assert api["admin"].delete(f"/api/v1/targets/{target['id']}").status_code == 404


def test_viewers_cannot_set_targets(api, framework):
    response = api["viewer"].post("/api/v1/targets", json={"code": "4.2", "min_active_projects": 3})
    assert response.status_code == 403
    with session_scope(framework) as session:
        assert session.exec(select(Target)).all() == []


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"code": "9.9", "min_active_projects": 1}, "code", 'unknown goal or objective "9.9"'),
        (
            {"code": "4.2", "region": "MOON", "min_active_projects": 1},
            "region",
            'unknown region "MOON"',
        ),
        ({"code": "4.2"}, "min_active_projects", "give a minimum number of active projects"),
        (
            {"code": "4.2", "min_active_projects": -2},
            "min_active_projects",
            "must be a whole number from 0 to 1,000,000",
        ),
        ({"code": "4.2", "min_budget_eur": "lots"}, "min_budget_eur", "must be a number"),
        (
            {"code": "4.2", "min_active_projects": "three"},
            "min_active_projects",
            "must be a whole number",
        ),
        ({"min_active_projects": 1}, "code", "Field required"),
    ],
)
def test_bad_targets_are_refused(api, framework, body, field, message):
    response = api["admin"].post("/api/v1/targets", json=body)
    assert response.status_code == 422
    details = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert message in details[field]
    with session_scope(framework) as session:
        assert session.exec(select(Target)).all() == []
