"""Suggestions as JSON: the shape, a project's own tags left out, and bad input refused naming
the field."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from tests import factories
from tracker.db import session_scope
from tracker.models import AuditEvent
from tracker.services.accounts import users
from tracker.services.accounts.tokens import create_api_token
from tracker.services.suggestions import store


@pytest.fixture
def api(framework, accounts, client_factory):
    with session_scope(framework) as session:
        user = users.get_user(session=session, user_id=accounts["viewer"].id)
        token = create_api_token(session=session, user=user, name="t")[1]
        project = factories.project(
            session,
            code="CYB-2026-0300",
            title="Operation against a botnet",
            summary="Police forces coordinate searches and arrests to take down the command "
            "servers of a botnet; cooperation to disrupt cybercrime.",
        )
        factories.objective_tag(session, project, "4.3")
    client = client_factory()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _shape_ok(body: dict) -> None:
    assert set(body) == {"objectives", "themes", "model_trained_at"}
    for kind in ("objectives", "themes"):
        assert body[kind], kind
        scores = [s["score"] for s in body[kind]]
        assert scores == sorted(scores, reverse=True)  # best first
        for item in body[kind]:
            assert {"code", "label", "score", "reason"} <= set(item)
            assert isinstance(item["reason"], str) and item["reason"]
            assert 0 < item["score"] <= 1


def test_suggestions_for_a_project_leave_its_own_tags_out(api, framework):
    store.train_and_store(framework)
    response = api.get("/api/v1/projects/CYB-2026-0300/suggestions")
    assert response.status_code == 200, response.text
    body = response.json()
    _shape_ok(body)
    codes = [s["code"] for s in body["objectives"]]
    assert codes[0] == "4.2" and "4.3" not in codes
    assert body["objectives"][0]["label"] == "Cooperation against cybercrime"
    assert body["model_trained_at"] is not None
    assert api.get("/api/v1/projects/NO-SUCH/suggestions").status_code == 404


def test_suggestions_for_a_text(api, framework):
    store.train_and_store(framework)
    events = _events(framework)
    response = api.post(
        "/api/v1/suggestions",
        json={
            "title": "Asset recovery",
            "summary": "Trace, freeze and return illicitly obtained assets to victims.",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    _shape_ok(body)
    assert body["objectives"][0]["code"] == "5.5"
    assert "obtained assets" in body["objectives"][0]["words"]
    assert _events(framework) == events  # nothing stored


def _events(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"title": "", "summary": "Something"}, "title", "is required"),
        ({"title": "   "}, "title", "is required"),
        ({"summary": "Only a summary"}, "title", "required"),
        ({"title": "Long", "summary": "x" * 100_000}, "summary", "at most 5,000 characters"),
        ({"title": "t" * 100_000}, "title", "at most 200 characters"),
        ({"title": 42}, "title", "string"),
        ({"title": ["a", "list"]}, "title", "string"),
        ({"title": "Fine", "summary": {"not": "text"}}, "summary", "string"),
        ({"title": "Fine", "summary": "NUL \x00 byte"}, "summary", "control characters"),
        ({"title": "Fine", "sector": "15110"}, "sector", "unknown field"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, body, field, words):
    response = api.post("/api/v1/suggestions", json=body)
    assert response.status_code == 422, response.text
    problems = {p["field"]: p["message"] for p in response.json()["detail"]}
    assert field in problems, problems
    assert words in problems[field]


def test_a_body_that_is_not_json_or_not_an_object_is_refused(api):
    assert api.post(
        "/api/v1/suggestions", content=b"\xff\xfe", headers={"Content-Type": "application/json"}
    ).status_code in (400, 422)
    response = api.post("/api/v1/suggestions", json=["title"])
    assert response.status_code == 422
