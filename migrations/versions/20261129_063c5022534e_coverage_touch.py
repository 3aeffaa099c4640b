"""coverage touch

Revision ID: 063c5022534e
Revises: a6af6e3dc84c
Create Date: 2026-11-29 04:45:00

The projects whose coverage each transaction changed, so that every process's attribution
index reloads those projects alone (on PostgreSQL with the writing transaction's id); the
writing transaction of each change of coverage over time, for each process's copy of them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '063c5022534e'
down_revision: str | None = 'a6af6e3dc84c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.create_table('coverage_touch',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('xid', sa.BigInteger(), nullable=True,
              server_default=sa.text('txid_current()') if postgresql else None),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_touch'))
    )
    op.create_index('ix_coverage_touch_xid', 'coverage_touch', ['xid'], unique=False)
    with op.batch_alter_table('coverage_change') as batch:
        batch.add_column(sa.Column('xid', sa.BigInteger(), nullable=True,
                         server_default=sa.text('txid_current()') if postgresql else None))
    op.create_index('ix_coverage_change_xid', 'coverage_change', ['xid'], unique=False)
    # The indexes' first epoch: until the cube is next rebuilt, every process loads once.
    op.execute(
        "INSERT INTO cache_state (key, token) VALUES ('coverage_index', 'first') "
        "ON CONFLICT (key) DO NOTHING"
    )


def downgrade() -> None:
    op.execute("DELETE FROM cache_state WHERE key = 'coverage_index'")
    op.drop_index('ix_coverage_change_xid', table_name='coverage_change')
    with op.batch_alter_table('coverage_change') as batch:
        batch.drop_column('xid')
    op.drop_index('ix_coverage_touch_xid', table_name='coverage_touch')
    op.drop_table('coverage_touch')
