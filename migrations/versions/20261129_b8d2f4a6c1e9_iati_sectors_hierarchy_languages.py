"""iati: sectors, hierarchy links, narrative languages, partial imports

Revision ID: b8d2f4a6c1e9
Revises: a3d5f7b9c1e2
Create Date: 2026-11-29 09:00:00

Projects keep the DAC sectors of their IATI activity, the activities of its publisher's
hierarchy it is linked to (its parent, its children), the language of its title and summary,
and its level in that hierarchy. An import job remembers the level chosen and whether the
activities that cannot be imported are skipped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b8d2f4a6c1e9"
down_revision: str | None = "a3d5f7b9c1e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROJECT_COLUMNS = ("title_language", "summary_language", "iati_hierarchy")
JOB_COLUMNS = ("iati_level", "skip_invalid")


def upgrade() -> None:
    # Plain ADD COLUMN on SQLite too: copying the project table would cascade to its tags and
    # places, and drop its search triggers.
    op.add_column(
        "project", sa.Column("title_language", sqlmodel.AutoString(length=20), nullable=True)
    )
    op.add_column(
        "project", sa.Column("summary_language", sqlmodel.AutoString(length=20), nullable=True)
    )
    op.add_column("project", sa.Column("iati_hierarchy", sa.SmallInteger(), nullable=True))
    op.add_column("import_job", sa.Column("iati_level", sa.SmallInteger(), nullable=True))
    op.add_column(
        "import_job",
        sa.Column("skip_invalid", sa.Boolean(), server_default=sa.false(), nullable=False),
    )

    op.create_table(
        "project_sector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.AutoString(length=5), nullable=False),
        sa.Column("percentage", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.CheckConstraint("length(code) = 5", name=op.f("ck_project_sector_code_five_digits")),
        sa.CheckConstraint(
            "percentage IS NULL OR (percentage >= 0 AND percentage <= 100)",
            name=op.f("ck_project_sector_percentage_range"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_sector_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_sector")),
        sa.UniqueConstraint("project_id", "code", name=op.f("uq_project_sector_project_id_code")),
    )
    op.create_index(
        op.f("ix_project_sector_project_id"), "project_sector", ["project_id"], unique=False
    )

    op.create_table(
        "project_related_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.SmallInteger(), nullable=False),
        sa.Column("ref", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("title", sqlmodel.AutoString(length=200), nullable=True),
        sa.CheckConstraint(
            "relation IN (1, 2)", name=op.f("ck_project_related_activity_relation_allowed")
        ),
        sa.CheckConstraint(
            "length(ref) > 0", name=op.f("ck_project_related_activity_ref_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_related_activity_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_related_activity")),
        sa.UniqueConstraint(
            "project_id",
            "relation",
            "ref",
            name=op.f("uq_project_related_activity_project_id_relation_ref"),
        ),
    )
    op.create_index(
        op.f("ix_project_related_activity_project_id"),
        "project_related_activity",
        ["project_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_project_related_activity_ref"), "project_related_activity", ["ref"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_related_activity_ref"), table_name="project_related_activity")
    op.drop_index(
        op.f("ix_project_related_activity_project_id"), table_name="project_related_activity"
    )
    op.drop_table("project_related_activity")
    op.drop_index(op.f("ix_project_sector_project_id"), table_name="project_sector")
    op.drop_table("project_sector")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in (("import_job", JOB_COLUMNS), ("project", PROJECT_COLUMNS)):
        for column in columns:
            if sqlite:
                op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            else:
                op.drop_column(table, column)
