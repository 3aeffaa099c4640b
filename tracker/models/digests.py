"""Digest subscriptions, the outbox of messages, and weekly coverage snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from tracker.models._base import JSONDocument, UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    __tablename__ = "subscription"
    __table_args__ = (
        CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name="frequency_allowed"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("hour BETWEEN 0 AND 23", name="hour_range"),
        CheckConstraint("quiet IN ('line', 'skip')", name="quiet_allowed"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    frequency: str = Field(default="weekly", max_length=10)
    weekday: int = Field(default=0)  # Monday; weekly digests only
    hour: int = Field(default=8)
    timezone: str = Field(default="UTC", max_length=64)
    # Scope: programme codes (none: all) and one region code (none: everywhere).
    programmes: list[str] = Field(default_factory=list, sa_type=JSONDocument)
    region: str | None = Field(default=None, max_length=10)
    quiet: str = Field(default="line", max_length=10)  # a quiet period: one line, or nothing
    # The board pack (PDF) attached to the first digest of each month.
    board_pack: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    active: bool = Field(default=True)
    # Moves on whenever the subscription is stopped or started again: an unsubscribe link
    # names the generation it was sent in and works only while that generation lasts.
    generation: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The end of the last period a digest was written for; the next one starts here.
    last_period_end: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMessage(SQLModel, table=True):
    """A digest written before it is sent: one per subscription and period, whatever runs."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period_end"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'skipped')", name="status_allowed"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("subscription.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    period_start: datetime = Field(sa_type=UTCDateTime)
    period_end: datetime = Field(sa_type=UTCDateTime)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=300, unique=True)
    body_text: str = Field(sa_type=Text)
    body_html: str = Field(sa_type=Text)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = Field(default=None, max_length=120)
    last_error: str | None = Field(default=None, sa_type=Text)
    # The board pack, for a subscriber who asked for it, in the month's first digest.
    attachment: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CoverageSnapshot(SQLModel, table=True):
    """Headline figures and gaps of one scope at the start of a week, kept for comparison."""

    __tablename__ = "coverage_snapshot"
    __table_args__ = (UniqueConstraint("week", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    week: date  # the Monday of the week, in UTC
    scope: str = Field(max_length=200)  # "all", or "programmes=CT,CYB;region=AFR"
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONDocument)
