"""Database schema: Alembic upgrades and downgrades, and a check that models match migrations."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import tracker.models  # noqa: F401
from tracker.config import PROJECT_ROOT

SEARCH_WORDS = "search_words"  # PostgreSQL: project's words, a generated tsvector column


def outside_models(obj, name, type_, reflected, compare_to) -> bool:
    """Objects the migrations make by hand for searching (SQLite's FTS5 tables and their shadow
    tables, PostgreSQL's words column and its index, trigram indexes): not described by the
    models, so not compared."""
    return not (
        name
        and (name.startswith("project_search") or name.endswith("_trgm") or name == SEARCH_WORDS)
    )


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(*, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(*, database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_revision(*, engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def pending_changes(*, engine: Engine) -> list:
    """What autogenerate would write now: empty when the migrations match the models."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": outside_models,
            },
        )
        return compare_metadata(context, SQLModel.metadata)
