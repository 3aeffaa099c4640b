"""Races against a real server (uvicorn in a thread, real concurrent HTTP requests) on SQLite
and PostgreSQL: twenty wrong passwords for one account at once, two acceptances of one
invitation at once, one unsubscribe link clicked twice at once."""

from __future__ import annotations

import threading
from collections import Counter

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, select

from tests import factories
from tests.conftest import BACKENDS
from tests.waiting import Latch
from tests.web.live import form_of
from tracker.config import Settings
from tracker.db import session_scope
from tracker.models import AuditEvent, LoginFailure, Subscription, User
from tracker.services.accounts import auth, users
from tracker.services.accounts.secrets import verify_password
from tracker.services.digests.subscriptions import unsubscribe_token

# Web tests run on SQLite unless they ask for the database by name: these ask for both.
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def _at_once(n: int, prepare, send) -> list:
    """prepare(i) in each of n threads (a page to read a form from, say), then send(i, prepared)
    in all of them at the same moment; the results in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        prepared = prepare(i)
        barrier.wait()
        try:
            results[i] = send(i, prepared)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _browser(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, follow_redirects=False)


def test_twenty_wrong_passwords_at_once_check_five_and_the_rest_wait(
    live_server, engine, accounts, monkeypatch
):
    checked = Counter()
    lock = threading.Lock()
    counted = Latch(20)
    real_count = auth.count_attempt

    def count_attempt(**values):
        try:
            return real_count(**values)
        finally:
            counted.count_down()

    def check_once_all_are_counted(password, stored_hash):
        # Every request is in flight, counted or refused, before any check ends.
        overlapped = counted.wait(timeout=10)
        with lock:
            checked["passwords"] += 1
            checked["overlapped"] += overlapped
        return verify_password(password, stored_hash)

    monkeypatch.setattr(auth, "count_attempt", count_attempt)
    monkeypatch.setattr(auth, "verify_password", check_once_all_are_counted)
    email = accounts["viewer"].email

    def prepare(i):
        browser = _browser(live_server)
        return browser, form_of(browser, "/login")

    def send(i, prepared):
        browser, form = prepared
        data = {**form, "email": email, "password": "a wrong guess!"}
        try:
            return browser.post("/login", data=data)
        finally:
            browser.close()

    responses = _at_once(20, prepare, send)

    assert not [r for r in responses if isinstance(r, Exception)], responses
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {401: 5, 429: 15}, responses
    assert checked["passwords"] == checked["overlapped"] == 5
    for response in responses:
        if response.status_code == 429:
            wait = int(response.headers["retry-after"])
            assert 0 < wait <= 15 * 60
            alert = BeautifulSoup(response.text, "lxml").find(role="alert")
            assert alert.get_text(strip=True).startswith("Too many failed sign-in attempts.")
        else:
            assert "retry-after" not in response.headers
    with Session(engine) as session:
        assert len(session.exec(select(LoginFailure)).all()) == 5

    # The right password waits too, and is told how long.
    with _browser(live_server) as browser:
        form = form_of(browser, "/login")
        late = browser.post("/login", data={**form, "email": email, "password": "x" * 12})
    assert late.status_code == 429 and int(late.headers["retry-after"]) > 0


def test_two_acceptances_of_one_invitation_at_once_set_one_password(
    live_server, engine, framework, monkeypatch
):
    with session_scope(framework) as session:
        invited, token = users.invite_user(
            session=session,
            email="new.person@example.org",
            full_name="New Person",
            role="viewer",
            programmes=[],
            actor=None,
            valid_days=7,
        )
    real_hash = users.hash_password
    both_checked = threading.Barrier(2, timeout=10)

    def hash_once_both_have_checked(password: str) -> str:
        both_checked.wait()  # both have found the link unused before either claims it
        return real_hash(password)

    monkeypatch.setattr(users, "hash_password", hash_once_both_have_checked)
    passwords = ["first chosen password", "second chosen password"]
    path = f"/invite/{token}"

    def prepare(i):
        browser = _browser(live_server)
        return browser, form_of(browser, path)

    def send(i, prepared):
        browser, form = prepared
        data = {**form, "password": passwords[i], "confirm": passwords[i]}
        try:
            return browser.post(path, data=data)
        finally:
            browser.close()

    responses = _at_once(2, prepare, send)

    assert sorted(r.status_code for r in responses) == [303, 404], responses
    winner = passwords[[r.status_code for r in responses].index(303)]
    loser = next(r for r in responses if r.status_code == 404)
    assert "This link no longer works" in loser.text
    with Session(engine) as session:
        stored = session.get(User, invited.id).password_hash
        assert verify_password(winner, stored)[0]
        assert not verify_password(next(p for p in passwords if p != winner), stored)[0]
        changes = session.exec(select(AuditEvent).where(AuditEvent.action == "set_password"))
        assert len(changes.all()) == 1


def test_one_unsubscribe_link_clicked_twice_at_once_stops_it_once(live_server, engine, accounts):
    with session_scope(engine) as session:
        viewer = session.get(User, accounts["viewer"].id)
        subscription_id = factories.subscription(session, viewer, generation=7).id
    settings = Settings(env="test")
    path = f"/digests/unsubscribe/{unsubscribe_token(settings, subscription_id, 7)}"

    def send(i, browser):
        try:
            return browser.post(path, data={"List-Unsubscribe": "One-Click"})
        finally:
            browser.close()

    responses = _at_once(2, lambda i: _browser(live_server), send)

    assert sorted(r.status_code for r in responses) == [200, 410], responses
    with Session(engine) as session:
        stored = session.get(Subscription, subscription_id)
        assert (stored.active, stored.generation) == (False, 8)
