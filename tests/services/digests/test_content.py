"""What a digest says, as it arrives at the SMTP server, and the unsubscribe link in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bs4 import BeautifulSoup
from sqlmodel import Session, select

from tests import factories
from tests.factories import NOW
from tracker.db import session_scope
from tracker.models import OutboxMessage, Subscription
from tracker.services.digests import outbox
from tracker.services.digests.content import Scope, build_digest, take_snapshot


def _subscribe(engine, **values) -> int:
    with session_scope(engine) as session:
        director = factories.user(session, email="director@example.org", full_name="Dana Director")
        return factories.subscription(
            session,
            director,
            created_at=datetime(2026, 9, 1, tzinfo=UTC),
            last_period_end=NOW - timedelta(days=10),
            **values,
        ).id


def _activity(engine, when: datetime) -> None:
    with session_scope(engine) as session:
        project = factories.project(
            session,
            code="CYB-2026-0500",
            title="Cyber fora advocacy",
            budget_amount=Decimal(100_000),
            # It starts as it is registered: coverage as of an earlier day counts a project from
            # its start date, and one that started earlier would change last week's figures.
            start_date=when.date(),
        )
        factories.objective_tag(session, project, "4.4", significance=2)
        factories.audit_event(
            session, project, actor_label="Ana Costa", action="create", occurred_at=when
        )
        factories.audit_event(
            session,
            project,
            actor_label="Ana Costa",
            action="tag",
            entity_type="objective_tag",
            entity_key=f"{project.code} 4.4",
            after={"code": "4.4", "name": "Advocacy in cyber fora", "significance": 2},
            occurred_at=when,
        )


def test_the_digest_that_arrives(framework, smtp_server, client_factory):
    subscription_id = _subscribe(framework)
    with session_scope(framework) as session:
        take_snapshot(session=session, scope=Scope(), week=(NOW - timedelta(days=9)).date())
    with Session(framework) as session:  # the snapshot was taken before the activity
        snapshot_time = NOW - timedelta(days=10, hours=1)
        from tracker.models import CoverageSnapshot

        row = session.exec(select(CoverageSnapshot)).one()
        row.taken_at = snapshot_time
        session.add(row)
        session.commit()
    _activity(framework, NOW - timedelta(days=3))
    settings = factories.digest_settings(framework, smtp_server)
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 1
    assert outbox.send_due(engine=framework, settings=settings, now=NOW).sent == 1

    [message] = smtp_server.messages
    assert message["To"] == "director@example.org"
    assert message["From"] == "Tracker <digests@tracker.example.org>"
    assert message["Subject"].startswith("Weekly portfolio digest, Nov 2, 2026: ")
    assert message["Message-ID"].endswith("@tracker.example.org>")
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(
        f"http://tracker.example.org/digests/unsubscribe/{subscription_id}."
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire the link is a plain <URL>, not folded into an encoded word.
    assert f"List-Unsubscribe: <{unsubscribe}>".encode() in smtp_server.raw[0]

    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Dana Director," in text
    # Headline figures now and since the snapshot of Oct 26, in the reporting currency (EUR).
    assert "- Active projects: 1 (+1 since Oct 26)" in text
    assert "- Budget of active projects: €100K (+€100K since Oct 26)" in text
    assert "- Gaps: " in text
    assert (
        "This is your digest for the whole portfolio, Oct 25\u2009\u2013\u2009Nov 2, 2026." in text
    )
    assert "- CYB-2026-0500 Cyber fora advocacy" in text
    assert "Ana Costa tagged 4.4 Advocacy in cyber fora as principal (CYB-2026-0500)" in text
    assert "Gap closed: 4.4 Advocacy in cyber fora" in text
    page = BeautifulSoup(html, "lxml")
    assert page.find("script") is None
    assert "New projects (1)" in page.get_text()
    heatmap = page.select_one("table.digest-heatmap")
    rows = heatmap.find_all("tr")
    assert [th.get_text(strip=True) for th in rows[0].find_all("th")][:2] == ["Goal", "AFR"]
    gpg4 = next(r for r in rows if r.th and r.th.get_text(strip=True).startswith("GPG4"))
    assert all("style" in td.attrs for td in gpg4.find_all("td"))
    assert gpg4.find_all("td")[-1].get_text(strip=True) == "1"
    # The trend by goal, as table cells (no SVG in email): a bar and its number for each week.
    assert page.find("svg") is None
    trend = page.select_one("table.digest-trend")
    days = [th.get_text(strip=True) for th in trend.find_all("tr")[0].find_all("th")][1:-1]
    assert len(days) == 8 and days[-1] == "Nov 1"
    gpg4 = next(
        r for r in trend.find_all("tr") if r.th and r.th.get_text(strip=True).startswith("GPG4")
    )
    bars = gpg4.select("td.digest-bar")
    assert [b.div.get_text(strip=True) for b in bars] == ["0"] * 7 + ["1"]
    tallest = bars[-1].find("td", attrs={"bgcolor": "#0b5cad"})
    assert tallest["height"] == "36" and "width:20px" in tallest["style"]
    assert bars[0].find("td", attrs={"bgcolor": "#0b5cad"}) is None
    assert gpg4.find_all("td")[-1].get_text(strip=True) == "+1"
    assert "ACTIVE PROJECTS BY GOAL, LAST 8 WEEKS (Sep 13 to Nov 1)" in text
    assert "GPG4      0   0   0   0   0   0   0   1  (+1)" in text
    links = [a["href"] for a in page.find_all("a")]
    assert "http://tracker.example.org/heatmap" in links and unsubscribe in links
    assert "http://tracker.example.org/trends" in links

    # The link works without signing in; following it (GET) changes nothing, POST does.
    client = client_factory()
    path = unsubscribe.replace("http://tracker.example.org", "")
    assert "Stop this digest?" in client.get(path).text
    with Session(framework) as session:
        assert session.get(Subscription, subscription_id).active
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    with Session(framework) as session:
        assert not session.get(Subscription, subscription_id).active
    assert client.post(path[:-3] + "xyz").status_code == 404  # a forged token
    # Unsubscribed: the next period brings nothing.
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW + timedelta(days=7)) == 0


def test_a_quiet_period(framework, smtp_server):
    _subscribe(framework, quiet="line")
    settings = factories.digest_settings(framework, smtp_server)
    outbox.enqueue_due(engine=framework, settings=settings, now=NOW)
    outbox.send_due(engine=framework, settings=settings, now=NOW)
    [message] = smtp_server.messages
    assert "no changes" in message["Subject"]
    assert (
        "Nothing changed in your scope in this period."
        in message.get_body(("plain",)).get_content()
    )


def test_a_quiet_period_can_send_nothing(framework, smtp_server):
    _subscribe(framework, quiet="skip")
    settings = factories.digest_settings(framework, smtp_server)
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 1
    outbox.send_due(engine=framework, settings=settings, now=NOW)
    assert smtp_server.messages == []
    with Session(framework) as session:
        assert [r.status for r in session.exec(select(OutboxMessage))] == ["skipped"]


def test_a_scoped_digest_only_reports_its_scope(framework):
    _activity(framework, NOW - timedelta(days=1))
    with session_scope(framework) as session:
        cyber = build_digest(
            session=session,
            scope=Scope(("CYB",)),
            period_start=NOW - timedelta(days=7),
            period_end=NOW,
        )
        terror = build_digest(
            session=session,
            scope=Scope(("CT",)),
            period_start=NOW - timedelta(days=7),
            period_end=NOW,
        )
    assert cyber.new_projects == ["CYB-2026-0500 Cyber fora advocacy"]
    assert terror.new_projects == [] and terror.quiet


def test_the_board_pack_arrives_once_a_month(framework, smtp_server, tmp_path):
    """A subscriber who chose the board pack finds it, a PDF of their scope, attached to the
    first digest of the month; a week inside a month brings none."""
    import subprocess

    with session_scope(framework) as session:
        director = factories.user(session, email="director@example.org", full_name="Dana Director")
        for frequency, weekday, start in (
            ("weekly", 6, datetime(2026, 10, 25, 8, tzinfo=UTC)),
            ("daily", 0, datetime(2026, 11, 3, 8, tzinfo=UTC)),
        ):
            factories.subscription(
                session,
                director,
                frequency=frequency,
                weekday=weekday,
                board_pack=True,
                programmes=["CYB"],
                created_at=datetime(2026, 9, 1, tzinfo=UTC),
                last_period_end=start,
            )
    _activity(framework, NOW - timedelta(days=40))
    settings = factories.digest_settings(framework, smtp_server)
    assert outbox.enqueue_due(engine=framework, settings=settings, now=NOW) == 2
    assert outbox.send_due(engine=framework, settings=settings, now=NOW).sent == 2

    by_end = {m["Subject"].split(", 2026")[0]: m for m in smtp_server.messages}
    monthly = by_end["Weekly portfolio digest, Nov 1"]
    [pack] = list(monthly.iter_attachments())
    assert pack.get_content_type() == "application/pdf"
    assert pack.get_filename() == "board-pack-2026-11-01.pdf"
    data = pack.get_content()
    assert data.startswith(b"%PDF-")
    (tmp_path / "pack.pdf").write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Page 1 of" in text and "CYB" in text
    # The digest itself is still there, as text and HTML.
    assert "Hello Dana Director," in monthly.get_body(("plain",)).get_content()
    assert monthly.get_body(("html",)) is not None
    inside = by_end["Daily portfolio digest, Nov 4"]
    assert list(inside.iter_attachments()) == []
