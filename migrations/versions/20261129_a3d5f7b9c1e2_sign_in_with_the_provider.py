"""sign-in with the organisation's OpenID Connect provider

Revision ID: a3d5f7b9c1e2
Revises: a7d2c4e6f8b1
Create Date: 2026-11-29 09:00:00

Accounts remember who they are at the provider (issuer and subject, unique together) and
whether they are a break-glass administrator; sessions opened there keep the provider's session
id and ID token; sign-ins under way wait in provider_sign_in; group_mapping holds the rules set
on the administration page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models._base

revision: str = 'a3d5f7b9c1e2'
down_revision: str | None = 'a7d2c4e6f8b1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'provider_sign_in',
        sa.Column('state_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('browser_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('nonce', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('code_verifier', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('next_path', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('created_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_provider_sign_in')),
    )
    op.create_index(
        op.f('ix_provider_sign_in_expires_at'), 'provider_sign_in', ['expires_at'], unique=False
    )
    op.create_table(
        'group_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=True),
        sa.Column('created_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'manager', 'viewer')", name=op.f('ck_group_mapping_role_allowed')
        ),
        sa.CheckConstraint(
            "(role = 'manager') = (programme_id IS NOT NULL)",
            name=op.f('ck_group_mapping_programme_for_managers'),
        ),
        sa.ForeignKeyConstraint(
            ['programme_id'],
            ['programme.id'],
            name=op.f('fk_group_mapping_programme_id_programme'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_group_mapping')),
    )
    op.create_index(
        op.f('ix_group_mapping_group_name'), 'group_mapping', ['group_name'], unique=False
    )
    # Plain ADD COLUMN on SQLite too: copying user_account would cascade to every row that
    # refers to it.
    op.add_column(
        'user_account',
        sa.Column('oidc_issuer', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    )
    op.add_column(
        'user_account',
        sa.Column('oidc_subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    )
    op.add_column(
        'user_account',
        sa.Column('break_glass', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        'ix_user_account_provider_subject',
        'user_account',
        ['oidc_issuer', 'oidc_subject'],
        unique=True,
    )
    op.add_column(
        'user_session',
        sa.Column('provider_sid', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    )
    op.add_column('user_session', sa.Column('provider_id_token', sa.Text(), nullable=True))
    op.create_index(
        op.f('ix_user_session_provider_sid'), 'user_session', ['provider_sid'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_user_session_provider_sid'), table_name='user_session')
    op.drop_index('ix_user_account_provider_subject', table_name='user_account')
    columns = {
        'user_session': ('provider_id_token', 'provider_sid'),
        'user_account': ('break_glass', 'oidc_subject', 'oidc_issuer'),
    }
    for table, names in columns.items():
        for name in names:
            if op.get_bind().dialect.name == 'sqlite':
                op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')
            else:
                op.drop_column(table, name)
    op.drop_index(op.f('ix_group_mapping_group_name'), table_name='group_mapping')
    op.drop_table('group_mapping')
    op.drop_index(op.f('ix_provider_sign_in_expires_at'), table_name='provider_sign_in')
    op.drop_table('provider_sign_in')
