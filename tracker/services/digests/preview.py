"""A digest as it would be sent now, without writing or sending anything."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.config import Settings
from tracker.models import OutboxMessage, Subscription, User
from tracker.models._base import utcnow
from tracker.services.digests.outbox import render_for
from tracker.services.digests.render import RenderedDigest
from tracker.services.digests.schedule import period_length
from tracker.services.errors import NotFound


def preview(
    *,
    session: Session,
    settings: Settings,
    subscription: Subscription,
    locale: str | None = None,
) -> RenderedDigest:
    """The next digest: from the end of the last one (or one period ago) until now, in
    `locale` (the reader's language on a page), by default its subscriber's language."""
    user = session.get(User, subscription.user_id)
    end = utcnow()
    start = subscription.last_period_end or end - period_length(subscription.frequency)
    return render_for(
        session=session,
        settings=settings,
        subscription=subscription,
        user=user,
        start=start,
        end=end,
        locale=locale,
    )[1]


def preview_for_email(*, session: Session, settings: Settings, email: str) -> RenderedDigest:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("account")
    subscription = session.exec(
        select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id)
    ).first()
    if subscription is None:
        # No subscription yet: show what the default weekly digest would say.
        subscription = Subscription(id=0, user_id=user.id)
    return preview(session=session, settings=settings, subscription=subscription)


def past_digests(*, session: Session, user: User, limit: int = 30) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage)
            .join(Subscription, Subscription.id == OutboxMessage.subscription_id)
            .where(
                Subscription.user_id == user.id,
                OutboxMessage.status.in_(["sent", "pending", "sending"]),
            )
            .order_by(OutboxMessage.period_end.desc())
            .limit(limit)
        )
    )


def own_message(*, session: Session, user: User, message_id: int) -> OutboxMessage:
    row = session.get(OutboxMessage, message_id)
    subscription = session.get(Subscription, row.subscription_id) if row else None
    if row is None or subscription is None or subscription.user_id != user.id:
        raise NotFound("digest")
    return row
