"""audit event kind time

Revision ID: f3b7c9d1e5a2
Revises: 063c5022534e
Create Date: 2026-11-29 08:30:00

The events of some kinds between two moments, with their projects, from one index: the
projects retagged between two days of a comparison.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f3b7c9d1e5a2"
down_revision: str | None = "063c5022534e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_audit_event_kind_time",
        "audit_event",
        ["entity_type", "occurred_at", "project_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_kind_time", table_name="audit_event")
