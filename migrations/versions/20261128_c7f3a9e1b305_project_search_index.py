"""project search index

Revision ID: c7f3a9e1b305
Revises: b51e0c7d2a44
Create Date: 2026-11-28 05:50:00

Searching projects looks for the typed text anywhere in the code, title, summary or donor.
PostgreSQL answers that from one trigram (pg_trgm) GIN index on the four joined by spaces (one
index, so that the planner takes it even when many titles look alike); SQLite from an FTS5
table with the trigram tokenizer, kept in step with the project table by triggers.
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'c7f3a9e1b305'
down_revision: str | None = 'b51e0c7d2a44'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("code", "title", "summary", "donor")
FIELDS = ", ".join(COLUMNS)
NEW = ", ".join(f"new.{c}" for c in COLUMNS)
OLD = ", ".join(f"old.{c}" for c in COLUMNS)
# The same expression as tracker.services.projects.listing.SEARCHED, or the index goes unused.
SEARCHED = "code || ' ' || title || ' ' || coalesce(summary, '') || ' ' || coalesce(donor, '')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_project_search_trgm ON project USING gin (({SEARCHED}) gin_trgm_ops)")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE project_search USING fts5({FIELDS}, "
        "content='project', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER project_search_insert AFTER INSERT ON project BEGIN "
        f"INSERT INTO project_search(rowid, {FIELDS}) VALUES (new.id, {NEW}); END"
    )
    op.execute(
        "CREATE TRIGGER project_search_delete AFTER DELETE ON project BEGIN "
        f"INSERT INTO project_search(project_search, rowid, {FIELDS}) "
        f"VALUES ('delete', old.id, {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER project_search_update AFTER UPDATE OF {FIELDS} ON project BEGIN "
        f"INSERT INTO project_search(project_search, rowid, {FIELDS}) "
        f"VALUES ('delete', old.id, {OLD}); "
        f"INSERT INTO project_search(rowid, {FIELDS}) VALUES (new.id, {NEW}); END"
    )
    op.execute("INSERT INTO project_search(project_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_project_search_trgm")
        return
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS project_search_{name}")
    op.execute("DROP TABLE IF EXISTS project_search")
