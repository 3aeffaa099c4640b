"""Whether the tracker can serve: the database answers and the schema is migrated."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError


def check_database(*, engine: Engine) -> str | None:
    """None when healthy, else a short reason."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            version = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        if "alembic_version" in reason:
            return "database schema is not migrated; run `tracker db upgrade`"
        return f"database unavailable: {reason}"
    if version is None:
        return "database schema is not migrated; run `tracker db upgrade`"
    return None
