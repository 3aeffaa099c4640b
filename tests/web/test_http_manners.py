"""HTTP as browsers, proxies and clients expect it: HEAD, caching, hosts, sizes, busy answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import text

from tests import factories
from tests.conftest import csrf_of
from tests.waiting import free_port, wait_until
from tests.web.live import form_of, signed_in
from tracker.db import make_engine, session_scope


@pytest.mark.parametrize("path", ["/healthz", "/login", "/static/css/app.css"])
def test_head_answers_every_get_address_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_signed_in_pages_and_answers_are_never_stored_by_a_cache(browser_for):
    admin = browser_for("admin")
    for path in ("/", "/projects", "/account", "/api/v1/me"):
        assert admin.get(path).headers["cache-control"] == "no-store", path
    assert "no-store" not in admin.get("/static/css/app.css").headers.get("cache-control", "")


def test_an_unknown_host_is_refused(client):
    response = client.get("/login", headers={"host": "evil.example"})
    assert response.status_code == 400


def test_allowed_hosts_come_from_the_setting(client_factory):
    client = client_factory(allowed_hosts="tracker.example.org")
    assert client.get("/healthz", headers={"host": "tracker.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"host": "testserver"}).status_code == 400


def test_invitation_links_use_the_base_url_not_the_host_header(client_factory, accounts):
    from tests.conftest import sign_in

    admin = client_factory(base_url="https://tracker.example.org")
    assert sign_in(admin, accounts["admin"].email).status_code == 303
    response = admin.post(
        "/admin/users",
        data={
            "email": "new.person@example.org",
            "full_name": "New Person",
            "role": "viewer",
            "csrf_token": csrf_of(admin, "/admin/users"),
        },
    )
    assert response.status_code == 201
    link = BeautifulSoup(response.text, "lxml").find(id="invite-link")["value"]
    assert link.startswith("https://tracker.example.org/invite/")


@pytest.mark.parametrize(
    ("typed", "found"),
    [("a_b", ["OTH-1", "UND-1"]), ("%", []), ("100%", ["OTH-1", "PCT-1"]), ("_", [])],
)
def test_search_takes_percent_and_underscore_as_no_wildcard(framework, browser_for, typed, found):
    """Search looks for words (each typed word starts a word of the title): % and _ part words
    as any punctuation does, never stand for any characters, and alone look for nothing."""
    with session_scope(framework) as session:
        factories.project(session, code="PCT-1", title="Reach 100% of units")
        factories.project(session, code="UND-1", title="Name a_b here")
        factories.project(session, code="OTH-1", title="Reach 1000 officers, a-b")
        factories.project(session, code="AXB-1", title="Name axb here")  # a_b as a wildcard
    viewer = browser_for("viewer")
    page = BeautifulSoup(viewer.get("/projects", params={"q": typed}).text, "lxml")
    codes = [c.get_text(strip=True) for c in page.select("table tbody th .code")]
    assert codes == found


def test_a_body_over_the_limit_is_refused_with_a_page(browser_for):
    admin = browser_for("admin")
    token = csrf_of(admin, "/projects/new")
    response = admin.post("/projects/new", data={"csrf_token": token, "title": "x" * 3_000_000})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "larger than" in response.text


def test_a_long_field_on_an_html_route_gets_an_html_page_naming_it(browser_for):
    admin = browser_for("admin")
    token = csrf_of(admin, "/projects/new")
    response = admin.post("/projects/new", data={"csrf_token": token, "title": "x" * 1_000_000})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "lxml")
    assert "Title" in page.select_one(".error-list").text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_save_that_cannot_get_its_lock_answers_503_with_retry_after(
    database_url, framework, accounts, tmp_path
):
    """Someone else holds the project's row; the save gives up after the lock timeout."""
    import uvicorn

    from tracker.app import create_app
    from tracker.config import Settings

    with session_scope(framework) as session:
        code = factories.project(session).code
    engine = make_engine(database_url, lock_timeout_ms=300)
    port = free_port()
    app = create_app(Settings(database_url=database_url, env="test", port=port), engine=engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, what="the server to start")
        admin = accounts["admin"]
        person = signed_in(f"http://127.0.0.1:{port}", admin.email, admin.password)
        edit = f"/projects/{code}/edit"
        form = {**form_of(person, edit), "title": "Waited too long"}
        with framework.connect() as holder:
            holder.execute(text("SELECT 1 FROM project WHERE code = :c FOR UPDATE"), {"c": code})
            began = time.monotonic()
            response = person.post(edit, data=form)
            waited = time.monotonic() - began
            holder.rollback()
        assert response.status_code == 503
        assert response.headers["retry-after"].isdigit()
        assert "nothing was changed" in response.text
        assert waited < 5
        again = person.post(edit, data=form)
        assert again.status_code == 303
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def test_sigterm_stops_the_server_within_its_graceful_timeout(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'stop.db'}",
        "TRACKER_PORT": str(port),
        "TRACKER_GRACEFUL_SHUTDOWN_SECONDS": "3",
    }
    tracker = str(Path(sys.executable).parent / "tracker")
    subprocess.run([tracker, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [tracker, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        import httpx2

        wait_until(
            lambda: httpx2.get(f"http://127.0.0.1:{port}/healthz").status_code == 200,
            timeout=20,
            interval=0.05,
            what="tracker serve to answer",
            ignore=(httpx2.HTTPError,),
        )
        began = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        assert time.monotonic() - began < 5
        # uvicorn shuts down gracefully, then ends by the signal it was sent, as Unix expects.
        assert server.returncode in (0, -signal.SIGTERM)
        assert "Finished server process" in server.stdout.read().decode()
    finally:
        if server.poll() is None:
            server.kill()
