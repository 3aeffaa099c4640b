"""People who use the tracker and what they may do."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from tracker.models._base import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    manager = "manager"
    viewer = "viewer"


class User(SQLModel, table=True):
    # "user" is a reserved word in PostgreSQL.
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_allowed"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # An account signed in with the organisation's provider is its subject at that issuer.
        Index("ix_user_account_provider_subject", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=120)
    role: str = Field(default=Role.viewer, max_length=20)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who the account is at the organisation's OpenID Connect provider, when it signs in there.
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)
    # A break-glass administrator signs in with a password even when passwords are off.
    break_glass: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The language the tracker speaks to this person (pages and digests); None: their browser's.
    language: str | None = Field(default=None, max_length=8)


class UserProgramme(SQLModel, table=True):
    """A programme whose projects a manager may edit."""

    __tablename__ = "user_programme"

    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
        )
    )
    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    )


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "user_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    client_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    # Sessions opened through the provider: its session id (for back-channel logout) and the
    # ID token it gave (the hint of RP-initiated logout).
    provider_sid: str | None = Field(default=None, max_length=255, index=True)
    provider_id_token: str | None = Field(default=None, sa_type=Text)


class LoginFailure(SQLModel, table=True):
    """A sign-in attempt, counted per account and per client address for throttling.

    Written (and committed) before the password is checked, so that simultaneous guesses are
    all counted; a successful sign-in removes its account's rows, so what stays are failures.
    Kept in the database so that every worker and instance sees the same count.
    """

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client_address: str = Field(max_length=64, index=True)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LoginThrottle(SQLModel, table=True):
    """One row per throttled key ("account:<email>", "address:<client>"), written first by every
    attempt on that key: PostgreSQL locks the row and SQLite the database until the attempt is
    counted and committed, so simultaneous attempts are counted one after another."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=300)
    touched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API: shown once, stored as its SHA-256."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InviteToken(SQLModel, table=True):
    """A one-time link with which an invited person (or one who forgot) sets a password."""

    __tablename__ = "invite_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProviderSignIn(SQLModel, table=True):
    """A sign-in with the provider, started and not yet finished: what its callback must bring
    back (the state, bound to the browser that started it) and what finishing it needs (the
    nonce, the PKCE verifier, where to go next). Used once: the callback deletes it."""

    __tablename__ = "provider_sign_in"

    state_hash: str = Field(primary_key=True, max_length=64)
    browser_hash: str = Field(max_length=64)
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    next_path: str = Field(default="/", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class GroupMapping(SQLModel, table=True):
    """A rule set on the administration page: people in `group` at the provider are given
    `role` (a manager rule, one programme per row)."""

    __tablename__ = "group_mapping"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'viewer')", name="role_allowed"),
        CheckConstraint(
            "(role = 'manager') = (programme_id IS NOT NULL)", name="programme_for_managers"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_name: str = Field(max_length=255, index=True)
    role: str = Field(max_length=20)
    programme_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("programme.id", ondelete="CASCADE"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
