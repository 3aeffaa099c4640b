"""Digests against a real SMTP server: exactly one per subscriber and period, whatever runs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlmodel import Session, select

from tests import factories
from tests.factories import NOW
from tests.waiting import wait_until
from tracker.db import make_engine, session_scope
from tracker.models import OutboxMessage
from tracker.scheduler import build_scheduler
from tracker.services.digests import outbox


def _subscribers(engine, n: int, **values) -> list[int]:
    ids = []
    with session_scope(engine) as session:
        factories.project(session)  # something to report on
        for i in range(n):
            reader = factories.user(
                session, email=f"reader{i}@example.org", full_name=f"Reader {i}"
            )
            subscription = factories.subscription(
                session, reader, created_at=datetime(2026, 9, 1, tzinfo=UTC), **values
            )
            ids.append(subscription.id)
    return ids


def _rows(engine):
    with Session(engine) as session:
        return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_two_schedulers_at_once_send_one_digest_per_subscriber(framework, smtp_server):
    _subscribers(framework, 6)
    settings = factories.digest_settings(framework, smtp_server)
    # Two scheduler processes: separate engines (connection pools) on one database.
    engines = [make_engine(framework.url.render_as_string(hide_password=False)) for _ in range(2)]
    schedulers = [build_scheduler(engine=e, settings=settings, blocking=False) for e in engines]
    # Every job runs once at the start and not again for 30 s or more: once each scheduler has
    # run each of its jobs (and stopped), everything either would send has arrived.
    jobs = {job.id for job in schedulers[0].get_jobs()}
    assert {"digests.enqueue", "digests.send"} <= jobs
    ran: list[set[str]] = [set() for _ in schedulers]
    for scheduler, done in zip(schedulers, ran, strict=True):
        scheduler.add_listener(
            lambda event, done=done: done.add(event.job_id), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        scheduler.start()
    try:
        wait_until(
            lambda: all(done >= jobs for done in ran),
            timeout=30,
            what="both schedulers to run each of their jobs",
        )
    finally:
        for scheduler in schedulers:
            scheduler.shutdown(wait=True)
        for engine in engines:
            engine.dispose()
    recipients = sorted(m["To"] for m in smtp_server.messages)
    assert recipients == [f"reader{i}@example.org" for i in range(6)]
    rows = _rows(framework)
    assert len(rows) == 6 and {r.status for r in rows} == {"sent"}


def test_two_senders_racing_on_the_outbox_send_each_once(framework, smtp_server):
    _subscribers(framework, 8)
    settings = factories.digest_settings(framework, smtp_server)
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 8
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 0  # already written
    engines = [make_engine(framework.url.render_as_string(hide_password=False)) for _ in range(2)]
    threads = [
        threading.Thread(
            target=outbox.send_due,
            kwargs={"engine": e, "settings": settings, "now": NOW, "worker": f"w{i}"},
        )
        for i, e in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"reader{i}@example.org" for i in range(8)
    )


def test_a_refusing_server_delays_but_loses_nothing(framework, smtp_server):
    _subscribers(framework, 2)
    settings = factories.digest_settings(framework, smtp_server)
    outbox.enqueue_due(engine=framework, settings=settings, now=NOW)
    smtp_server.refuse = 3  # the first three attempts are refused
    report = outbox.send_due(engine=framework, settings=settings, now=NOW)
    assert (report.sent, report.retrying) == (0, 2)
    rows = _rows(framework)
    assert {r.attempts for r in rows} == {1} and all("451" in r.last_error for r in rows)
    # Back-off: nothing is tried before the next attempt is due (60 s, then 120 s).
    assert (
        outbox.send_due(engine=framework, settings=settings, now=NOW + timedelta(seconds=30)).sent
        == 0
    )
    later = NOW + timedelta(seconds=61)
    report = outbox.send_due(engine=framework, settings=settings, now=later)
    assert (report.sent, report.retrying) == (1, 1)
    report = outbox.send_due(
        engine=framework, settings=settings, now=later + timedelta(seconds=121)
    )
    assert report.sent == 1
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "reader0@example.org",
        "reader1@example.org",
    ]
    assert {r.status for r in _rows(framework)} == {"sent"}


def test_a_message_that_keeps_failing_is_shown_to_admins_and_can_be_retried(framework, smtp_server):
    _subscribers(framework, 1)
    settings = factories.digest_settings(framework, smtp_server, outbox_max_attempts=2)
    outbox.enqueue_due(engine=framework, settings=settings, now=NOW)
    smtp_server.refuse = 10
    outbox.send_due(engine=framework, settings=settings, now=NOW)
    report = outbox.send_due(engine=framework, settings=settings, now=NOW + timedelta(hours=1))
    assert report.failed == 1
    with session_scope(framework) as session:
        failed = outbox.undelivered(session=session)
        assert [(m.status, m.attempts) for m in failed] == [("failed", 2)]
        outbox.retry(session=session, message_id=failed[0].id, now=NOW + timedelta(hours=2))
    smtp_server.refuse = 0
    assert (
        outbox.send_due(engine=framework, settings=settings, now=NOW + timedelta(hours=2)).sent == 1
    )
    assert len(smtp_server.messages) == 1


def test_a_sender_that_dies_after_the_server_accepted_sends_again_with_the_same_message_id(
    framework, smtp_server
):
    """The guarantee is at least once, with a stable Message-ID so that clients drop the copy."""
    _subscribers(framework, 1)
    settings = factories.digest_settings(framework, smtp_server, outbox_lease_minutes=10)
    outbox.enqueue_due(engine=framework, settings=settings, now=NOW)

    def die(_row):
        raise SystemExit("the sender was killed")

    with pytest.raises(SystemExit):
        outbox.send_due(engine=framework, settings=settings, now=NOW, after_accept=die)
    assert len(smtp_server.messages) == 1
    [row] = _rows(framework)
    assert row.status == "sending"  # accepted, never marked
    # Another sender leaves it alone while the lease runs...
    assert (
        outbox.send_due(engine=framework, settings=settings, now=NOW + timedelta(minutes=5)).sent
        == 0
    )
    # ...and sends it again once the lease has run out.
    assert (
        outbox.send_due(engine=framework, settings=settings, now=NOW + timedelta(minutes=11)).sent
        == 1
    )
    first, second = smtp_server.messages
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert _rows(framework)[0].status == "sent"


def test_subscribers_get_theirs_at_their_own_hour_across_daylight_saving(framework, smtp_server):
    settings = factories.digest_settings(framework, smtp_server)
    with session_scope(framework) as session:
        for email, zone in (
            ("sg@example.org", "Asia/Singapore"),
            ("ny@example.org", "America/New_York"),
        ):
            factories.subscription(
                session,
                factories.user(session, email=email, full_name=zone),
                timezone=zone,
                weekday=0,
                hour=8,
                created_at=datetime(2026, 10, 1, tzinfo=UTC),
                last_period_end=datetime(2026, 10, 19, 12, tzinfo=UTC),
            )
    # The scheduler looks every hour from 25 Oct to 10 Nov; New York leaves summer time on 1 Nov.
    moment = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    while moment < datetime(2026, 11, 10, tzinfo=UTC):
        outbox.enqueue_due(engine=framework, settings=settings, now=moment)
        outbox.send_due(engine=framework, settings=settings, now=moment)
        moment += timedelta(hours=1)
    ends = {}
    for row in _rows(framework):
        ends.setdefault(row.recipient, []).append(row.period_end)
    assert ends["sg@example.org"] == [
        datetime(2026, 10, 26, 0, tzinfo=UTC),  # 08:00 in Singapore (UTC+8, no summer time)
        datetime(2026, 11, 2, 0, tzinfo=UTC),
        datetime(2026, 11, 9, 0, tzinfo=UTC),
    ]
    assert ends["ny@example.org"] == [
        datetime(2026, 10, 19, 12, tzinfo=UTC) + timedelta(days=7),  # 08:00 EDT = 12:00 UTC
        datetime(2026, 11, 2, 13, tzinfo=UTC),  # 08:00 EST = 13:00 UTC, after the change
        datetime(2026, 11, 9, 13, tzinfo=UTC),
    ]
    assert len(smtp_server.messages) == 6
