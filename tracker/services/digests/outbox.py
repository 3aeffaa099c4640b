"""The outbox: digests are written first, then delivered, retried and never lost.

Enqueuing is exactly once per subscription and period: the row is unique on (subscription,
period end), so a second scheduler that builds the same digest fails to insert it and moves on.
Delivery is at least once with a stable Message-ID: a sender that dies after the SMTP server
accepted a message but before marking it sent leaves the row claimed; when its lease runs out
another sender sends it again with the same Message-ID, which mail clients use to drop the copy.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from inspect import signature
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker import locales
from tracker.config import Settings
from tracker.models import OutboxMessage, Subscription, User
from tracker.models._base import utcnow
from tracker.services import mail
from tracker.services.digests.content import Scope, build_digest, take_snapshot
from tracker.services.digests.render import RenderedDigest, render_digest, subscriber_language
from tracker.services.digests.schedule import latest_due, period_length
from tracker.services.digests.subscriptions import scope_of, unsubscribe_token
from tracker.services.errors import NotFound

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def unsubscribe_url(settings: Settings, subscription: Subscription) -> str:
    """The link stops this subscription while it stays in its present generation."""
    token = unsubscribe_token(settings, subscription.id, subscription.generation)
    return f"{settings.public_url}/digests/unsubscribe/{token}"


def render_for(
    *,
    session: Session,
    settings: Settings,
    subscription: Subscription,
    user: User,
    start: datetime,
    end: datetime,
    locale: str | None = None,
):
    """The digest of a subscription for a period, written in `locale`: by default its
    subscriber's language (the one chosen on their account, else English)."""
    from tracker.services.framework.translations import framework_names

    locale = locale or subscriber_language(user)
    digest = build_digest(
        session=session, scope=scope_of(subscription), period_start=start, period_end=end
    )
    rendered = render_digest(
        digest=digest,
        recipient_name=user.full_name,
        base_url=settings.public_url,
        unsubscribe_url=unsubscribe_url(settings, subscription),
        frequency=subscription.frequency,
        locale=locale,
        names=framework_names(session=session, locale=locale),
    )
    return digest, rendered


def period_of(subscription: Subscription, now: datetime) -> tuple[datetime, datetime]:
    """(start, end) of the latest period due: from the end of the last digest, or from one
    period before the first due time, to the latest due time."""
    end = latest_due(
        frequency=subscription.frequency,
        weekday=subscription.weekday,
        hour=subscription.hour,
        timezone=subscription.timezone,
        now=now,
    )
    start = subscription.last_period_end or max(
        subscription.created_at, end - period_length(subscription.frequency)
    )
    return start, end


def board_pack_due(subscription: Subscription, start: datetime, end: datetime) -> bool:
    """A subscriber who chose the board pack receives it with the first digest of each month
    (in their time zone): the one whose period reaches into a new month."""
    if not subscription.board_pack:
        return False
    zone = ZoneInfo(subscription.timezone)
    first, last = (
        (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(zone) for t in (start, end)
    )
    return (first.year, first.month) != (last.year, last.month)


def board_pack_of(session: Session, scope: Scope, locale: str = locales.DEFAULT) -> bytes:
    """The board pack (PDF) of a subscriber's programmes and region, now, in their language
    where the board pack can be written in it."""
    from tracker.fields import read_params
    from tracker.services.coverage.params import CoverageParams
    from tracker.services.reports.board_pack import build_board_pack

    params = read_params(CoverageParams, scope.params)
    # The subscriber's language, once build_board_pack takes `locale` (English until then).
    language = {"locale": locale} if "locale" in signature(build_board_pack).parameters else {}
    return build_board_pack(session=session, params=params, **language).pdf


def board_pack_name(period_end: datetime) -> str:
    return f"board-pack-{period_end.date().isoformat()}.pdf"


def enqueue_due(*, engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Write the digest of every subscription whose period has ended; returns how many."""
    now = now or utcnow()
    written = 0
    with Session(engine) as session:
        ids = session.execute(select(Subscription.id).where(Subscription.active)).scalars().all()
    for subscription_id in ids:
        with Session(engine, expire_on_commit=False) as session:
            subscription = session.get(Subscription, subscription_id)
            if subscription is None or not subscription.active:
                continue
            user = session.get(User, subscription.user_id)
            if user is None or not user.active:
                continue
            start, end = period_of(subscription, now)
            if start >= end:
                continue
            digest, rendered = render_for(
                session=session,
                settings=settings,
                subscription=subscription,
                user=user,
                start=start,
                end=end,
            )
            skip = digest.quiet and subscription.quiet == "skip"
            row = _outbox_row(settings, subscription, user, start, end, rendered, skip=skip)
            row.next_attempt_at = now
            if not skip and board_pack_due(subscription, start, end):
                row.attachment = board_pack_of(
                    session, scope_of(subscription), subscriber_language(user)
                )
            session.add(row)
            subscription.last_period_end = end
            session.add(subscription)
            try:
                session.commit()
            except IntegrityError:
                # Another scheduler wrote this period first: that one is the digest.
                session.rollback()
                continue
            written += 1
    return written


def _outbox_row(settings, subscription, user, start, end, rendered: RenderedDigest, *, skip: bool):
    stamp = end.strftime("%Y%m%dT%H%M")
    return OutboxMessage(
        subscription_id=subscription.id,
        period_start=start,
        period_end=end,
        recipient=user.email,
        subject=rendered.subject,
        message_id=f"<digest.{subscription.id}.{stamp}.{secrets.token_hex(6)}@{mail.sender_domain(settings)}>",
        body_text=rendered.text,
        body_html=rendered.html,
        status="skipped" if skip else "pending",
    )


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claimable(now: datetime, settings: Settings):
    lease = now - timedelta(minutes=settings.outbox_lease_minutes)
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        # A sender that claimed a message and never finished: its lease has run out.
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < lease),
    )


def claim(
    *, engine: Engine, settings: Settings, now: datetime, worker: str = WORKER, limit: int = 50
) -> list[int]:
    """Take messages to send, so that no other sender takes the same ones."""
    condition = _claimable(now, settings)
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            ids = (
                session.execute(
                    select(OutboxMessage.id)
                    .where(condition)
                    .order_by(OutboxMessage.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            if ids:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(status="sending", claimed_at=now, claimed_by=worker)
                )
            session.commit()
            return list(ids)
        # SQLite has one writer at a time: claim each row with a compare-and-set.
        candidates = (
            session.execute(
                select(OutboxMessage.id).where(condition).order_by(OutboxMessage.id).limit(limit)
            )
            .scalars()
            .all()
        )
        claimed = []
        for message_id in candidates:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, condition)
                .values(status="sending", claimed_at=now, claimed_by=worker)
            )
            session.commit()
            if result.rowcount == 1:
                claimed.append(message_id)
        return claimed


def send_due(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    worker: str = WORKER,
    after_accept: Callable[[OutboxMessage], None] | None = None,
) -> SendReport:
    """Send what is due. `after_accept` runs between the SMTP server's acceptance and the
    mark: the moment a crash would lose track, which the tests reproduce."""
    now = now or utcnow()
    report = SendReport()
    for message_id in claim(engine=engine, settings=settings, now=now, worker=worker):
        with Session(engine, expire_on_commit=False) as session:
            row = session.get(OutboxMessage, message_id)
            subscription = session.get(Subscription, row.subscription_id)
            message = mail.build_message(
                settings=settings,
                recipient=row.recipient,
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                message_id=row.message_id,
                unsubscribe_url=unsubscribe_url(settings, subscription),
                attachment=(
                    (board_pack_name(row.period_end), row.attachment) if row.attachment else None
                ),
            )
            try:
                mail.send(settings=settings, message=message)
            except Exception as exc:  # any refusal or failure is recorded and retried
                _record_failure(row, exc, now, settings)
                report.failed += row.status == "failed"
                report.retrying += row.status == "pending"
                session.add(row)
                session.commit()
                log.warning("digest %s to %s not sent: %s", row.id, row.recipient, exc)
                continue
            if after_accept is not None:
                after_accept(row)
            row.status, row.sent_at, row.last_error = "sent", utcnow(), None
            session.add(row)
            session.commit()
            report.sent += 1
    return report


def _record_failure(row: OutboxMessage, exc: Exception, now: datetime, settings: Settings) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    row.claimed_at = row.claimed_by = None
    if row.attempts >= settings.outbox_max_attempts:
        row.status = "failed"
    else:
        row.status = "pending"
        delay = settings.outbox_retry_seconds * 2 ** (row.attempts - 1)
        row.next_attempt_at = now + timedelta(seconds=min(delay, 6 * 3600))


def retry(*, session: Session, message_id: int, now: datetime | None = None) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("message")
    row.status, row.attempts, row.last_error = "pending", 0, None
    row.next_attempt_at = now or utcnow()
    session.add(row)
    return row


def undelivered(*, session: Session) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.status.in_(["failed", "pending", "sending"]))
            .order_by(OutboxMessage.status, OutboxMessage.id)
        ).scalars()
    )


# Snapshots one scheduled run stores at most, newest first: a run stays short however long the
# history, and the next runs (hourly) store the older weeks; `tracker history rebuild` stores
# them all at once.
SNAPSHOTS_PER_RUN = 8


def take_weekly_snapshots(*, engine: Engine, now: datetime | None = None) -> int:
    """The coverage snapshot of the week for the whole portfolio and every scope in use, and
    earlier weeks' missing ones (coverage as of the Sunday before each week), a few per run."""
    from tracker.services.digests.backfill import backfill as backfill_snapshots
    from tracker.services.history import follow

    now = now or utcnow()
    week = now.date() - timedelta(days=now.weekday())
    with Session(engine) as session:
        fresh = follow.is_fresh(session)
    if fresh:
        return backfill_snapshots(engine, today=now.date(), limit=SNAPSHOTS_PER_RUN)
    return _snapshots(engine, week)


def _snapshots(engine: Engine, week: date) -> int:
    stored = 0
    with Session(engine) as session:
        scopes = {Scope()} | {
            scope_of(s)
            for s in session.execute(select(Subscription).where(Subscription.active)).scalars()
        }
    for scope in sorted(scopes, key=lambda s: s.key):
        with Session(engine) as session:
            try:
                stored += take_snapshot(session=session, scope=scope, week=week)
                session.commit()
            except IntegrityError:
                session.rollback()  # another scheduler took it
    return stored
