"""coverage cube

Revision ID: b51e0c7d2a44
Revises: 7683c1a2d178
Create Date: 2026-11-28 04:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b51e0c7d2a44'
down_revision: str | None = '7683c1a2d178'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The cube starts stale: the first write on a small portfolio, or
    # `tracker coverage rebuild` on a large one, fills it.
    op.create_table('coverage_cell',
    sa.Column('floor', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('programme_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rows', sa.String(length=12), nullable=False),
    sa.Column('cols', sa.String(length=12), nullable=False),
    sa.Column('row_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('col_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('principal', sa.Integer(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('floor', 'status', 'programme_id', 'rows', 'cols', 'row_id', 'col_id', name=op.f('pk_coverage_cell'))
    )


def downgrade() -> None:
    op.drop_table('coverage_cell')
