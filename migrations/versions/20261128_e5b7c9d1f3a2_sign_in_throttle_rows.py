"""sign-in throttle rows; tokens of deactivated accounts revoked

Revision ID: e5b7c9d1f3a2
Revises: d4e8a1f2b6c3
Create Date: 2026-11-28 18:00:00

Simultaneous sign-in attempts on one key (an account, a client address) are counted one after
another: each first writes its key's row in login_throttle. API tokens of deactivated accounts
are revoked, as deactivating one now does, so that they do not come back with the account.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.models._base

revision: str = 'e5b7c9d1f3a2'
down_revision: str | None = 'd4e8a1f2b6c3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('touched_at', tracker.models._base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_login_throttle_touched_at'), ['touched_at'], unique=False
        )
    api_token = sa.table(
        'api_token',
        sa.column('user_id', sa.Integer()),
        sa.column('revoked_at', tracker.models._base.UTCDateTime(timezone=True)),
    )
    user_account = sa.table(
        'user_account', sa.column('id', sa.Integer()), sa.column('active', sa.Boolean())
    )
    op.execute(
        api_token.update()
        .where(
            api_token.c.revoked_at.is_(None),
            api_token.c.user_id.in_(
                sa.select(user_account.c.id).where(sa.not_(user_account.c.active))
            ),
        )
        .values(revoked_at=datetime.now(UTC))
    )


def downgrade() -> None:
    # Revoked tokens stay revoked.
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_touched_at'))
    op.drop_table('login_throttle')
