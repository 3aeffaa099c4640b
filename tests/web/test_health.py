"""The health check: whether the tracker can serve."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tracker.app import create_app
from tracker.config import Settings


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


def test_healthz_reports_an_unmigrated_database(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", env="test"))
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert "tracker db upgrade" in response.text


def test_healthz_reports_an_unreachable_database():
    app = create_app(
        Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", env="test")
    )
    response = TestClient(app).get("/healthz")
    assert response.status_code == 503
    assert response.text.startswith("database unavailable")
