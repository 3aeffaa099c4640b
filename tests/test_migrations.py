"""Migrations go up, down and up again, and match the models exactly."""

from __future__ import annotations

from sqlalchemy import inspect

from tracker.db import make_engine
from tracker.services import schema


def test_upgrade_downgrade_upgrade_leaves_no_pending_changes(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        schema.upgrade(database_url=fresh_database_url)
        assert "project" in inspect(engine).get_table_names()
        assert schema.pending_changes(engine=engine) == []

        schema.downgrade(database_url=fresh_database_url, revision="base")
        engine.dispose()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert schema.current_revision(engine=engine) is None

        schema.upgrade(database_url=fresh_database_url)
        engine.dispose()
        assert schema.current_revision(engine=engine) is not None
        assert schema.pending_changes(engine=engine) == []
    finally:
        engine.dispose()
