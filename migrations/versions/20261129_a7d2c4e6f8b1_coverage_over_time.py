"""coverage over time: project versions, coverage changes by day, the board pack by mail

Revision ID: a7d2c4e6f8b1
Revises: a1c3e5f7b9d2
Create Date: 2026-11-29 02:00:00

Each project's state over runs of days (its fields, tags and places), and how the figures of
active projects moved each day, so that coverage can be shown as of any date. Both start empty:
`tracker history rebuild` (which `tracker setup` runs) fills them from the audit trail and the
projects' dates. Subscribers may ask for the board pack with the month's first digest.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a7d2c4e6f8b1'
down_revision: str | None = 'a1c3e5f7b9d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('project_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('budget_amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('budget_currency', sa.String(length=3), nullable=True),
    sa.Column('screened', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_version'))
    )
    op.create_index('ix_project_version_project_valid', 'project_version', ['project_id', 'valid_to'])
    op.create_index('ix_project_version_days', 'project_version', ['valid_from', 'valid_to'])
    for table, item in (('objective_tag_version', 'objective_id'), ('theme_tag_version', 'theme_id')):
        op.create_table(table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column(item, sa.Integer(), nullable=False),
        sa.Column('significance', sa.SmallInteger(), nullable=False),
        sa.Column('budget_share', sa.Numeric(precision=5, scale=2), nullable=True),
        sa.ForeignKeyConstraint(['version_id'], ['project_version.id'], name=op.f(f'fk_{table}_version_id_project_version'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}'))
        )
        op.create_index(op.f(f'ix_{table}_version_id'), table, ['version_id'])
    op.create_table('location_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('country_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('percentage', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['project_version.id'], name=op.f('fk_location_version_version_id_project_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location_version'))
    )
    op.create_index(op.f('ix_location_version_version_id'), 'location_version', ['version_id'])
    op.create_table('coverage_change',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.String(length=12), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('col_id', sa.Integer(), nullable=False),
    sa.Column('projects', sa.Integer(), nullable=False),
    sa.Column('principal', sa.Integer(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('id_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_change'))
    )
    op.create_index('ix_coverage_change_rows_day', 'coverage_change', ['rows', 'day'])
    # Plain ADD COLUMN on SQLite too: copying the tables would cascade to their rows.
    op.add_column('subscription', sa.Column('board_pack', sa.Boolean(), server_default='0', nullable=False))
    op.add_column('outbox_message', sa.Column('attachment', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE outbox_message DROP COLUMN attachment')
        op.execute('ALTER TABLE subscription DROP COLUMN board_pack')
    else:
        op.drop_column('outbox_message', 'attachment')
        op.drop_column('subscription', 'board_pack')
    op.drop_index('ix_coverage_change_rows_day', table_name='coverage_change')
    op.drop_table('coverage_change')
    for table in ('location_version', 'theme_tag_version', 'objective_tag_version'):
        op.drop_index(op.f(f'ix_{table}_version_id'), table_name=table)
        op.drop_table(table)
    op.drop_index('ix_project_version_days', table_name='project_version')
    op.drop_index('ix_project_version_project_valid', table_name='project_version')
    op.drop_table('project_version')
