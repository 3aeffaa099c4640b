"""Settings, read once from TRACKER_* environment variables (and an optional .env file)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from babel.numbers import is_currency
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where the templates, static files, seeds and migrations are: beside the package in a source
# checkout; TRACKER_HOME where the package is installed on its own (the image installs a wheel
# and keeps them in /app).
PROJECT_ROOT = Path(os.environ.get("TRACKER_HOME") or Path(__file__).resolve().parent.parent)
PLACEHOLDER_SECRET = "dev-only-change-me"


ROLE_ORDER = ("viewer", "manager", "admin")


@dataclass(frozen=True)
class GroupRule:
    """A group of the provider and the role (and, for a manager, programmes) it gives."""

    group: str
    role: str
    programmes: tuple[str, ...] = ()


def group_rules(text: str) -> list[GroupRule]:
    """Rules written as "tracker-admins=admin; tracker-cyb=manager:CYB,FCAC; staff=viewer"
    (";" or line breaks between rules); a ValueError names the first that is wrong."""
    rules = []
    for entry in re.split(r"[;\n]", text):
        entry = entry.strip()
        if not entry:
            continue
        group, equals, granted = entry.rpartition("=")
        role, _, codes = granted.strip().partition(":")
        role = role.strip().lower()
        programmes = tuple(c.strip().upper() for c in codes.split(",") if c.strip())
        if not equals or not group.strip() or role not in ROLE_ORDER:
            raise ValueError(
                f'"{entry}" is not a rule; write group=admin, group=viewer or '
                "group=manager:CODE,CODE"
            )
        if (role == "manager") != bool(programmes):
            raise ValueError(
                f'"{entry}": a manager rule names its programmes (group=manager:CYB), '
                "and only a manager rule does"
            )
        rules.append(GroupRule(group.strip(), role, programmes))
    return rules


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Addresses (or networks, CIDR) whose X-Forwarded-For and X-Forwarded-Proto are believed:
    # the reverse proxy's alone. Anyone else's are ignored, so nobody can pose as another
    # address (login throttling counts by address) or claim https.
    forwarded_allow_ips: str = "127.0.0.1"
    # The address people reach the tracker at; links in emails and invitations use it.
    base_url: str = ""
    # Host names the tracker answers to, comma-separated ("*.example.org" allowed); by default
    # the host of TRACKER_BASE_URL and this machine's own names.
    allowed_hosts: str = ""
    # Largest request body: forms and JSON, and uploads (an import file and its form).
    max_body_bytes: int = Field(default=2_000_000, ge=10_000)
    secret_key: str = PLACEHOLDER_SECRET
    # Budgets are converted to this currency (ISO 4217) for coverage, gaps, digests and exports;
    # currency rates are stored relative to it.
    reporting_currency: str = "EUR"
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # PostgreSQL: how long one statement, one wait for a lock, and an idle open transaction may
    # last before the database ends them (0 turns one off).
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)
    db_lock_timeout_ms: int = Field(default=5_000, ge=0)
    db_idle_in_transaction_timeout_ms: int = Field(default=60_000, ge=0)
    # Seconds a stopping server gives requests in flight before it closes them.
    graceful_shutdown_seconds: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    # TRACKER_LANGUAGE (en, fr, es or ar) is the language of the `tracker` command, in place of
    # the terminal's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); any other value is refused. The
    # command reads it (tracker.locales.from_environment) before any setting; pages are in each
    # reader's language, never this one.

    # Signing in
    session_idle_minutes: int = Field(default=120, ge=1)
    session_max_hours: int = Field(default=12, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    invite_valid_days: int = Field(default=7, ge=1)
    # Argon2id costs (OWASP's recommended minimum is 2 passes over 19 MiB).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    # Mail and digests
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=30, gt=0)
    mail_from: str = "Portfolio Alignment Tracker <tracker@localhost>"
    embedded_scheduler: bool = False
    outbox_max_attempts: int = Field(default=6, ge=1)
    outbox_retry_seconds: int = Field(default=60, ge=1)
    outbox_lease_minutes: int = Field(default=10, ge=1)
    # Imports
    import_max_bytes: int = Field(default=20_000_000, ge=1000)
    import_max_unpacked_bytes: int = Field(default=200_000_000, ge=1000)
    # IATI export: who publishes the activities.
    iati_reporting_org_ref: str = "XI-TRACKER"
    iati_reporting_org_name: str = "Portfolio Alignment Tracker"
    iati_reporting_org_type: str = "40"  # multilateral
    # Serve cookies with Secure even on plain http (behind a proxy that ends TLS).
    secure_cookies: bool = False
    # Signing in with the organisation's OpenID Connect provider (on when issuer and client are
    # set). Group rules: "group=role" or "group=manager:CODE,CODE", separated by ";" or lines.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_button_label: str = Field(default="your organisation account", max_length=80)
    oidc_roles_claim: str = "groups"
    oidc_group_roles: str = ""
    # What a person none of whose groups is mapped becomes: refused ("none") or a viewer.
    oidc_default_role: Literal["none", "viewer"] = "none"
    oidc_timeout_seconds: float = Field(default=10, gt=0, le=120)
    # Passwords kept by the tracker; when false, only break-glass administrators use one.
    local_passwords: bool = True
    # Tag suggestions: how often the scheduler looks for changed projects or tags to retrain.
    suggest_train_seconds: int = Field(default=60, ge=10)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, value: str) -> str:
        # A plain postgresql:// URL would ask SQLAlchemy for psycopg2, which is not installed.
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_networks(cls, value: str) -> str:
        entries = [part.strip() for part in value.split(",") if part.strip()]
        for entry in entries:
            if entry == "*":
                raise ValueError(
                    "must name the reverse proxy's addresses or networks, not *: with * "
                    "anyone can claim any address"
                )
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f'"{entry[:60]}" is not an IP address or network (such as 172.30.0.10 or '
                    "172.30.0.0/24)"
                ) from None
        return ",".join(entries)

    @field_validator("reporting_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        code = value.strip().upper()
        if not (len(code) == 3 and code.isascii() and code.isalpha() and is_currency(code)):
            raise ValueError("must be a three-letter ISO 4217 code such as EUR or USD")
        return code

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_url(cls, value: str) -> str:
        # Kept exactly as given: the provider's tokens must name it the same way.
        value = value.strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must be the provider's address, such as https://login.example.org")
        return value

    @field_validator("oidc_scopes")
    @classmethod
    def _openid_scope(cls, value: str) -> str:
        scopes = value.split()
        if "openid" not in scopes:
            raise ValueError('must include "openid", such as "openid email profile"')
        return " ".join(scopes)

    @field_validator("oidc_group_roles")
    @classmethod
    def _group_roles(cls, value: str) -> str:
        group_rules(value)  # raises ValueError naming the rule that is wrong
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            raise ValueError(
                "TRACKER_OIDC_ISSUER and TRACKER_OIDC_CLIENT_ID are set together, or neither"
            )
        if not self.local_passwords and not self.oidc_enabled:
            raise ValueError(
                "TRACKER_LOCAL_PASSWORDS=false needs an OpenID Connect provider "
                "(TRACKER_OIDC_ISSUER and TRACKER_OIDC_CLIENT_ID)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.env == "production" and (
            self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "TRACKER_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def trusted_hosts(self) -> list[str]:
        if self.allowed_hosts.strip():
            return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]
        hosts = ["localhost", "127.0.0.1", "::1"]
        if self.base_url:
            hosts.append(urlsplit(self.base_url).hostname or "localhost")
        if self.host not in ("0.0.0.0", "::"):
            hosts.append(self.host)
        if self.env == "test":
            hosts.append("testserver")
        return hosts

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def oidc_origin(self) -> str:
        """The provider's origin (scheme, host and port), or nothing when it is not set up."""
        if not self.oidc_enabled:
            return ""
        parts = urlsplit(self.oidc_issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def oidc_rules(self) -> list[GroupRule]:
        return group_rules(self.oidc_group_roles)

    @property
    def public_url(self) -> str:
        return self.base_url.rstrip("/") or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
