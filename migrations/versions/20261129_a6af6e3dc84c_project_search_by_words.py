"""project search by words

Revision ID: a6af6e3dc84c
Revises: e91f3a6c5b27
Create Date: 2026-11-29 05:00:00

Searching projects finds words (each word typed matches the start of a word of the title,
summary or donor, ignoring case and accents) or text anywhere in the code. The earlier trigram
index over the four fields joined matched any run of three letters, which real titles share by
the thousand ("ion", "ing", "the"), so a search read most of the table.

- PostgreSQL: a tsvector of title, summary and donor, in a text search configuration of its
  own (`tracker_words`: the simple dictionary after unaccent, so no stemming and no stop
  words, as on SQLite), kept in a generated column (`search_words`, so that a search that
  reads many rows does not work out each row's words again) with a GIN index; and a trigram
  index on the code alone.
- SQLite: an FTS5 table of title, summary and donor (unicode61 with diacritics removed, prefix
  indexes for one to three letters), and the trigram FTS5 table, now of the code alone; both
  kept in step with the project table by triggers.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a6af6e3dc84c"
down_revision: str | None = "e91f3a6c5b27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WORDS = (
    "to_tsvector('tracker_words'::regconfig, "
    "title || ' ' || coalesce(summary, '') || ' ' || coalesce(donor, ''))"
)
OLD_SEARCHED = "code || ' ' || title || ' ' || coalesce(summary, '') || ' ' || coalesce(donor, '')"


def _fts5(name: str, columns: tuple[str, ...], options: str) -> None:
    fields = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {name} USING fts5({fields}, "
        f"content='project', content_rowid='id', {options})"
    )
    op.execute(
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON project BEGIN "
        f"INSERT INTO {name}(rowid, {fields}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON project BEGIN "
        f"INSERT INTO {name}({name}, rowid, {fields}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF {fields} ON project BEGIN "
        f"INSERT INTO {name}({name}, rowid, {fields}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {name}(rowid, {fields}) VALUES (new.id, {new}); END"
    )
    op.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")


def _drop_fts5(name: str) -> None:
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
    op.execute(f"DROP TABLE IF EXISTS {name}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE TEXT SEARCH CONFIGURATION tracker_words (COPY = simple)")
        op.execute(
            "ALTER TEXT SEARCH CONFIGURATION tracker_words "
            "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple"
        )
        op.execute("DROP INDEX IF EXISTS ix_project_search_trgm")
        op.execute(
            f"ALTER TABLE project ADD COLUMN search_words tsvector GENERATED ALWAYS AS ({WORDS}) "
            "STORED"
        )
        op.execute("CREATE INDEX project_search_words ON project USING gin (search_words)")
        op.execute("CREATE INDEX ix_project_code_trgm ON project USING gin (code gin_trgm_ops)")
        return
    _drop_fts5("project_search")
    _fts5("project_search", ("code",), "tokenize='trigram'")
    _fts5(
        "project_search_words",
        ("title", "summary", "donor"),
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_project_code_trgm")
        op.execute("DROP INDEX IF EXISTS project_search_words")
        op.execute("ALTER TABLE project DROP COLUMN IF EXISTS search_words")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS tracker_words")
        op.execute(
            f"CREATE INDEX ix_project_search_trgm ON project USING gin (({OLD_SEARCHED}) gin_trgm_ops)"
        )
        return
    _drop_fts5("project_search_words")
    _drop_fts5("project_search")
    _fts5("project_search", ("code", "title", "summary", "donor"), "tokenize='trigram'")
