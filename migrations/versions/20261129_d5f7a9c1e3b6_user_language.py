"""user language

Revision ID: d5f7a9c1e3b6
Revises: c4e6a8b0d2f3
Create Date: 2026-11-29 05:40:00

The language each person chose for the tracker's pages and digests (None: their browser's).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'd5f7a9c1e3b6'
down_revision: str | None = 'c4e6a8b0d2f3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('language')
