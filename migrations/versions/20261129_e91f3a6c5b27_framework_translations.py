"""framework translations

Revision ID: e91f3a6c5b27
Revises: d5f7a9c1e3b6
Create Date: 2026-11-29 05:40:00

The framework in other languages than its official English: each goal's, objective's, theme's
and theme statement's words per language, and with the framework, where each language's
translation comes from (official or an unofficial working translation, its source, when it
was loaded).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = 'e91f3a6c5b27'
down_revision: str | None = 'd5f7a9c1e3b6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(JSONB(), 'postgresql')
TABLES = ('framework', 'goal', 'objective', 'theme', 'theme_statement')


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('translations', JSON, server_default='{}', nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('translations')
