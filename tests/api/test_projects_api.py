"""The projects JSON API: create, read, list, update, delete, tags; bad input; stale versions."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tracker.db import session_scope
from tracker.models import AuditEvent, ObjectiveTag, Project
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token

BODY = {
    "code": "CYB-2026-0200",
    "title": "Cybercrime threat intelligence hub for Ghana",
    "kind": "capacity_building",
    "status": "active",
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "budget_amount": "400000",
    "budget_currency": "USD",
    "programme": "CYB",
    "locations": [{"place": "GH", "percentage": 70}, {"place": "AFR", "percentage": 30}],
}


@pytest.fixture
def api(framework, accounts, client_factory):
    clients = {}
    with session_scope(framework) as session:
        for who in ("manager_this", "manager_other", "viewer"):
            user = users.get_user(session=session, user_id=accounts[who].id)
            clients[who] = create_api_token(session=session, user=user, name="t")[1]
    out = {}
    for who, token in clients.items():
        client = client_factory()
        client.headers["Authorization"] = f"Bearer {token}"
        out[who] = client
    return out


def _count(engine, model=Project):
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_create_read_list_update_delete(api, framework):
    created = api["manager_this"].post("/api/v1/projects", json=BODY)
    assert created.status_code == 201, created.text
    project = created.json()
    assert project["budget_eur"] == "368400.00"  # 400,000 USD at the seeded 0.921
    assert sorted(project["locations"], key=lambda place: place["place"]) == [
        {"place": "AFR", "kind": "region", "percentage": "30.00"},
        {"place": "GH", "kind": "country", "percentage": "70.00"},
    ]
    assert project["alignment"] == "unscreened" and project["version"] == 1

    tagged = api["manager_this"].put(
        "/api/v1/projects/CYB-2026-0200/tags",
        json={
            "version": 1,
            "objectives": [
                {"code": "4.1", "significance": "principal", "budget_share": 70},
                {"code": "4.2", "significance": "significant"},
            ],
            "themes": [{"code": "I", "significance": "significant"}],
        },
    )
    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["version"] == 2
    assert [t["code"] for t in tagged.json()["objectives"]] == ["4.1", "4.2"]

    listed = (
        api["viewer"]
        .get("/api/v1/projects", params={"objective": "4.1", "status": "active"})
        .json()
    )
    assert listed["total"] == 1 and listed["items"][0]["principal_objectives"] == ["4.1"]
    read = api["viewer"].get("/api/v1/projects/CYB-2026-0200").json()
    assert read["sdgs"] == [9, 16] and read["alignment"] == "aligned"

    updated = api["manager_this"].put(
        "/api/v1/projects/CYB-2026-0200", json={**BODY, "status": "completed", "version": 2}
    )
    assert updated.status_code == 200 and updated.json()["status"] == "completed"
    assert (
        api["manager_this"]
        .delete("/api/v1/projects/CYB-2026-0200", params={"version": 3})
        .status_code
        == 204
    )
    assert api["viewer"].get("/api/v1/projects/CYB-2026-0200").status_code == 404
    with session_scope(framework) as session:
        actions = session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity_key.startswith("CYB-2026-0200"))
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["create", "tag", "tag", "tag", "update", "delete"]


def test_a_stale_update_gets_409(api, framework):
    api["manager_this"].post("/api/v1/projects", json=BODY)
    assert (
        api["manager_this"]
        .put("/api/v1/projects/CYB-2026-0200", json={**BODY, "title": "First", "version": 1})
        .status_code
        == 200
    )
    stale = api["manager_this"].put(
        "/api/v1/projects/CYB-2026-0200", json={**BODY, "title": "Second", "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("Manager This changed project CYB-2026-0200 on ")
    assert api["viewer"].get("/api/v1/projects/CYB-2026-0200").json()["title"] == "First"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"programme": "XX"}, "programme", 'unknown programme "XX"'),
        ({"locations": [{"place": "ZZ"}]}, "locations", 'unknown country or region "ZZ"'),
        (
            {"locations": [{"place": "GH", "percentage": 70}, {"place": "KE", "percentage": 20}]},
            "locations",
            "add up to 90",
        ),
        ({"end_date": "2025-01-01"}, "end_date", "must not be before the start date"),
        ({"budget_amount": "-1"}, "budget_amount", "must be a number from 0"),
        ({"budget_amount": "much"}, "budget_amount", "decimal"),
        ({"budget_currency": "ABC"}, "budget_currency", 'unknown currency "ABC"'),
        ({"title": "t" * 300}, "title", "must be at most 200 characters"),
        ({"code": "CYB-2026-0199"}, "code", "already used"),
        ({"title": ""}, "title", "is required"),
        ({"start_date": "soon"}, "start_date", "date"),
    ],
)
def test_bad_projects_are_refused(api, framework, change, field, message):
    api["manager_this"].post("/api/v1/projects", json={**BODY, "code": "CYB-2026-0199"})
    before = _count(framework)
    body = {**BODY, **change}
    if change.get("title") == "":
        body["title"] = ""
    response = api["manager_this"].post("/api/v1/projects", json=body)
    assert response.status_code == 422, response.text
    details = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert message in details[field], details
    assert _count(framework) == before


def test_a_missing_required_field(api, framework):
    body = {k: v for k, v in BODY.items() if k != "programme"}
    response = api["manager_this"].post("/api/v1/projects", json=body)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "programme", "message": "Field required"}]
    assert _count(framework) == 0


@pytest.mark.parametrize(
    ("tags", "field", "message"),
    [
        ({"objectives": [{"code": "99.1"}]}, "objectives[0].objective", 'unknown objective "99.1"'),
        ({"themes": [{"code": "VII"}]}, "themes[0].theme", 'unknown theme "VII"'),
        (
            {
                "objectives": [
                    {"code": "4.1", "budget_share": 70},
                    {"code": "4.2", "budget_share": 40},
                ]
            },
            "objectives",
            "budget shares add up to 110%",
        ),
        (
            {"objectives": [{"code": "4.1"}, {"code": "4.1"}]},
            "objectives[1].objective",
            '"4.1" is listed twice',
        ),
        (
            {"objectives": [{"code": "4.1", "significance": "vital"}]},
            "objectives.0.significance",
            "Input should be 'principal' or 'significant'",
        ),
    ],
)
def test_bad_tags_change_nothing(api, framework, tags, field, message):
    api["manager_this"].post("/api/v1/projects", json=BODY)
    api["manager_this"].put(
        "/api/v1/projects/CYB-2026-0200/tags", json={"version": 1, "objectives": [{"code": "1.1"}]}
    )
    response = api["manager_this"].put(
        "/api/v1/projects/CYB-2026-0200/tags", json={"version": 2, **tags}
    )
    assert response.status_code == 422
    details = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert message in details[field], details
    with session_scope(framework) as session:
        assert len(session.exec(select(ObjectiveTag)).all()) == 1
        assert session.exec(select(Project.version)).one() == 2


def test_other_programmes_and_viewers_are_refused(api, framework):
    api["manager_this"].post("/api/v1/projects", json=BODY)
    assert (
        api["manager_other"].post("/api/v1/projects", json={**BODY, "code": "X-1"}).status_code
        == 403
    )
    assert api["viewer"].post("/api/v1/projects", json={**BODY, "code": "X-2"}).status_code == 403
    refused = api["manager_other"].put(
        "/api/v1/projects/CYB-2026-0200", json={**BODY, "version": 1}
    )
    assert refused.status_code == 403
    assert (
        api["manager_other"]
        .delete("/api/v1/projects/CYB-2026-0200", params={"version": 1})
        .status_code
        == 403
    )
    assert _count(framework) == 1
