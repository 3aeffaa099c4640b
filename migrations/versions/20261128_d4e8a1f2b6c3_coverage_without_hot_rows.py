"""coverage without hot rows

Revision ID: d4e8a1f2b6c3
Revises: c7f3a9e1b305
Create Date: 2026-11-28 17:00:00

Writers no longer lock one shared row for their whole transaction. On PostgreSQL the coverage
version becomes a sequence, moved on after each commit. The coverage cube keeps one or more rows
per cell (readers sum them): writers append their differences instead of updating rows that
others may hold, and the scheduler folds them back. The cube is derived data: it starts stale
and the first rebuild fills it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd4e8a1f2b6c3'
down_revision: str | None = 'c7f3a9e1b305'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CELL = ('floor', 'status', 'programme_id', 'rows', 'cols', 'row_id', 'col_id')


def _cell_columns() -> list[sa.Column]:
    return [
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
    ]


def upgrade() -> None:
    op.drop_table('coverage_cell')
    op.create_table(
        'coverage_cell',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        *_cell_columns(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_cell')),
    )
    op.create_index('ix_coverage_cell_cell', 'coverage_cell', list(CELL))
    op.execute("DELETE FROM cache_state WHERE key = 'coverage_cube'")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE SEQUENCE coverage_version')
        op.execute("DELETE FROM cache_state WHERE key = 'coverage'")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP SEQUENCE coverage_version')
    op.drop_index('ix_coverage_cell_cell', table_name='coverage_cell')
    op.drop_table('coverage_cell')
    op.create_table(
        'coverage_cell',
        *_cell_columns(),
        sa.PrimaryKeyConstraint(*CELL, name=op.f('pk_coverage_cell')),
    )
    op.execute("DELETE FROM cache_state WHERE key = 'coverage_cube'")
