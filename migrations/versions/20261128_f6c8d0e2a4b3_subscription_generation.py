"""subscription generation

Revision ID: f6c8d0e2a4b3
Revises: e5b7c9d1f3a2
Create Date: 2026-11-28 18:30:00

Unsubscribe links name the generation of their subscription, which moves on whenever it is
stopped or started again; a link works only in its own generation. Existing subscriptions
start at 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f6c8d0e2a4b3'
down_revision: str | None = 'e5b7c9d1f3a2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: copying the table would cascade to its outbox rows.
    op.add_column(
        'subscription',
        sa.Column('generation', sa.Integer(), server_default='1', nullable=False),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE subscription DROP COLUMN generation')
    else:
        op.drop_column('subscription', 'generation')
