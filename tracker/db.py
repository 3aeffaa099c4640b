"""Engine and sessions.

No request may hang: PostgreSQL connections carry a statement timeout, a lock timeout and an
idle-in-transaction timeout, and SQLite connections a busy timeout, so that a request that cannot
get its lock fails fast (the app answers 503 with Retry-After) instead of waiting for ever.
SQLite also gets WAL and foreign keys on every connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from tracker.config import Settings, get_settings
from tracker.services.coverage.hooks import install_coverage_hooks


def make_engine(
    database_url: str,
    *,
    busy_timeout_ms: int = 5000,
    statement_timeout_ms: int = 30_000,
    lock_timeout_ms: int = 5_000,
    idle_in_transaction_timeout_ms: int = 60_000,
    echo: bool = False,
) -> Engine:
    install_coverage_hooks()
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        options = " ".join(
            f"-c {name}={int(value)}"
            for name, value in (
                ("statement_timeout", statement_timeout_ms),
                ("lock_timeout", lock_timeout_ms),
                ("idle_in_transaction_session_timeout", idle_in_transaction_timeout_ms),
            )
        )
        return create_engine(
            url,
            echo=echo,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=10,
            connect_args={"options": options},
        )

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def engine_from_settings(settings: Settings | None = None) -> Engine:
    settings = settings or get_settings()
    return make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
        idle_in_transaction_timeout_ms=settings.db_idle_in_transaction_timeout_ms,
    )


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end of the block, or rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
